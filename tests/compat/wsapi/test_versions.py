"""The WebSocket API's clients are the versions these tests were written against."""

from __future__ import annotations

from importlib.metadata import version

from ...support import ONCE
from .expected import VERSIONS

#: What a client makes of the server's answers does not depend on its database.
pytestmark = ONCE


def test_the_clients_are_of_these_versions() -> None:
    assert {name: version(name) for name in VERSIONS} == VERSIONS

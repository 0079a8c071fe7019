"""One server for the WebSocket API's tests, renewed (accounts, keys, state, clock) for each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ...support import Renewable, Server, running_server
from .frames import LIMIT


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    with running_server(tmp_path_factory.mktemp("wsapi"), "--weight-limit", str(LIMIT)) as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    return shared.renew()

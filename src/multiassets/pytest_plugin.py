"""The pytest plugin: the ``multiassets_server`` fixture (see :mod:`multiassets.testing`).

Registered for every project that installs multiassets, so it imports nothing the ``server``
extra brings: without the extra, pytest runs as before, and only a test that uses the
fixture fails, saying in one line what to install.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .testing import ServerSession, TestServer


@pytest.fixture(scope="session")
def multiassets_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerSession]:
    """The server process behind ``multiassets_server``: one for the session (with
    pytest-xdist, one per worker), started when a test first needs it. Override it in a
    ``conftest.py`` to start the server with other options, e.g.
    ``ServerSession(tmp_path_factory.mktemp("multiassets"), args=["--weight-limit", "100"])``.
    """
    with ServerSession(tmp_path_factory.mktemp("multiassets")) as session:
        yield session


@pytest.fixture
def multiassets_server(multiassets_session: ServerSession) -> TestServer:
    """A multiassets server as new for one test: base URL, the demo account's key (a new one
    for each test) and the control plane. One process serves the session; before each test
    it is reset (:meth:`~multiassets.testing.TestServer.reset`): only the demo account, in
    its initial state, no fault rules, the clock and prices at their defaults, no listenKeys,
    streams, weight used or bans, an empty request log. A test that stops the process gets a
    new one for the next test; a test that needs a process of its own uses
    :func:`multiassets.testing.serve`."""
    return multiassets_session.fresh()

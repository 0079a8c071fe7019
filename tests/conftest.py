from __future__ import annotations

from collections.abc import Iterator

import pytest

from .support import Renewable, Server, running_server


@pytest.fixture(scope="session")
def one_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    """The process behind :func:`server`: one for the session, renewed for each module."""
    with running_server(tmp_path_factory.mktemp("server"), "--weight-limit", "1000000") as srv:
        yield Renewable(srv)


@pytest.fixture(scope="module")
def server(one_server: Renewable) -> Server:
    """A server for one test module, as new, with rate limits out of the way. The modules take
    turns on one process: each starts on it renewed (see ``Renewable``), as a server of its
    own would start."""
    return one_server.renew()

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import Server, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server shared by one test module, with rate limits out of the way."""
    with running_server(tmp_path_factory.mktemp("server"), "--weight-limit", "1000000") as srv:
        yield srv


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server of the test's own, with Binance's default limits."""
    with running_server(tmp_path) as srv:
        yield srv

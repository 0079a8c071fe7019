"""The compatibility tests' fixtures beyond the shared server (``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..support import Server
from .market import MARKET


@pytest.fixture
def round_market(server: Server) -> Iterator[None]:
    """The test runs at :data:`~.market.MARKET`'s prices, put back as they were after it."""
    server.control.move_market(MARKET)
    try:
        yield
    finally:
        server.control.reset_market()

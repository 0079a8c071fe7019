"""The pytest plugin: the ``multiassets_server`` fixture (see :mod:`multiassets.testing`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .testing import TestServer, serve


@pytest.fixture
def multiassets_server(tmp_path: Path) -> Iterator[TestServer]:
    """A fresh multiassets server for one test: base URL, demo key and control plane."""
    with serve(tmp_path / "multiassets") as server:
        yield server

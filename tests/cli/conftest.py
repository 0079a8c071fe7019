"""Every CLI test on a data directory of its own: no discovery file of a server the person
running the tests started, and no environment of theirs, can change what a command does."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The variables a command reads for where and as whom to act.
_WHERE = (
    "MULTIASSETS_SERVER",
    "MULTIASSETS_TOKEN",
    "MULTIASSETS_DB",
    "MULTIASSETS_BASE_URL",
    "MULTIASSETS_API_KEY",
    "MULTIASSETS_API_SECRET",
    "MULTIASSETS_PRIVATE_KEY",
    "MULTIASSETS_PROFILE",
    "XDG_DATA_HOME",
)


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data-home"
    monkeypatch.setenv("MULTIASSETS_HOME", str(home))
    monkeypatch.setenv("MULTIASSETS_CONFIG", str(tmp_path / "no-config.toml"))
    for name in _WHERE:
        monkeypatch.delenv(name, raising=False)
    return home

"""How the command line finds the server the user started: ``serve`` writes a discovery file,
``server.json`` in the data directory (``$MULTIASSETS_HOME``, else
``$XDG_DATA_HOME/multiassets``, else ``~/.local/share/multiassets``), readable by its owner
only, and removes it when it stops::

    {"url": "http://127.0.0.1:8080", "pid": 4242, "db": "sqlite:////home/me/….db",
     "token": "…", "account": "demo", "apiKey": "…", "secretKey": "…"}

``token`` is null when the server does not know it (started on an existing database without
``--admin-token``, and not the one that made it); ``apiKey``/``secretKey`` when the demo
account has no HMAC key usable from anywhere. A file whose process is gone (the server was
killed) is ignored.

The token a first start made is remembered in ``tokens.json`` beside it (one per database,
owner-only), so a later start of the same database can put it in the discovery file again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..server.config import default_data_dir

__all__ = [
    "Discovered",
    "absolute_db_url",
    "discovery_path",
    "find_server",
    "recall_token",
    "remember_token",
    "remove_discovery",
    "write_discovery",
]


@dataclass(frozen=True)
class Discovered:
    """A running server, as its discovery file describes it."""

    url: str
    pid: int
    db: str
    token: str | None
    api_key: str | None
    secret_key: str | None
    #: Where it was found, for messages.
    path: Path

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "pid": self.pid,
            "started": process_started(self.pid),
            "db": self.db,
            "token": self.token,
            "account": "demo",
            "apiKey": self.api_key,
            "secretKey": self.secret_key,
        }


def discovery_path() -> Path:
    return default_data_dir() / "server.json"


def _tokens_path() -> Path:
    return default_data_dir() / "tokens.json"


def absolute_db_url(url: str) -> str:
    """A SQLite URL with its path made absolute (it means the same from any directory)."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///{os.path.abspath(url.removeprefix('sqlite:///'))}"
    return url


def process_started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, /proc/PID/stat's 22nd field), to
    tell it from a later process given the same pid; None where there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # the fields after the command's name


def _alive(pid: int, started: str | None) -> bool:
    """Whether the server that wrote the file still runs: its pid is a process of ours, and
    (where /proc tells) the same process, not a later one given its pid."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or now someone else's process
        return False
    return started is None or process_started(pid) in (started, None)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def find_server() -> Discovered | None:
    """The server the discovery file names, if the file is there, readable and its process
    alive; else None."""
    path = discovery_path()
    document = _read_json(path)
    if not isinstance(document, dict):
        return None
    try:
        found = Discovered(
            url=str(document["url"]),
            pid=int(document["pid"]),
            db=str(document["db"]),
            token=_optional(document.get("token")),
            api_key=_optional(document.get("apiKey")),
            secret_key=_optional(document.get("secretKey")),
            path=path,
        )
    except (KeyError, TypeError, ValueError):
        return None
    started = document.get("started")
    return found if _alive(found.pid, started if isinstance(started, str) else None) else None


def _optional(value: Any) -> str | None:
    return str(value) if value else None


def _write_private(path: Path, document: Any) -> None:
    """Write ``document`` to ``path`` as its owner alone may read it, replacing it whole (a
    reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file, indent=2)
        file.write("\n")
    os.replace(partial, path)


def write_discovery(found: Discovered) -> None:
    _write_private(found.path, found.as_json())


def remove_discovery(path: Path, pid: int) -> None:
    """Remove the discovery file if it still names process ``pid`` (a server started since
    has written its own)."""
    document = _read_json(path)
    if isinstance(document, dict) and document.get("pid") == pid:
        path.unlink(missing_ok=True)


def remember_token(db_url: str, token: str) -> None:
    tokens = _read_json(_tokens_path())
    tokens = tokens if isinstance(tokens, dict) else {}
    tokens[db_url] = token
    _write_private(_tokens_path(), tokens)


def recall_token(db_url: str) -> str | None:
    tokens = _read_json(_tokens_path())
    token = tokens.get(db_url) if isinstance(tokens, dict) else None
    return token if isinstance(token, str) else None

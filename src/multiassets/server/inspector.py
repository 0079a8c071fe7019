"""The request log: a bounded record of recent requests and why each refused one was
refused. Keys are shown by their first 8 characters; no secret or signature is kept."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["Entry", "Inspector"]


@dataclass(slots=True)
class Entry:
    seq: int
    time_ms: int
    ip: str
    method: str
    path: str
    account: str | None
    key: str | None
    weight: int
    status: int
    code: int | None
    reason: str | None
    injected: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time_ms,
            "ip": self.ip,
            "method": self.method,
            "path": self.path,
            "account": self.account,
            "key": self.key,
            "weight": self.weight,
            "status": self.status,
            "code": self.code,
            "reason": self.reason,
            "injected": self.injected,
        }


_Row = tuple[
    int,
    int,
    str,
    str,
    str,
    "str | None",
    "str | None",
    int,
    int,
    "int | None",
    "str | None",
    "str | None",
]


class Inspector:
    def __init__(self, size: int = 2000) -> None:
        # Plain tuples on the hot path; Entry objects only when someone reads the log.
        self._rows: deque[_Row] = deque(maxlen=size)
        self._seq = 0

    def record(
        self,
        time_ms: int,
        ip: str,
        method: str,
        path: str,
        account: str | None,
        api_key: str | None,
        weight: int,
        status: int,
        code: int | None,
        reason: str | None,
        injected: str | None = None,
    ) -> None:
        self._seq += 1
        key = f"{api_key[:8]}…" if api_key else None
        self._rows.append(
            (
                self._seq,
                time_ms,
                ip,
                method,
                path,
                account,
                key,
                weight,
                status,
                code,
                reason,
                injected,
            )
        )

    def entries(
        self,
        since: int = 0,
        account: str | None = None,
        refused: bool = False,
        limit: int = 200,
    ) -> tuple[list[Entry], int]:
        """Entries after ``since`` (oldest first, at most ``limit``), and the last seq."""
        chosen = [
            Entry(*row)
            for row in self._rows
            if row[0] > since
            and (account is None or row[5] == account)
            and (not refused or row[8] >= 400)
        ]
        return chosen[-limit:], self._seq

    def clear(self) -> None:
        self._rows.clear()

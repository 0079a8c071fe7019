"""The request log: a bounded record of recent requests and why each refused one was
refused. Keys are shown by their first 8 characters; no secret or signature is kept."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["Inspector", "RequestRecord"]


@dataclass(slots=True)
class RequestRecord:
    """One request as the log shows it."""

    time_ms: int
    ip: str
    method: str
    path: str
    #: 0 when the connection was closed without an answer (an injected fault).
    status: int = 0
    weight: int = 0
    code: int | None = None
    reason: str | None = None
    account: str | None = None
    #: The API key sent; only its first 8 characters are kept.
    key: str | None = None
    injected: str | None = None
    seq: int = 0

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


class Inspector:
    def __init__(self, size: int = 2000) -> None:
        self._records: deque[RequestRecord] = deque(maxlen=size)
        self._seq = 0

    def record(self, record: RequestRecord) -> None:
        """Keep ``record`` (numbered, its key cut to a prefix)."""
        self._seq += 1
        record.seq = self._seq
        if record.key:
            record.key = f"{record.key[:8]}…"
        self._records.append(record)

    def entries(
        self,
        since: int = 0,
        account: str | None = None,
        refused: bool = False,
        limit: int = 200,
    ) -> tuple[list[RequestRecord], int]:
        """Records after ``since`` (oldest first, at most ``limit``), and the last seq."""
        chosen = [
            record
            for record in self._records
            if record.seq > since
            and (account is None or record.account == account)
            and (not refused or record.status >= 400)
        ]
        return chosen[-limit:], self._seq

    def clear(self) -> None:
        self._records.clear()

"""The request log: a bounded record of recent requests and why each refused one was
refused. Keys are shown by their first 8 characters; no secret or signature is kept."""

from __future__ import annotations

from collections import deque
from typing import Any, NamedTuple

__all__ = ["Inspector", "RequestRecord", "shown_key"]


def shown_key(api_key: str | None) -> str | None:
    """How the log shows an API key: its first 8 characters."""
    return f"{api_key[:8]}…" if api_key else None


class RequestRecord(NamedTuple):
    """One request as the log shows it.

    A tuple of plain values, so that the garbage collector need not track the thousands the
    log holds (a class instance per request made every full collection walk them all)."""

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
    #: The API key sent, as :func:`shown_key` shows it.
    key: str | None = None
    injected: str | None = None
    #: Its place in the log, given when it is read.
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
        self._records: deque[tuple[int, RequestRecord]] = deque(maxlen=size)
        self._seq = 0

    def record(self, record: RequestRecord) -> None:
        """Keep ``record``, numbered."""
        self._seq += 1
        self._records.append((self._seq, record))

    def entries(
        self,
        since: int = 0,
        account: str | None = None,
        refused: bool = False,
        limit: int = 200,
    ) -> tuple[list[RequestRecord], int]:
        """Records after ``since`` (oldest first, at most ``limit``), and the last seq."""
        chosen = [
            record._replace(seq=seq)
            for seq, record in self._records
            if seq > since
            and (account is None or record.account == account)
            and (not refused or record.status >= 400)
        ]
        return chosen[-limit:], self._seq

    def clear(self) -> None:
        self._records.clear()

"""User data streams: listenKeys and the events pushed to their WebSocket connections.

As on Binance: one listenKey per account (a second POST returns it again and extends it), valid
60 minutes after its last keepalive; a connection lives at most 24 hours; when its key expires
or is deleted, the stream gets ``listenKeyExpired`` and is closed. Events reach every open
stream of the account, in order, once each. Keys live in this process (a restart forgets them,
as Binance forgets keys that were not kept alive).
"""

from __future__ import annotations

import asyncio
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LISTEN_KEY_TTL_MS", "MAX_CONNECTION_MS", "ListenKey", "StreamHub"]

LISTEN_KEY_TTL_MS = 60 * 60 * 1000
MAX_CONNECTION_MS = 24 * 60 * 60 * 1000
_ALPHABET = string.ascii_letters + string.digits

#: What a connection's queue carries: an event to send, or None to close.
Outbox = asyncio.Queue[dict[str, Any] | None]


@dataclass
class ListenKey:
    key: str
    account_id: int
    expires_ms: int
    outboxes: set[Outbox] = field(default_factory=set)


class StreamHub:
    def __init__(self) -> None:
        self._by_account: dict[int, ListenKey] = {}
        self._by_key: dict[str, ListenKey] = {}

    def open(self, account_id: int, now_ms: int) -> str:
        """POST: the account's key, made if it has none, valid for another 60 minutes."""
        listen_key = self._by_account.get(account_id)
        if listen_key is None:
            token = "".join(secrets.choice(_ALPHABET) for _ in range(64))
            listen_key = self._by_account[account_id] = self._by_key[token] = ListenKey(
                token, account_id, 0
            )
        listen_key.expires_ms = now_ms + LISTEN_KEY_TTL_MS
        return listen_key.key

    def keepalive(self, account_id: int, now_ms: int) -> str | None:
        """PUT: extend the account's key; None if it has none (Binance's -1125)."""
        listen_key = self._by_account.get(account_id)
        if listen_key is None:
            return None
        listen_key.expires_ms = now_ms + LISTEN_KEY_TTL_MS
        return listen_key.key

    def close(self, account_id: int, now_ms: int) -> bool:
        """DELETE: end the account's key and its streams; False if it had none."""
        listen_key = self._by_account.get(account_id)
        if listen_key is None:
            return False
        self._end(listen_key, now_ms)
        return True

    def connect(self, key: str, now_ms: int) -> Outbox | None:
        """A new WebSocket connection on ``key``: its outbox, or None if the key is unknown."""
        listen_key = self._by_key.get(key)
        if listen_key is None or listen_key.expires_ms <= now_ms:
            return None
        outbox: Outbox = asyncio.Queue()
        listen_key.outboxes.add(outbox)
        return outbox

    def disconnect(self, key: str, outbox: Outbox) -> None:
        listen_key = self._by_key.get(key)
        if listen_key is not None:
            listen_key.outboxes.discard(outbox)

    def publish(self, account_id: int, event: dict[str, Any]) -> None:
        listen_key = self._by_account.get(account_id)
        if listen_key is not None:
            for outbox in listen_key.outboxes:
                outbox.put_nowait(event)

    def expire(self, now_ms: int) -> None:
        """End every key not kept alive in time."""
        for listen_key in [k for k in self._by_key.values() if k.expires_ms <= now_ms]:
            self._end(listen_key, now_ms)

    def _end(self, listen_key: ListenKey, now_ms: int) -> None:
        expired = {"e": "listenKeyExpired", "E": now_ms, "listenKey": listen_key.key}
        for outbox in listen_key.outboxes:
            outbox.put_nowait(expired)
            outbox.put_nowait(None)
        listen_key.outboxes.clear()
        self._by_key.pop(listen_key.key, None)
        self._by_account.pop(listen_key.account_id, None)


def config_update(multi_assets_margin: bool, now_ms: int) -> dict[str, Any]:
    """``ACCOUNT_CONFIG_UPDATE`` for a Multi-Assets Mode change (``ai.j``)."""
    return {
        "e": "ACCOUNT_CONFIG_UPDATE",
        "E": now_ms,
        "T": now_ms,
        "ai": {"j": multi_assets_margin},
    }

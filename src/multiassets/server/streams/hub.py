"""User data streams: listenKeys and the events pushed to their WebSocket connections.

As on Binance: one listenKey per account (a second POST returns it again and extends it), valid
60 minutes after its last keepalive; a connection lives at most 24 hours; when its key expires
or is deleted, the stream gets ``listenKeyExpired`` and is closed. Events reach every open
stream of the account, in order, once each.

The keys live in a ``ListenKeyBook`` (``listen_keys.py``): this process's memory (a restart
forgets them, as Binance forgets keys that were not kept alive), or Redis when several processes
serve (a key made through one works on every other). Connections are always this
process's own; each process announces committed changes to its own connections.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .listen_keys import ListenKeyBook

__all__ = ["LISTEN_KEY_TTL_MS", "MAX_CONNECTION_MS", "Outbox", "StreamHub", "config_update"]

LISTEN_KEY_TTL_MS = 60 * 60 * 1000
MAX_CONNECTION_MS = 24 * 60 * 60 * 1000

#: What a connection's queue carries: (listenKey, an event to send, or None: the key ended).
Outbox = asyncio.Queue[tuple[str, dict[str, Any] | None]]


class StreamHub:
    """This process's stream connections, by account and listenKey."""

    def __init__(self, book: ListenKeyBook) -> None:
        self.book = book
        #: account id -> listenKey -> the outboxes of its connections here, each with when it
        #: subscribed (``time.monotonic()``)
        self._connections: dict[int, dict[str, dict[Outbox, float]]] = {}

    async def open(self, account_id: int, now_ms: int) -> str:
        key = await self.book.open(account_id, now_ms)
        self._end_others(account_id, key, now_ms)  # a new key replaced an expired one
        return key

    async def keepalive(self, account_id: int, now_ms: int) -> str | None:
        return await self.book.keepalive(account_id, now_ms)

    async def close(self, account_id: int, now_ms: int) -> bool:
        """DELETE: end the account's key and its streams here (elsewhere, the other processes'
        expiry check ends them); False if it had none."""
        key = await self.book.close(account_id, now_ms)
        if key is None:
            return False
        self._end(account_id, key, now_ms)
        return True

    async def connect(
        self, key: str, now_ms: int, outbox: Outbox | None = None
    ) -> tuple[int, Outbox] | None:
        """A WebSocket connection subscribes to ``key``: its account and outbox (a new one, or
        the connection's own for its further keys), or None if the key is not valid."""
        account_id = await self.book.account(key, now_ms)
        if account_id is None:
            return None
        outbox = outbox if outbox is not None else asyncio.Queue()
        self._connections.setdefault(account_id, {}).setdefault(key, {})[outbox] = time.monotonic()
        return account_id, outbox

    def disconnect(self, account_id: int, key: str, outbox: Outbox) -> None:
        keys = self._connections.get(account_id, {})
        keys.get(key, {}).pop(outbox, None)
        if not keys.get(key, True):
            del keys[key]
        if not keys:
            self._connections.pop(account_id, None)

    def publish(
        self, account_id: int, event: dict[str, Any], opened_before: float | None = None
    ) -> None:
        """Send ``event`` to the account's streams; given ``opened_before`` (the moment of a
        commit announced after it), only to those subscribed before then: a stream hears only
        what was committed while it was open."""
        for key, outboxes in self._connections.get(account_id, {}).items():
            for outbox, subscribed in outboxes.items():
                if opened_before is None or subscribed < opened_before:
                    outbox.put_nowait((key, event))

    async def expire(self, now_ms: int) -> None:
        """End the connections whose key is no longer valid (expired, deleted elsewhere)."""
        connected = [(a, key) for a, keys in self._connections.items() for key in keys]
        if not connected:
            return
        alive = await self.book.alive([key for _, key in connected], now_ms)
        for account_id, key in connected:
            if key not in alive:
                self._end(account_id, key, now_ms)

    def _end_others(self, account_id: int, key: str, now_ms: int) -> None:
        for other in [k for k in self._connections.get(account_id, {}) if k != key]:
            self._end(account_id, other, now_ms)

    def _end(self, account_id: int, key: str, now_ms: int) -> None:
        outboxes = self._connections.get(account_id, {}).pop(key, {})
        expired = {"e": "listenKeyExpired", "E": now_ms, "listenKey": key}
        for outbox in outboxes:
            outbox.put_nowait((key, expired))
            outbox.put_nowait((key, None))
        if not self._connections.get(account_id, True):
            del self._connections[account_id]


def config_update(multi_assets_margin: bool, now_ms: int) -> dict[str, Any]:
    """``ACCOUNT_CONFIG_UPDATE`` for a Multi-Assets Mode change (``ai.j``)."""
    return {
        "e": "ACCOUNT_CONFIG_UPDATE",
        "E": now_ms,
        "T": now_ms,
        "ai": {"j": multi_assets_margin},
    }

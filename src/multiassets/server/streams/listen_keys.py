"""Where listenKeys live: which account has which key, valid until when (by the server's
clock). In this process's memory, or in Redis when several processes serve, so a key made
through one works on every other."""

from __future__ import annotations

from typing import Protocol

from ...protocol.keys import new_token
from ..cluster.shared import Shared
from .hub import LISTEN_KEY_TTL_MS

__all__ = ["ListenKeyBook", "LocalListenKeys", "RedisListenKeys", "new_listen_key"]


def new_listen_key() -> str:
    # Binance's listenKeys are 64 letters and digits, like its API keys.
    return new_token()


class ListenKeyBook(Protocol):
    """Which account has which listenKey, valid until when (by the server's clock)."""

    async def open(self, account_id: int, now_ms: int) -> str:
        """The account's key, made if it has none valid, valid for another 60 minutes."""
        ...

    async def keepalive(self, account_id: int, now_ms: int) -> str | None:
        """Extend the account's key; None if it has none valid."""
        ...

    async def close(self, account_id: int, now_ms: int) -> str | None:
        """End the account's key; the key, or None if it had none valid."""
        ...

    async def account(self, key: str, now_ms: int) -> int | None:
        """The account whose valid key ``key`` is, else None."""
        ...

    async def alive(self, keys: list[str], now_ms: int) -> set[str]:
        """Those of ``keys`` still valid."""
        ...


class LocalListenKeys:
    """Listen keys in this process's memory."""

    def __init__(self) -> None:
        self._by_account: dict[int, str] = {}
        #: key -> (account id, valid until)
        self._keys: dict[str, tuple[int, int]] = {}

    def _valid(self, account_id: int, now_ms: int) -> str | None:
        key = self._by_account.get(account_id)
        if key is not None and self._keys[key][1] > now_ms:
            return key
        if key is not None:  # expired: forget it
            del self._by_account[account_id], self._keys[key]
        return None

    async def open(self, account_id: int, now_ms: int) -> str:
        key = self._valid(account_id, now_ms) or new_listen_key()
        self._by_account[account_id] = key
        self._keys[key] = (account_id, now_ms + LISTEN_KEY_TTL_MS)
        return key

    async def keepalive(self, account_id: int, now_ms: int) -> str | None:
        key = self._valid(account_id, now_ms)
        if key is not None:
            self._keys[key] = (account_id, now_ms + LISTEN_KEY_TTL_MS)
        return key

    async def close(self, account_id: int, now_ms: int) -> str | None:
        key = self._valid(account_id, now_ms)
        if key is not None:
            del self._by_account[account_id], self._keys[key]
        return key

    async def account(self, key: str, now_ms: int) -> int | None:
        found = self._keys.get(key)
        return found[0] if found is not None and found[1] > now_ms else None

    async def alive(self, keys: list[str], now_ms: int) -> set[str]:
        return {key for key in keys if await self.account(key, now_ms) is not None}


# KEYS: the account's key holder. ARGV: operation (open, keepalive, close), now, lifetime,
# prefix of the key entries, a new key (for open), account id, how long Redis keeps them.
# An entry is "account:valid until"; an expired key is deleted on sight.
_LISTEN_KEY = """
local now = tonumber(ARGV[2])
local key = redis.call('GET', KEYS[1])
if key then
  local entry = redis.call('GET', ARGV[4] .. key)
  local expires = entry and tonumber(string.match(entry, ':(%d+)$')) or 0
  if expires <= now then
    redis.call('DEL', ARGV[4] .. key, KEYS[1])
    key = false
  end
end
if ARGV[1] == 'close' then
  if key then redis.call('DEL', ARGV[4] .. key, KEYS[1]) end
  return key
end
if not key then
  if ARGV[1] == 'keepalive' then return false end
  key = ARGV[5]
end
local keep = tonumber(ARGV[7])
local expires = string.format('%d', now + tonumber(ARGV[3]))
redis.call('SET', KEYS[1], key, 'PX', keep)
redis.call('SET', ARGV[4] .. key, ARGV[6] .. ':' .. expires, 'PX', keep)
return key
"""


class RedisListenKeys:
    """Listen keys in Redis: made, kept alive or deleted through any process, valid on all.
    (The book the server uses when it has Redis; see ``hub.py``.)"""

    #: Redis forgets a key this long after its last use, whatever the server's clock says.
    KEEP_MS = 7 * 24 * 3600 * 1000

    def __init__(self, shared: Shared) -> None:
        self.shared = shared
        self._entries = shared.prefix + "listenkey:"
        self._script = shared.redis.register_script(_LISTEN_KEY)

    async def _run(self, operation: str, account_id: int, now_ms: int) -> str | None:
        args: list[str | int] = [operation, now_ms, LISTEN_KEY_TTL_MS, self._entries]
        args += [new_listen_key(), account_id, self.KEEP_MS]
        holder = f"{self.shared.prefix}account-listenkey:{account_id}"
        key = await self.shared.call(self._script(keys=[holder], args=args))
        return key.decode() if key is not None else None

    async def open(self, account_id: int, now_ms: int) -> str:
        key = await self._run("open", account_id, now_ms)
        assert key is not None
        return key

    async def keepalive(self, account_id: int, now_ms: int) -> str | None:
        return await self._run("keepalive", account_id, now_ms)

    async def close(self, account_id: int, now_ms: int) -> str | None:
        return await self._run("close", account_id, now_ms)

    async def account(self, key: str, now_ms: int) -> int | None:
        entry = await self.shared.call(self.shared.redis.get(self._entries + key))
        return _valid_account(entry, now_ms)

    async def alive(self, keys: list[str], now_ms: int) -> set[str]:
        entries = await self.shared.call(self.shared.redis.mget([self._entries + k for k in keys]))
        return {
            key for key, entry in zip(keys, entries, strict=True) if _valid_account(entry, now_ms)
        }


def _valid_account(entry: bytes | None, now_ms: int) -> int | None:
    if entry is None:
        return None
    account, _, expires = entry.decode().partition(":")
    return int(account) if int(expires) > now_ms else None

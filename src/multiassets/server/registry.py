"""Accounts and keys held in process, backed by the store.

Every signed request looks its key up here (a dict lookup); only a key this process has not
seen yet goes to the database, so a key created by another process works on its next request.
Changes to one account are serialised by that account's lock: a change checks the rules,
commits, and only then updates the copy held here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from ..protocol.signing import Verifier, hmac_verifier, public_key_verifier
from ..store import Account, ApiKey, Store

__all__ = ["Registry"]


class Registry:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._accounts: dict[int, Account] = {}
        self._keys: dict[str, ApiKey] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._verifiers: dict[str, Verifier] = {}
        self.reload()

    def key(self, api_key: str) -> ApiKey | None:
        key = self._keys.get(api_key)
        if key is not None and key.account_id in self._accounts:
            return key
        found = self.store.find_key(api_key)
        if found is None:
            return None
        key, account = found
        # setdefault: requests may hold the account object this process already has.
        self._accounts.setdefault(account.id, account)
        self._keys[api_key] = key
        return key

    def verifier(self, key: ApiKey) -> Verifier:
        """How to check this key's signatures, built once per key (a parsed public key, the
        secret's bytes)."""
        verifier = self._verifiers.get(key.api_key)
        if verifier is None:
            if key.kind == "HMAC" and key.secret is not None:
                verifier = hmac_verifier(key.secret)
            elif key.public_key is not None:
                verifier = public_key_verifier(key.public_key)
            else:
                raise ValueError(f"key {key.api_key[:8]}… has nothing to verify with")
            self._verifiers[key.api_key] = verifier
        return verifier

    def current(self, key: ApiKey) -> bool:
        """Whether ``key`` is still what this process holds (not revoked, not replaced)."""
        return self._keys.get(key.api_key) == key and key.account_id in self._accounts

    def account_name(self, api_key: str) -> str | None:
        """The account of a key this process knows (for the request log), else None."""
        key = self._keys.get(api_key)
        account = self._accounts.get(key.account_id) if key is not None else None
        return account.name if account is not None else None

    def forget(self, account_id: int) -> None:
        """The account is gone from the database: its keys stop working here too."""
        self._accounts.pop(account_id, None)

    def get(self, account_id: int) -> Account | None:
        return self._accounts.get(account_id)

    def account(self, account_id: int) -> Account:
        return self._accounts[account_id]

    def accounts(self) -> list[Account]:
        return list(self._accounts.values())

    def lock(self, account_id: int) -> asyncio.Lock:
        lock = self._locks.get(account_id)
        if lock is None:
            lock = self._locks[account_id] = asyncio.Lock()
        return lock

    def all_locked(self) -> AbstractAsyncContextManager[None]:
        """Hold every account's lock."""
        return self.locked(sorted(self._accounts))

    @asynccontextmanager
    async def locked(self, account_ids: list[int]) -> AsyncIterator[None]:
        """Hold these accounts' locks (give them in id order, so two holders can't
        deadlock)."""
        held: list[asyncio.Lock] = []
        try:
            for account_id in account_ids:
                lock = self.lock(account_id)
                await lock.acquire()
                held.append(lock)
            yield
        finally:
            for lock in held:
                lock.release()

    def refresh(self, account_ids: set[int]) -> None:
        """Read these accounts again (their state changed elsewhere), keeping the objects
        requests may hold; one gone from the database is forgotten."""
        fresh = {account.id: account for account in self.store.accounts_by_id(account_ids)}
        for account_id in account_ids:
            current = self._accounts.get(account_id)
            account = fresh.get(account_id)
            if account is None:
                self._accounts.pop(account_id, None)
            elif current is None:
                self._accounts[account_id] = account
            else:
                current.state, current.version = account.state, account.version
                current.updated_ms = account.updated_ms

    def reload(self) -> None:
        """Read every account and key again, keeping the objects requests may hold."""
        accounts, keys = self.store.snapshot()
        fresh = {account.id: account for account in accounts}
        for account_id, account in fresh.items():
            current = self._accounts.get(account_id)
            if current is not None:
                current.name = account.name
                current.state = account.state
                current.version = account.version
                current.updated_ms = account.updated_ms
                fresh[account_id] = current
        self._accounts = fresh
        self._keys = {key.api_key: key for key in keys}
        self._verifiers = {}

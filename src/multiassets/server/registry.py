"""Accounts and keys held in process, backed by the store.

Every signed request looks its key up here (a dict lookup); only a key this process has not
seen yet goes to the database, so a key created by another process (the CLI, another worker)
works on its next request.
"""

from __future__ import annotations

from ..store import Account, ApiKey, Store

__all__ = ["Registry"]


class Registry:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._accounts: dict[int, Account] = {account.id: account for account in store.accounts()}
        self._keys: dict[str, ApiKey] = {key.api_key: key for key in store.api_keys()}

    def key(self, api_key: str) -> ApiKey | None:
        key = self._keys.get(api_key)
        if key is not None:
            return key
        found = self.store.find_key(api_key)
        if found is None:
            return None
        key, account = found
        self._accounts.setdefault(account.id, account)
        self._keys[api_key] = key
        return key

    def account(self, account_id: int) -> Account:
        return self._accounts[account_id]

"""A client for a running server's control plane (standard library only).

It has the same methods as :class:`multiassets.admin.Admin`, so the CLI and the test helpers
work the same on a running server as directly on a database; it fails with the same
:class:`~multiassets.AdminError`. It imports nothing of the server or the store.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from ._exceptions import AdminError
from .defaults import CONTROL_PREFIX, REQUEST_TIMEOUT_S
from .protocol.keys import PERMISSIONS

__all__ = ["ControlClient"]

# No proxy, whatever http_proxy says: the bearer token goes to the server and nowhere else.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ControlClient:
    def __init__(self, base_url: str, token: str, timeout: float = REQUEST_TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(self, method: str, path: str, document: Any = None) -> Any:
        data = json.dumps(document).encode() if document is not None else None
        request = urllib.request.Request(
            f"{self.base_url}{CONTROL_PREFIX}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                data = response.read()
            try:
                return json.loads(data or b"null")
            except ValueError:
                raise AdminError(
                    f"{self.base_url} is not a multiassets control plane", 502
                ) from None
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read())["error"]
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {error.code}"
            raise AdminError(message, error.code) from None
        except (urllib.error.URLError, OSError) as error:
            raise AdminError(f"can't reach {self.base_url}: {error}", 503) from None

    def list_accounts(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "accounts"))

    def create_account(self, name: str) -> dict[str, Any]:
        return dict(self._call("POST", "accounts", {"name": name}))

    def delete_account(self, name: str) -> None:
        self._call("DELETE", f"accounts/{quote(name, safe='')}")

    def create_key(
        self,
        account: str,
        permissions: Any = PERMISSIONS,
        ip_allowlist: Any = None,
        public_key: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"permissions": list(permissions), "ipAllowlist": ip_allowlist}
        if public_key is not None:
            body["publicKey"] = public_key  # the server tells RSA from Ed25519
        return dict(self._call("POST", f"accounts/{quote(account, safe='')}/keys", body))

    def list_keys(self, account: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"accounts/{quote(account, safe='')}/keys"))

    def revoke_key(self, api_key: str) -> None:
        self._call("DELETE", f"keys/{quote(api_key, safe='')}")

    def state(self, account: str) -> dict[str, Any]:
        return dict(self._call("GET", f"accounts/{quote(account, safe='')}/state"))

    def set_state(self, account: str, document: Any, *, partial: bool = False) -> dict[str, Any]:
        method = "PATCH" if partial else "PUT"
        return dict(self._call(method, f"accounts/{quote(account, safe='')}/state", document))

    def modes(self, account: str) -> dict[str, Any]:
        """The account in both asset modes at the server's prices, and whether a switch would
        be refused."""
        return dict(self._call("GET", f"accounts/{quote(account, safe='')}/modes"))

    def market(self) -> dict[str, Any]:
        return dict(self._call("GET", "market"))

    def move_market(self, document: Any) -> dict[str, Any]:
        """``{"markPrices": {symbol: price}, "assetIndex": {asset: {field: value}}}``."""
        return dict(self._call("PATCH", "market", document))

    def reset_market(self) -> dict[str, Any]:
        return dict(self._call("DELETE", "market"))

    def export(self) -> dict[str, Any]:
        return dict(self._call("GET", "state"))

    def import_(self, document: Any) -> None:
        self._call("PUT", "state", document)

    def reset(self) -> None:
        self._call("POST", "reset")

    def clock(self) -> dict[str, Any]:
        return dict(self._call("GET", "clock"))

    def set_clock(self, **settings: Any) -> dict[str, Any]:
        """``offsetMs=…`` or ``freeze=True[, at=…]`` / ``freeze=False``."""
        return dict(self._call("PUT", "clock", settings))

    def reset_clock(self) -> dict[str, Any]:
        return dict(self._call("DELETE", "clock"))

    def log(
        self, since: int = 0, account: str | None = None, refused: bool = False, limit: int = 200
    ) -> dict[str, Any]:
        """The server's request log after ``since`` (a seq): ``{"entries": [...], "last": n}``."""
        query = f"since={since}&limit={limit}" + ("&refused=1" if refused else "")
        if account is not None:
            query += f"&account={quote(account, safe='')}"
        return dict(self._call("GET", f"log?{query}"))

    def faults(self) -> dict[str, Any]:
        return dict(self._call("GET", "faults"))

    def add_fault(self, **rule: Any) -> dict[str, Any]:
        """One rule, e.g. ``kind="unknown_error", method="POST", account="demo", times=1,
        applied=True``; returns it with its ``id``."""
        return dict(self._call("POST", "faults", rule))

    def load_faults(self, document: Any) -> dict[str, Any]:
        return dict(self._call("PUT", "faults", document))

    def remove_fault(self, rule_id: int) -> None:
        self._call("DELETE", f"faults/{rule_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

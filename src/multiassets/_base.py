"""What Client and AsyncClient share above the core: construction and state."""

from __future__ import annotations

from ._config import resolve
from .defaults import REQUEST_TIMEOUT_S, RETRIES
from .protocol.limits import RECV_WINDOW_MS, REQUEST_WEIGHT_1M

# Not typing's TYPE_CHECKING: importing typing costs ~15 ms. Type checkers take it as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from ._config import Settings
    from ._core import Core

__all__ = ["BaseClient"]


class _MadeOnFirstUse:
    """The client's :class:`~multiassets._core.Core`, made (and its module imported) the
    first time it is needed: making a client costs no catalogue, json or urllib import. Then
    it sits in the instance's ``__dict__``, which Python reads before this descriptor."""

    def __get__(self, client: BaseClient, owner: type | None = None) -> Core:
        from ._core import Core

        recv_window, time_sync, weight_limit, retries = client._options
        core = Core(
            client._settings,
            recv_window=recv_window,
            time_sync=time_sync,
            weight_limit=weight_limit,
            retries=retries,
        )
        client.__dict__["_core"] = core
        return core


class BaseClient:
    """Parameters (the same for :class:`~multiassets.Client` and
    :class:`~multiassets.AsyncClient`):

    * ``api_key`` and ``api_secret`` (HMAC), or ``private_key`` (RSA or Ed25519 PEM, as text
      or a path) with ``private_key_passphrase``; each falls back to ``MULTIASSETS_API_KEY``,
      ``MULTIASSETS_API_SECRET``, ``MULTIASSETS_PRIVATE_KEY``,
      ``MULTIASSETS_PRIVATE_KEY_PASSPHRASE``.
    * ``base_url`` (else ``MULTIASSETS_BASE_URL``, else Binance's production URL), or
      ``demo=True`` for Binance's demo trading URL.
    * ``time_sync``: measure the server's clock before the first signed call. Either way, a
      ``-1021`` answer makes the client re-measure once and retry once.
    * ``recv_window`` (ms), ``weight_limit`` (the client waits for the next minute rather than
      cross it), ``timeout`` (seconds), ``retries`` (for GETs on network errors and 5xx).
    """

    _core: Core = _MadeOnFirstUse()  # type: ignore[assignment]

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        private_key: str | Path | None = None,
        private_key_passphrase: str | None = None,
        base_url: str | None = None,
        demo: bool = False,
        time_sync: bool = False,
        recv_window: int = RECV_WINDOW_MS,
        weight_limit: int = REQUEST_WEIGHT_1M,
        timeout: float = REQUEST_TIMEOUT_S,
        retries: int = RETRIES,
    ) -> None:
        self._settings: Settings = resolve(
            api_key, api_secret, private_key, private_key_passphrase, base_url, demo
        )
        self._options = (recv_window, time_sync, weight_limit, retries)
        self.timeout = timeout

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def time_offset_ms(self) -> int:
        """Server time minus local time, as last measured (0 before any measurement)."""
        return self._core.offset_ms

    @property
    def used_weight(self) -> int:
        """``X-MBX-USED-WEIGHT-1M`` from the last answer."""
        return self._core.weight_used

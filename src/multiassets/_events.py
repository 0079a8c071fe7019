"""User data stream events, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AccountConfigUpdate", "ListenKeyExpired", "StreamEvent", "parse_event"]


@dataclass(frozen=True)
class StreamEvent:
    """Any event: ``type`` is Binance's ``e``, ``raw`` the whole JSON object."""

    type: str
    event_time: int
    raw: dict[str, Any]


@dataclass(frozen=True)
class AccountConfigUpdate(StreamEvent):
    """``ACCOUNT_CONFIG_UPDATE`` with ``ai``: the Multi-Assets Mode changed."""

    transaction_time: int = 0
    multi_assets_margin: bool = False


@dataclass(frozen=True)
class ListenKeyExpired(StreamEvent):
    """The listenKey expired or was deleted: the stream ends."""

    listen_key: str = ""


def parse_event(document: dict[str, Any]) -> StreamEvent:
    kind, time_ms = str(document.get("e", "")), int(document.get("E", 0))
    if kind == "ACCOUNT_CONFIG_UPDATE" and "ai" in document:
        return AccountConfigUpdate(
            kind, time_ms, document, int(document.get("T", 0)), bool(document["ai"].get("j"))
        )
    if kind == "listenKeyExpired":
        return ListenKeyExpired(kind, time_ms, document, str(document.get("listenKey", "")))
    return StreamEvent(kind, time_ms, document)

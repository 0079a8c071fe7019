"""The question users ask before they switch: what the account looks like in each asset mode,
and whether the switch would be refused, and why. One document, from the same margin and
rules as the API's views and refusals (``margin.py``, ``rules.py``)."""

from __future__ import annotations

from typing import Any

from .margin import AccountMargin, Totals, account_margin
from .model import AccountState
from .prices import Market
from .rules import mode_refusal
from .views import money

__all__ = ["MODE_NAMES", "TOTAL_FIELDS", "ASSET_FIELDS", "preview"]

#: Each asset mode's key in the document, by its multiAssetsMargin value.
MODE_NAMES = {False: "singleAsset", True: "multiAssets"}


def _camel(name: str) -> str:
    head, *words = name.split("_")
    return head + "".join(word.title() for word in words)


#: The totals shown, as Binance names them (``total_cross_un_pnl``: ``totalCrossUnPnl``).
TOTAL_FIELDS: tuple[tuple[str, str], ...] = tuple((_camel(n), n) for n in Totals.__slots__)
#: An asset's figures shown.
ASSET_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (_camel(n), n)
    for n in (
        "wallet_balance",
        "unrealized_profit",
        "margin_balance",
        "initial_margin",
        "maint_margin",
        "available_balance",
        "max_withdraw_amount",
    )
)


def _mode(view: AccountMargin) -> dict[str, Any]:
    return {
        "totals": {name: money(getattr(view.totals, a)) for name, a in TOTAL_FIELDS},
        "assets": [
            {"asset": asset.asset} | {name: money(getattr(asset, a)) for name, a in ASSET_FIELDS}
            for asset in view.assets
            if asset.funded or asset.initial_margin or asset.unrealized_profit
        ],
        "uncovered": view.uncovered,
    }


def preview(state: AccountState, market: Market) -> dict[str, Any]:
    """The account in both asset modes at ``market`` (totals USDT-only in Single-Asset Mode,
    in USD in Multi-Assets Mode), and what switching from its mode would meet: the first rule
    that refuses it (Binance's code and text), or null."""
    current = state.multi_assets_margin
    target = not current
    rule = mode_refusal(state, target, market)
    refused = None if rule is None else {"code": rule.spec.code, "msg": rule.spec.template}
    return {
        "multiAssetsMargin": current,
        "modes": {
            MODE_NAMES[multi]: _mode(account_margin(state, market, multi))
            for multi in (False, True)
        },
        "switch": {
            "multiAssetsMargin": target,
            "refused": refused,
        },
    }

"""The round market the account-view tests run at (``conftest.py``'s ``round_market``)."""

from __future__ import annotations

#: Prices set for round figures: every mark price, and every asset index (stablecoins at 1
#: without buffers; BTC, ETH and BNB with a 5 % bid and a 10 % ask haircut).
MARKET = {
    "markPrices": {
        "BTCUSDT": "90000",
        "ETHUSDT": "3000",
        "BNBUSDT": "600",
        "SOLUSDT": "150",
        "BTCUSDC": "90000",
        "ETHUSDC": "3000",
    },
    "assetIndex": {
        **{
            asset: {"index": "1", "bidBuffer": "0", "askBuffer": "0"}
            for asset in ("USDT", "USDC", "FDUSD", "BFUSD", "BNFCR")
        },
        # bidRate 90000 × 0.95 = 85500, askRate 90000 × 1.1 = 99000;
        # auto-exchange: 90000 × 0.975 = 87750 and 90000 × 1.05 = 94500.
        "BTC": {
            "index": "90000",
            "bidBuffer": "0.05",
            "askBuffer": "0.1",
            "autoExchangeBidBuffer": "0.025",
            "autoExchangeAskBuffer": "0.05",
        },
        # askRate 3000 × 1.1 = 3300.
        "ETH": {"index": "3000", "bidBuffer": "0.05", "askBuffer": "0.1"},
        # askRate 600 × 1.1 = 660.
        "BNB": {"index": "600", "bidBuffer": "0.05", "askBuffer": "0.1"},
    },
}

"""What each of the README's recipes prints, block by block, worked out by hand.

A pattern is the exact text but for its fields: ``{any}`` is anything on one line, ``{int}`` a
whole number, ``{time}`` the request log's HH:MM:SS. A block that writes a file, or starts a
server, prints nothing here.
"""

from __future__ import annotations

import re

__all__ = ["EXPECTED", "NO_PASTE", "matches"]

_FIELDS = {"{any}": ".*?", "{int}": r"-?\d+", "{time}": r"\d\d:\d\d:\d\d"}

#: Recipes run in a shell where nothing was pasted: the CLI finds the server by itself.
NO_PASTE = frozenset({"talk"})

_MB = "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures."
_SAME_MODE = "Adjusted asset mode is currently set and does not need to be adjusted repeatedly."
_LATENCY_RULE = (
    '{"kind": "latency", "method": null, "path": null, "account": null, "apiKey": null, '
    '"probability": 0.3, "times": null, "latencyMs": 200, "latencyMaxMs": 900, '
    '"applied": false, "id": 2, "fired": 0}'
)
_STALE = "a slow or stale request, or a clock behind"

#: By recipe, in the order of the README, then docs/reference.md: the output of each block
#: that prints.
EXPECTED: dict[str, list[str]] = {
    "talk": ["Single-Asset Mode\n"],
    "seed": [
        # The seed's fields, and every other field at its default; balances sorted by asset.
        "Multi-Assets Mode\n"
        "{\n"
        '  "multiAssetsMargin": true,\n'
        '  "dualSidePosition": false,\n'
        '  "creditsMode": false,\n'
        '  "marginTypes": {},\n'
        '  "leverage": {},\n'
        '  "balances": {\n'
        '    "BTC": "0.01",\n'
        '    "USDT": "1000"\n'
        "  },\n"
        '  "positions": [],\n'
        '  "openOrders": []\n'
        "}\n"
    ],
    "python-binance": ["{'multiAssetsMargin': False}\n"],
    "connector": ["{'multiAssetsMargin': False}\n"],
    "ccxt": ["{'multiAssetsMargin': False}\n"],
    "sdk": ["False\n"],
    "rules": [
        # In MODE_RULES' order, each state meeting its own rule first.
        f"-4171 {_SAME_MODE}\n"
        "-4408 This symbol is in reduce only mode due to regulation requirements. Please "
        "upgrade to Binance Credits Trading Mode.\n"
        "-4170 Unable to adjust Multi-Assets Mode with open orders in USDⓈ-M Futures.\n"
        "-4167 Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under "
        "isolated-margin mode.\n"
        "-4172 Unable to adjust Multi-Assets Mode with a negative wallet balance of margin "
        "available asset in USDⓈ-M Futures account.\n"
        f"-4169 {_MB}\n",
        # Pooled at the defaults: 100 × 0.9999 × 0.9999 + 0.00935673 × 90000 × 0.95 =
        # 899.970416 USD, against 900 × 0.9999 × 1.0001 = 899.999991 required: short. With
        # BTC at 95000 its share is 844.444883: 944.42 covers it.
        f"Switching to Multi-Assets Mode: refused, -4169 {_MB}\n"
        f"Error: -4169 {_MB} (HTTP 400)\n"
        "[exit 1]\n"
        "Multi-Assets Mode (changed)\n",
    ],
    "faults": [
        # The 503 is logged; the client's read-back (a 200) is not refused.
        "Multi-Assets Mode (changed)\n"
        "{time} 127.0.0.1 POST /fapi/v1/multiAssetsMargin [demo] 503 -1000 (injected: #1 "
        "unknown_error (applied)) — Unknown error, please check your request or try again "
        "later.\n"
        f"{_LATENCY_RULE}\n"
        f'{{"rules": [{_LATENCY_RULE}]}}\n'
        "removed fault rule 2\n"
        "loaded 1 fault rule(s)\n"
        "cleared the fault rules\n"
    ],
    "clock": [
        '{"serverTime": {int}, "offsetMs": 30000, "frozen": false}\n',
        # python-binance signs with recvWindow 10000 and gives up; ours with 5000, then
        # measures the clock and retries.
        "-1021 Timestamp for this request is outside of the recvWindow.\nFalse\n",
        "{time} 127.0.0.1 GET /fapi/v1/multiAssetsMargin [demo] 400 -1021 — timestamp {int} "
        f"is {{int}} ms behind server time {{int}}, more than recvWindow 10000 ms: {_STALE}\n"
        "{time} 127.0.0.1 GET /fapi/v1/multiAssetsMargin [demo] 400 -1021 — timestamp {int} "
        f"is {{int}} ms behind server time {{int}}, more than recvWindow 5000 ms: {_STALE}\n"
        # Freezing keeps the offset; unfreezing turns the frozen time into an offset.
        '{"serverTime": 1800000000000, "offsetMs": 30000, "frozen": true}\n'
        '{"serverTime": 1800000000{int}, "offsetMs": {int}, "frozen": false}\n'
        '{"serverTime": {int}, "offsetMs": 0, "frozen": false}\n',
    ],
    "pytest": ["..{any}[100%]\n2 passed in {any}s\n"],
    # docs/reference.md's
    "async-ed25519": ["", "True\nTrue\n"],  # the key goes to its files; then one change
    # A new account is in Single-Asset Mode; ensure_mode changes it once, then finds it so.
    "client": [f"False\nTrue\nFalse\n-4171 {_SAME_MODE}\nFalse\n"],
    "cli": [
        "Single-Asset Mode\n"
        "Multi-Assets Mode (changed)\n"
        "Multi-Assets Mode (already set)\n"
        '{"multiAssetsMargin": false, "changed": true}\n'
        "One-way Mode\n"
    ],
}


def matches(pattern: str, text: str) -> bool:
    """Whether ``text`` is ``pattern``, its fields filled in."""
    parts = re.split(r"(\{any\}|\{int\}|\{time\})", pattern)
    regex = "".join(_FIELDS.get(part, re.escape(part)) for part in parts)
    return re.fullmatch(regex, text) is not None

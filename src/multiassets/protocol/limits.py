"""Binance's published limits and defaults, for the client and the server both.

The server's settings start from them (``multiassets serve --weight-limit`` …), the client
waits under them, and the OpenAPI document and the CLI's help show them.
"""

from __future__ import annotations

__all__ = [
    "BAN_LONGEST_S",
    "BAN_SHORTEST_S",
    "FUTURE_TOLERANCE_MS",
    "WS_HANDSHAKE_WEIGHT",
    "ORDERS_10S",
    "ORDERS_1M",
    "RECV_WINDOW_MS",
    "REQUEST_WEIGHT_1M",
    "WEIGHT_WINDOW_MS",
    "WS_PING_INTERVAL_S",
    "WS_PONG_TIMEOUT_S",
]

#: REQUEST_WEIGHT per IP per minute, Binance's default tier (exchangeInfo ``rateLimits``).
REQUEST_WEIGHT_1M = 2400
#: The window the weight is counted in (``X-MBX-USED-WEIGHT-1M``): one minute.
WEIGHT_WINDOW_MS = 60_000
#: ORDERS per account per minute and per 10 seconds (exchangeInfo ``rateLimits``).
ORDERS_1M = 1200
ORDERS_10S = 300
#: IP bans after a 429 "scale in duration for repeat offenders, from 2 minutes to 3 days"
#: (General Info, "IP Limits").
BAN_SHORTEST_S = 2 * 60
BAN_LONGEST_S = 3 * 24 * 3600
#: A signed request's validity when it sends no ``recvWindow``, in ms.
RECV_WINDOW_MS = 5000
#: How far ahead of the server's clock a ``timestamp`` may be: -1021 "…1000ms ahead…".
FUTURE_TOLERANCE_MS = 1000
#: The server pings every WebSocket connection every 3 minutes and closes one whose pong (the
#: ping's payload, copied) has not come in 10 (WebSocket API General Info, market streams).
WS_PING_INTERVAL_S = 180
WS_PONG_TIMEOUT_S = 600
#: What opening a WebSocket API connection weighs (WebSocket API General Info, rate limits).
WS_HANDSHAKE_WEIGHT = 5

"""multiassets' own defaults (Binance's limits are in :mod:`multiassets.protocol.limits`).

Read by the client, the server, its configuration and the CLI's help; importing this module
imports nothing else.
"""

from __future__ import annotations

__all__ = ["CONTROL_PREFIX", "HEALTH_PATH", "HEAD_TIMEOUT_S", "REQUEST_TIMEOUT_S", "RETRIES"]

#: How long our clients (Client, AsyncClient, ControlClient) wait for an answer, seconds.
REQUEST_TIMEOUT_S = 10.0
#: How many times the client sends a GET again after a network error or a 5xx.
RETRIES = 2
#: How long the server gives a client to send a request's head, then its body, seconds.
HEAD_TIMEOUT_S = 10.0
#: Where the control plane is, on the server's own port, and its health page: a probe of it is
#: neither charged to an IP nor in the request log (what "is the server up?" asks).
CONTROL_PREFIX = "/_multiassets/"
HEALTH_PATH = CONTROL_PREFIX + "health"

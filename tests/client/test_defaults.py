"""The clients' defaults are Binance's published limits and our timeouts, from one place."""

from __future__ import annotations

from multiassets import AsyncClient, Client
from multiassets.control_client import ControlClient
from multiassets.protocol.endpoints import GET_MODE


def test_the_clients_start_from_binance_s_limits() -> None:
    for client in (Client("k", "s"), AsyncClient("k", "s")):
        core = client._core
        assert (core.recv_window, core.weight_limit, core.retries) == (5000, 2400, 2)
        assert client.timeout == 10.0
    assert ControlClient("http://127.0.0.1:1", "token").timeout == 10.0


def test_binance_s_default_recv_window_is_not_sent() -> None:
    default = Client("k", "s")._core.prepare(GET_MODE)
    assert default.target.startswith("/fapi/v1/multiAssetsMargin?timestamp=")
    longer = Client("k", "s", recv_window=6000)._core.prepare(GET_MODE)
    assert longer.target.startswith("/fapi/v1/multiAssetsMargin?recvWindow=6000&timestamp=")

"""binance-futures-connector (Binance's own, now deprecated, Python connector), unmodified."""

from __future__ import annotations

import binance.api
import pytest
from binance.error import ClientError
from binance.um_futures import UMFutures

from ..support import Server, now_ms


def test_connector_reads_the_mode(server: Server) -> None:
    client = UMFutures(key=server.demo.api_key, secret=server.demo.secret, base_url=server.base_url)
    assert client.get_multi_asset_mode() == {"multiAssetsMargin": False}
    assert client.get_multi_asset_mode(recvWindow=10_000) == {"multiAssetsMargin": False}
    assert client.time()["serverTime"] > 0
    assert client.ping() == {}


@pytest.mark.parametrize(
    ("key", "secret", "status", "code", "message"),
    [
        pytest.param(
            None,
            "x" * 64,
            400,
            -1022,
            "Signature for this request is not valid.",
            id="wrong-secret",
        ),
        pytest.param(
            "K" * 64,
            None,
            401,
            -2015,
            "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1",
            id="unknown-key",
        ),
        pytest.param("short", None, 401, -2014, "API-key format invalid.", id="malformed-key"),
    ],
)
def test_connector_gets_binance_errors(
    server: Server, key: str | None, secret: str | None, status: int, code: int, message: str
) -> None:
    client = UMFutures(
        key=key or server.demo.api_key,
        secret=secret or server.demo.secret,
        base_url=server.base_url,
    )
    with pytest.raises(ClientError) as caught:
        client.get_multi_asset_mode()
    assert (caught.value.status_code, caught.value.error_code, caught.value.error_message) == (
        status,
        code,
        message,
    )


@pytest.mark.parametrize(
    ("skew_ms", "message"),
    [
        pytest.param(
            -6_000, "Timestamp for this request is outside of the recvWindow.", id="clock-behind"
        ),
        pytest.param(
            2_000,
            "Timestamp for this request was 1000ms ahead of the server's time.",
            id="clock-ahead",
        ),
    ],
)
def test_connector_on_a_skewed_clock_gets_1021(
    server: Server, monkeypatch: pytest.MonkeyPatch, skew_ms: int, message: str
) -> None:
    # The connector stamps requests with its machine's clock; skew that clock.
    monkeypatch.setattr(binance.api, "get_timestamp", lambda: now_ms() + skew_ms)
    client = UMFutures(key=server.demo.api_key, secret=server.demo.secret, base_url=server.base_url)
    with pytest.raises(ClientError) as caught:
        client.get_multi_asset_mode()
    assert (caught.value.status_code, caught.value.error_code, caught.value.error_message) == (
        400,
        -1021,
        message,
    )

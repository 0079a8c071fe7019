"""The HTTP edge: unknown paths and methods, bodies, and what no request may ever get."""

from __future__ import annotations

import pytest

from ..support import Server, now_ms, sign

NOT_FOUND = b"<html><body><h2>404 Not found</h2></body></html>"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/fapi/v1/nothing", id="unknown-path"),
        pytest.param("GET", "/", id="root"),
        pytest.param("GET", "/fapi/v1/multiAssetsMargin/", id="trailing-slash"),
        pytest.param("PUT", "/fapi/v1/multiAssetsMargin", id="put-on-known-path"),
        pytest.param("DELETE", "/fapi/v1/accountConfig", id="delete-on-known-path"),
        pytest.param("POST", "/fapi/v1/time", id="post-on-get-only-path"),
    ],
)
def test_unserved_path_or_method_gets_binance_html_404(
    server: Server, method: str, path: str
) -> None:
    reply = server.request(method, path, headers={"X-MBX-APIKEY": server.demo.api_key})
    assert (reply.status, reply.body) == (404, NOT_FOUND)
    assert reply.headers["content-type"] == "text/html"
    assert "x-mbx-used-weight-1m" in reply.headers


def test_body_of_a_get_is_not_a_parameter_source(server: Server) -> None:
    payload = f"timestamp={now_ms()}"
    reply = server.request(
        "GET",
        "/fapi/v1/multiAssetsMargin",
        body=f"{payload}&signature={sign(server.demo.secret, payload)}",
        headers={
            "X-MBX-APIKEY": server.demo.api_key,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert reply.json() == {
        "code": -1102,
        "msg": "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    }


def test_every_response_states_its_content_length(server: Server) -> None:
    for method, path in (
        ("GET", "/fapi/v1/time"),
        ("GET", "/nothing"),
        ("GET", "/fapi/v1/multiAssetsMargin"),
    ):
        reply = server.request(method, path)
        assert int(reply.headers["content-length"]) == len(reply.body)
        assert "transfer-encoding" not in reply.headers

"""RSA and Ed25519 keys: registered by their public key, verified as Binance does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from click.testing import CliRunner

from multiassets.cli.main import cli
from multiassets.protocol.signing import generate_private_key, load_private_key

from ...support import Server, now_ms, running_server

MODE = "/fapi/v1/multiAssetsMargin"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("keys"), "--weight-limit", "1000000") as server:
        yield server


@pytest.fixture(scope="module", params=["RSA", "ED25519"])
def key_pair(request: pytest.FixtureRequest, srv: Server) -> tuple[str, str, str]:
    """(kind, api key, private key PEM) registered on the server."""
    private_pem = generate_private_key(request.param)
    created = srv.control.create_key("demo", public_key=load_private_key(private_pem)[2])
    assert created["type"] == request.param and "secretKey" not in created
    return request.param, created["apiKey"], private_pem


def signed_request(
    srv: Server,
    api_key: str,
    private_pem: str,
    params: dict[str, str],
    method: str = "GET",
    encode: bool = True,
) -> tuple[int, object]:
    payload = urlencode({**params, "timestamp": now_ms()})
    signature = load_private_key(private_pem)[1](payload.encode())
    quoted = quote(signature, safe="") if encode else signature
    reply = srv.request(
        method, MODE, f"{payload}&signature={quoted}", headers={"X-MBX-APIKEY": api_key}
    )
    return reply.status, reply.json()


def test_signed_get_verifies(srv: Server, key_pair: tuple[str, str, str]) -> None:
    _, api_key, private_pem = key_pair
    assert signed_request(srv, api_key, private_pem, {}) == (200, {"multiAssetsMargin": False})


def test_signature_of_another_payload_is_refused(
    srv: Server, key_pair: tuple[str, str, str]
) -> None:
    _, api_key, private_pem = key_pair
    signature = load_private_key(private_pem)[1](b"timestamp=1")
    reply = srv.request(
        "GET",
        MODE,
        f"timestamp={now_ms()}&signature={quote(signature, safe='')}",
        headers={"X-MBX-APIKEY": api_key},
    )
    assert (reply.status, reply.json()) == (
        400,
        {"code": -1022, "msg": "Signature for this request is not valid."},
    )


@pytest.mark.parametrize("garbage", ["zz", "not-base64!", "", "AAAA"])
def test_malformed_signature_is_refused_cleanly(
    srv: Server, key_pair: tuple[str, str, str], garbage: str
) -> None:
    _, api_key, _ = key_pair
    reply = srv.request(
        "GET", MODE, f"timestamp={now_ms()}&signature={garbage}", headers={"X-MBX-APIKEY": api_key}
    )
    assert reply.status == 400
    assert reply.json()["code"] in (-1022, -1102)


def test_unencoded_base64_plus_is_not_repaired(srv: Server) -> None:
    # Binance wants the base64 percent-encoded; a raw '+' decodes to a space and fails.
    for _ in range(20):
        private_pem = generate_private_key("ED25519")
        created = srv.control.create_key("demo", public_key=load_private_key(private_pem)[2])
        payload = f"timestamp={now_ms()}"
        signature = load_private_key(private_pem)[1](payload.encode())
        if "+" in signature:
            reply = srv.request(
                "GET",
                MODE,
                f"{payload}&signature={signature}",
                headers={"X-MBX-APIKEY": created["apiKey"]},
            )
            assert reply.json()["code"] == -1022
            return
    pytest.skip("no signature with a '+' in 20 tries")


def test_public_key_registration_refuses_bad_keys(srv: Server) -> None:
    from multiassets.admin import AdminError

    rsa_1024 = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7VJTUt9Us8cKjMzEfYyjiWA4R
4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvuNMoSfm76oqFv
AcpVk6lpfUw/9hnGRUHQPPFE6VvSZfoYx0NrvqWsjwSZ4lB0B/6Zrk3KM0cLmLRe
KVWFnVW9dNgRkgzoHQIDAQAB
-----END PUBLIC KEY-----
"""
    for bad, message in ((rsa_1024, "at least 2048 bits"), ("hello", "expected a PEM public key")):
        with pytest.raises(AdminError) as caught:
            srv.control.create_key("demo", public_key=bad)
        assert message in str(caught.value)


def test_python_binance_signs_with_rsa_and_ed25519(
    srv: Server, key_pair: tuple[str, str, str]
) -> None:
    from binance import AsyncClient, Client

    _, api_key, private_pem = key_pair
    urls = {"API_URL": f"{srv.base_url}/api", "FUTURES_URL": f"{srv.base_url}/fapi"}
    client = type("Local", (Client,), urls)(api_key, private_key=private_pem, ping=False)
    try:
        assert client.futures_get_multi_assets_mode() == {"multiAssetsMargin": False}
        assert client.futures_change_multi_assets_mode(True) == {"code": 200, "msg": "success"}
        assert client.futures_change_multi_assets_mode(False) == {"code": 200, "msg": "success"}
    finally:
        client.close_connection()
        client.loop.close()

    async def scenario() -> object:
        async_client = type("LocalAsync", (AsyncClient,), urls)(api_key, private_key=private_pem)
        try:
            return await async_client.futures_get_multi_assets_mode()
        finally:
            await async_client.close_connection()

    assert asyncio.run(scenario()) == {"multiAssetsMargin": False}


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_cli_generate_registers_the_public_half_and_prints_the_private_key_once(
    srv: Server, kind: str
) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "keys",
            "create",
            "--account",
            "gen",
            "--type",
            kind,
            "--generate",
            "--json",
            "--server",
            srv.base_url,
            "--token",
            srv.admin_token,
        ],
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["type"] == kind.upper()
    listed = srv.control.list_keys("gen")
    assert [key["apiKey"] for key in listed] == [created["apiKey"]]
    assert "PRIVATE" not in json.dumps(srv.control.export())
    status, body = signed_request(srv, created["apiKey"], created["privateKey"], {})
    assert (status, body) == (200, {"multiAssetsMargin": False})
    srv.control.delete_account("gen")

"""multiassets.Client against the running server: every method, every key type, every error
family, clock re-sync, weight awareness, and reconciling an unknown outcome."""

from __future__ import annotations

import time
from typing import Any

import pytest

import multiassets
from multiassets import (
    AccountRuleError,
    AuthError,
    Client,
    IPBanned,
    RateLimitError,
    SignatureError,
    Timeout,
)
from multiassets._core import Answer, Prepared

from ..support import Server, running_server


def client_for(server: Server, **options: Any) -> Client:
    options.setdefault("api_key", server.demo.api_key)
    if "private_key" not in options:
        options.setdefault("api_secret", server.demo.secret)
    return Client(base_url=server.base_url, **options)


def test_every_method_with_every_key_type(server: Server, credentials: dict[str, Any]) -> None:
    with Client(base_url=server.base_url, **credentials) as client:
        client.ping()
        assert abs(client.server_time() - multiassets._core.local_ms()) < 5000
        assert client.get_mode() is False
        client.set_mode(True)
        assert client.get_mode() is True
        assert client.account_config()["multiAssetsMargin"] is True
        assert client.ensure_mode(True) is False  # already there: -4171 is success
        assert client.ensure_mode(False) is True
        assert client.get_mode() is False
        assert client.used_weight > 0


@pytest.mark.parametrize("value", ["false", "true", 1, 0, None])
def test_set_mode_refuses_anything_but_a_bool(server: Server, value: object) -> None:
    with client_for(server) as client:
        with pytest.raises(TypeError):
            client.set_mode(value)  # type: ignore[arg-type]
        assert client.get_mode() is False


def test_set_mode_to_the_current_mode_raises_4171(server: Server) -> None:
    with client_for(server) as client, pytest.raises(AccountRuleError) as caught:
        client.set_mode(False)
    assert (caught.value.code, caught.value.status) == (-4171, 400)
    assert caught.value.msg == (
        "Adjusted asset mode is currently set and does not need to be adjusted repeatedly."
    )


def test_account_rule_error_carries_code_and_message(server: Server) -> None:
    server.control.set_state(
        "demo",
        {
            "openOrders": [
                {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "1", "origQty": "1"}
            ]
        },
    )
    with client_for(server) as client, pytest.raises(AccountRuleError) as caught:
        client.ensure_mode(True)
    assert caught.value.code == -4170


def test_unknown_key_raises_auth_error(server: Server) -> None:
    with client_for(server, api_key="K" * 64) as client, pytest.raises(AuthError) as caught:
        client.get_mode()
    assert (caught.value.code, caught.value.status) == (-2015, 401)
    assert caught.value.spec is not None and caught.value.spec.name == "REJECTED_MBX_KEY"


def test_wrong_secret_raises_signature_error(server: Server) -> None:
    with client_for(server, api_secret="x" * 64) as client, pytest.raises(SignatureError):
        client.get_mode()


def test_clock_ahead_is_resynced_once_and_retried(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = multiassets._core.local_ms
    monkeypatch.setattr(multiassets._core, "local_ms", lambda: real() + 10_000)
    with client_for(server) as client:
        assert client.get_mode() is False  # -1021, then a re-sync, then success
        assert -11_000 < client.time_offset_ms < -9_000


def test_time_sync_measures_before_the_first_signed_call(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = multiassets._core.local_ms
    monkeypatch.setattr(multiassets._core, "local_ms", lambda: real() - 30_000)
    with client_for(server, time_sync=True) as client:
        client.set_mode(True)  # a POST: it must not need a retry to pass
        assert 29_000 < client.time_offset_ms < 31_000


class Injecting(Client):
    """A client whose next POST to change the mode gets no answer: applied or not."""

    def __init__(self, *args: Any, apply: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.apply = apply
        self.injected = False

    def _send(self, prepared: Prepared) -> Answer:
        if prepared.method == "POST" and not self.injected:
            self.injected = True
            if self.apply:
                super()._send(prepared)
            raise Timeout("injected: no answer")
        return super()._send(prepared)


def test_set_mode_reconciles_an_unanswered_change_that_was_applied(server: Server) -> None:
    with Injecting(
        server.demo.api_key, server.demo.secret, base_url=server.base_url, apply=True
    ) as client:
        client.set_mode(True)  # no exception: reading back shows it happened
        assert client.injected and client.get_mode() is True


def test_set_mode_reconciles_an_unanswered_change_that_was_not_applied(server: Server) -> None:
    with Injecting(
        server.demo.api_key, server.demo.secret, base_url=server.base_url, apply=False
    ) as client:
        with pytest.raises(Timeout) as caught:
            client.set_mode(True)
        assert caught.value.applied is False
        assert client.get_mode() is False


def test_transport_error_when_nothing_listens() -> None:
    from multiassets import TransportError

    from ..support import free_port

    with (
        Client("k" * 64, "s" * 64, base_url=f"http://127.0.0.1:{free_port()}", retries=1) as client,
        pytest.raises(TransportError),
    ):
        client.get_mode()


#: Mid-minute, on a server clock frozen there: a weight sequence never meets a new window.
MID_MINUTE = 1_800_000_030_000


def test_client_waits_for_the_next_window_instead_of_crossing_the_limit(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    with running_server(tmp_path, "--weight-limit", "100") as srv:
        srv.control.set_clock(freeze=True, at=MID_MINUTE)  # a new minute: nothing used yet
        client = Client(srv.demo.api_key, srv.demo.secret, base_url=srv.base_url, weight_limit=100)
        client.sync_time()  # 1: the frozen clock is not the wall clock
        monkeypatch.setattr(time, "sleep", slept.append)
        for _ in range(3):
            client.get_mode()  # + 90
        assert slept == []
        with pytest.raises(RateLimitError):  # the sleep was skipped, so the server says 429
            client.get_mode()
        monkeypatch.undo()
        client.close()
        # Until the server's minute ends: 30 s from mid-minute (and the clock's sync slack).
        assert len(slept) == 1 and 29 < slept[0] <= 31


def test_429_and_418_raise_with_retry_after(tmp_path: Any) -> None:
    with running_server(tmp_path, "--weight-limit", "40") as srv:
        srv.control.set_clock(freeze=True, at=MID_MINUTE)  # 429, then 418, in one minute
        client = Client(
            srv.demo.api_key, srv.demo.secret, base_url=srv.base_url, weight_limit=10_000
        )
        client.sync_time()  # 1: the frozen clock is not the wall clock
        client.get_mode()  # + 30
        with pytest.raises(RateLimitError) as too_many:
            client.get_mode()
        assert not isinstance(too_many.value, IPBanned)
        assert too_many.value.status == 429 and 0 < (too_many.value.retry_after or 0) <= 60
        with pytest.raises(IPBanned) as banned:
            client.ping()
        assert banned.value.status == 418 and banned.value.retry_after == 120
        assert banned.value.until_ms == MID_MINUTE + 120_000
        client.close()


def test_configuration_comes_from_the_environment(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MULTIASSETS_API_KEY", server.demo.api_key)
    monkeypatch.setenv("MULTIASSETS_API_SECRET", server.demo.secret)
    monkeypatch.setenv("MULTIASSETS_BASE_URL", server.base_url)
    with Client() as client:
        assert client.get_mode() is False


def test_default_and_demo_urls() -> None:
    assert Client("k", "s").base_url == "https://fapi.binance.com"
    assert Client("k", "s", demo=True).base_url == "https://demo-fapi.binance.com"


def test_bad_configuration_is_refused_early() -> None:
    from multiassets import ConfigurationError

    with pytest.raises(ConfigurationError):
        Client(
            "k", "s", private_key="-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n"
        )
    with pytest.raises(ConfigurationError):
        Client("k", "s", base_url="ftp://x")
    with Client("k", base_url="http://127.0.0.1:1") as client, pytest.raises(ConfigurationError):
        client.get_mode()  # no secret: can't sign


class Answering503(Client):
    """A client whose next change gets Binance's 503 "Unknown error" after it was applied."""

    injected = False

    def _send(self, prepared: Prepared) -> Answer:
        answer = super()._send(prepared)
        if prepared.method == "POST" and not self.injected:
            self.injected = True
            body = b'{"code":-1000,"msg":"Unknown error, please check your request or try again later."}'
            return Answer(503, answer.headers, body, answer.sent_ms, answer.received_ms)
        return answer


def test_unknown_status_503_is_reconciled_by_reading_the_mode(server: Server) -> None:
    with Answering503(server.demo.api_key, server.demo.secret, base_url=server.base_url) as client:
        client.set_mode(True)
        assert client.injected and client.get_mode() is True


def test_unknown_status_503_is_typed_for_other_calls(server: Server) -> None:
    from multiassets import UnknownStatus
    from multiassets._exceptions import exception_for

    error = exception_for(
        -1000, "Unknown error, please check your request or try again later.", 503
    )
    assert isinstance(error, UnknownStatus) and error.applied is None


def test_passphrase_protected_private_key(server: Server, tmp_path: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    created = server.control.create_key("demo", public_key=public)
    path = tmp_path / "key.pem"
    path.write_text(pem)
    with Client(
        created["apiKey"], private_key=path, private_key_passphrase="pw", base_url=server.base_url
    ) as client:
        assert client.get_mode() is False
    from multiassets import ConfigurationError

    with pytest.raises(ConfigurationError):
        Client(created["apiKey"], private_key=path, private_key_passphrase="wrong")

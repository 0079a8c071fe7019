"""Every popular Python client, unmodified, against the server: the compatibility matrix.

Clients (``matrix.py`` has one adapter each): python-binance's ``Client`` and ``AsyncClient``,
binance-futures-connector's ``UMFutures``, ccxt's ``binanceusdm`` (sync and async), and Binance's
binance-sdk-derivatives-trading-usds-futures; each with an HMAC, an RSA and an Ed25519 key.
Scenarios: read the mode, change it (and read it back), an account rule's refusal (-4167), a
bad signature (-1022), a stale timestamp (-1021), and the user data stream. Each refusal is
asserted as the client reports it: its exception class, the HTTP status where it keeps one,
Binance's code and message.

Test ids read ``<client>-<key>-<scenario>``, e.g. ``ccxt-async-hmac-stale-timestamp``.

The stream scenario (``streams.py`` has one stream adapter per client) points each client's own
stream client at ``ws://127.0.0.1:<port>`` by its stream base URL, and sees each mode change
arrive as ACCOUNT_CONFIG_UPDATE. Each client connects its own way: python-binance 1.0.37
(``futures_user_socket``) and ccxt.pro to ``<base>/private/ws?listenKey=…``; the connector's
``UMFuturesWebsocketClient.user_data`` to ``<base>/ws``, then ``SUBSCRIBE``; the SDK's
``websocket_streams`` to ``<base>/market/stream``, ``/public/stream`` and ``/private/stream``,
then ``SUBSCRIBE`` on the last (the server accepts the first two and sends nothing on them).
ccxt has no cell (``NO_STREAM``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version

import pytest

from multiassets.protocol.signing import generate_private_key, load_private_key

from ..support import BACKEND, Server
from .matrix import FAMILIES, Adapter, Key, Refusal
from .streams import NO_STREAM, STREAMS, WAIT, UserStream

KINDS = ("HMAC", "RSA", "ED25519")

#: (HTTP status, code, message) of each refusal, as the server answers it.
RULE_REFUSAL = (
    400,
    -4167,
    "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under isolated-margin mode.",
)
BAD_SIGNATURE = (400, -1022, "Signature for this request is not valid.")
STALE_TIMESTAMP = (400, -1021, "Timestamp for this request is outside of the recvWindow.")

#: The exception class each client raises, by Binance code.
EXCEPTIONS: dict[str, dict[int, str]] = {
    "python-binance-sync": dict.fromkeys((-4167, -1022, -1021), "BinanceAPIException"),
    "python-binance-async": dict.fromkeys((-4167, -1022, -1021), "BinanceAPIException"),
    "futures-connector": dict.fromkeys((-4167, -1022, -1021), "ClientError"),
    # On https://fapi.binance.com ccxt raises BadRequest for -4167: see _ccxt_refusal.
    "ccxt-sync": {-4167: "ExchangeError", -1022: "AuthenticationError", -1021: "InvalidNonce"},
    "ccxt-async": {-4167: "ExchangeError", -1022: "AuthenticationError", -1021: "InvalidNonce"},
    "binance-sdk": dict.fromkeys((-4167, -1022, -1021), "BadRequestError"),
}

#: Clients that report no HTTP status with a refusal.
NO_STATUS = {"ccxt-sync", "ccxt-async"}

#: (client, key type) -> why that client can't use that key, unmodified.
UNSUPPORTED = {
    ("futures-connector", "ED25519"): (
        "binance-futures-connector 4.2.0 signs with a private key through RSA only "
        "(binance/lib/authentication.py, rsa_signature): an Ed25519 PEM raises "
        "ValueError('RSA key format is not supported') before any request"
    ),
}

#: The versions this matrix was made with (docs/compatibility.md).
VERSIONS = {
    "python-binance": "1.0.37",
    "binance-futures-connector": "4.2.0",
    "ccxt": "4.5.90",
    "binance-sdk-derivatives-trading-usds-futures": "18.1.0",
}

#: What a client may request, beyond the mode endpoint: python-binance's constructors ping,
#: and AsyncClient.create() reads the time.
SERVED_BESIDES = {"/api/v3/ping", "/api/v3/time"}
MODE = "/fapi/v1/multiAssetsMargin"
LISTEN_KEY = "/fapi/v1/listenKey"

STREAM = "user-data-stream"


def expected(family: str, answer: tuple[int, int, str]) -> Refusal:
    status, code, message = answer
    return Refusal(EXCEPTIONS[family][code], None if family in NO_STATUS else status, code, message)


@pytest.fixture(scope="module")
def keys(server: Server) -> dict[str, tuple[Key, Key]]:
    """Key type -> (a key of the demo account, the same API key with another secret)."""
    chosen = {
        "HMAC": (
            Key("HMAC", server.demo.api_key, server.demo.secret),
            Key("HMAC", server.demo.api_key, "x" * 64),
        )
    }
    for kind in ("RSA", "ED25519"):
        private_pem = generate_private_key(kind)
        created = server.control.create_key("demo", public_key=load_private_key(private_pem)[2])
        assert created["type"] == kind
        stranger = generate_private_key(kind)
        chosen[kind] = (
            Key(kind, created["apiKey"], private_pem),
            Key(kind, created["apiKey"], stranger),
        )
    return chosen


@contextmanager
def made(family: str, server: Server, key: Key) -> Iterator[Adapter]:
    client = FAMILIES[family][1](server.base_url, key)
    try:
        yield client
    finally:
        client.close()


def refused(client: Adapter, operation: Callable[[], object]) -> Refusal:
    with pytest.raises(client.errors) as caught:
        operation()
    return client.refusal(caught.value)


def mode_on_server(server: Server) -> bool:
    return bool(server.control.state("demo")["multiAssetsMargin"])


# The scenarios: each gets the client family, its key and a key with the wrong secret.


def get_mode(server: Server, family: str, key: Key, stranger: Key) -> None:
    with made(family, server, key) as client:
        assert client.get_mode() is False
        server.control.set_state("demo", {"multiAssetsMargin": True}, partial=True)
        assert client.get_mode() is True


def change_mode(server: Server, family: str, key: Key, stranger: Key) -> None:
    with made(family, server, key) as client:
        client.set_mode(True)
        assert mode_on_server(server) is True
        assert client.get_mode() is True
        client.set_mode(False)
        assert mode_on_server(server) is False
        assert client.get_mode() is False


def account_rule_refusal(server: Server, family: str, key: Key, stranger: Key) -> None:
    server.control.set_state("demo", {"marginTypes": {"ETHUSDT": "ISOLATED"}}, partial=True)
    with made(family, server, key) as client:
        assert refused(client, lambda: client.set_mode(True)) == expected(family, RULE_REFUSAL)
        assert client.get_mode() is False


def bad_signature(server: Server, family: str, key: Key, stranger: Key) -> None:
    with made(family, server, stranger) as client:
        for operation in (client.get_mode, lambda: client.set_mode(True)):
            assert refused(client, operation) == expected(family, BAD_SIGNATURE)
    assert mode_on_server(server) is False


def stale_timestamp(server: Server, family: str, key: Key, stranger: Key) -> None:
    # No client here corrects its clock after it is made: ccxt's adjustForTimeDifference is off
    # (its default), the connector and the SDK stamp requests with the local clock, and
    # python-binance's AsyncClient measures the difference once, in create() — so the client
    # is made first, then the server's clock moves 60 s ahead, beyond every recvWindow sent
    # (python-binance and ccxt send 10000, the others none: 5000).
    with made(family, server, key) as client:
        server.control.set_clock(offsetMs=60_000)
        for operation in (client.get_mode, lambda: client.set_mode(True)):
            assert refused(client, operation) == expected(family, STALE_TIMESTAMP)
        server.control.reset_clock()
        assert client.get_mode() is False


def user_data_stream(server: Server, family: str, key: Key, stranger: Key) -> None:
    # The client opens the listenKey (POST /fapi/v1/listenKey) and connects; each mode change
    # through its REST then arrives as ACCOUNT_CONFIG_UPDATE, ai.j the new mode.
    threads = set(threading.enumerate())
    with made(family, server, key) as client, opened(family, client, server, key) as stream:
        for mode in (True, False):
            client.set_mode(mode)
            assert stream.next_mode(WAIT) is mode
    assert set(threading.enumerate()) == threads  # every thread the clients started has ended


@contextmanager
def opened(family: str, client: Adapter, server: Server, key: Key) -> Iterator[UserStream]:
    stream = STREAMS[family](client, server.base_url, f"ws://127.0.0.1:{server.port}", key)
    try:
        yield stream
    finally:
        stream.close()


SCENARIOS: dict[str, Callable[[Server, str, Key, Key], None]] = {
    "get-mode": get_mode,
    "change-mode": change_mode,
    "account-rule-refusal": account_rule_refusal,
    "bad-signature": bad_signature,
    "stale-timestamp": stale_timestamp,
    STREAM: user_data_stream,
}


@pytest.mark.parametrize(
    ("family", "kind", "scenario"),
    [
        pytest.param(family, kind, scenario, id=f"{family}-{kind.lower()}-{scenario}")
        for family in FAMILIES
        for kind in KINDS
        for scenario in SCENARIOS
    ],
)
def test_client(
    server: Server, keys: dict[str, tuple[Key, Key]], family: str, kind: str, scenario: str
) -> None:
    if (family, kind) in UNSUPPORTED:
        pytest.skip(UNSUPPORTED[family, kind])
    if kind != "HMAC" and BACKEND != "sqlite":
        # How a client signs is the same whichever database the server uses: the other key
        # types run in the SQLite pass.
        pytest.skip("RSA and Ed25519 signing: the SQLite pass")
    if scenario == STREAM and family in NO_STREAM:
        pytest.skip(NO_STREAM[family])
    server.control.set_state("demo", {})  # a new account's state: Single-Asset Mode
    last = server.control.log(limit=1)["last"]
    try:
        SCENARIOS[scenario](server, family, *keys[kind])
    finally:
        server.control.reset_clock()
    # The client asked for nothing we don't serve (an unknown path would be a 404).
    requested = {entry["path"] for entry in server.control.log(since=last, limit=2000)["entries"]}
    # The stream scenario's client opened the listenKey through its own REST.
    needed = {MODE, LISTEN_KEY} if scenario == STREAM else {MODE}
    assert needed <= requested <= needed | SERVED_BESIDES, requested


def test_the_matrix_is_of_these_versions() -> None:
    installed = {name: version(name) for name in VERSIONS}
    assert installed == VERSIONS, "update docs/compatibility.md's matrix with the versions"

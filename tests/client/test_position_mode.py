"""The position mode (Hedge or One-way) and the v3 account document, through Client and
AsyncClient against the running server: the same safe retries as the asset mode — a read is
retried, a change is sent ONCE, and a change whose outcome is unknown is settled by reading the
position mode back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import pytest

from multiassets import (
    AccountRuleError,
    AsyncClient,
    Client,
    ServerError,
    TransportError,
    UnknownStatus,
)
from multiassets.protocol.endpoints import ACCOUNT_V3, CHANGE_POSITION_MODE, GET_POSITION_MODE

from ..support import ONCE, Server

#: What a client makes of the server's answers does not depend on its database.
pytestmark = ONCE

PATH = CHANGE_POSITION_MODE.path
assert GET_POSITION_MODE.path == PATH
ONE_ORDER = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "1", "origQty": "1"}
ONE_POSITION = {"symbol": "BTCUSDT", "positionAmt": "0.01", "entryPrice": "60000"}


class PositionModes(Protocol):
    """What the tests call: Client's methods, or AsyncClient's driven to completion."""

    def get_position_mode(self) -> bool: ...
    def set_position_mode(self, dual: bool) -> None: ...
    def ensure_position_mode(self, dual: bool) -> bool: ...
    def account_config(self) -> dict[str, Any]: ...
    def account(self) -> dict[str, Any]: ...


class Blocking:
    """An AsyncClient, each call run to completion on one event loop of its own."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.loop = asyncio.new_event_loop()

    def get_position_mode(self) -> bool:
        return self.loop.run_until_complete(self.client.get_position_mode())

    def set_position_mode(self, dual: bool) -> None:
        self.loop.run_until_complete(self.client.set_position_mode(dual))

    def ensure_position_mode(self, dual: bool) -> bool:
        return self.loop.run_until_complete(self.client.ensure_position_mode(dual))

    def account_config(self) -> dict[str, Any]:
        return self.loop.run_until_complete(self.client.account_config())

    def account(self) -> dict[str, Any]:
        return self.loop.run_until_complete(self.client.account())

    def close(self) -> None:
        self.loop.run_until_complete(self.client.close())
        self.loop.close()


@contextmanager
def open_client(kind: str, server: Server, **options: Any) -> Iterator[PositionModes]:
    options = {
        "api_key": server.demo.api_key,
        "api_secret": server.demo.secret,
        "base_url": server.base_url,
        **options,
    }
    if "private_key" in options:
        del options["api_secret"]
    if kind == "sync":
        with Client(**options) as sync_client:
            yield sync_client
        return
    blocking = Blocking(AsyncClient(**options))
    try:
        yield blocking
    finally:
        blocking.close()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(kind: str, server: Server) -> Iterator[PositionModes]:
    with open_client(kind, server) as opened:
        yield opened


@pytest.fixture(autouse=True)
def no_faults(server: Server) -> Iterator[None]:
    server.control.clear_faults()
    yield
    server.control.clear_faults()


def requests_to_position_mode(server: Server, since: int) -> list[tuple[str, str | None]]:
    """(method, injected fault) of each request for the position mode after ``since``."""
    entries = server.control.log(since, account="demo", limit=2000)["entries"]
    return [(e["method"], e["injected"]) for e in entries if e["path"] == PATH]


def log_position(server: Server) -> int:
    return int(server.control.log(0, limit=1)["last"])


def test_every_method_with_every_key_type(
    kind: str, server: Server, credentials: dict[str, Any]
) -> None:
    with open_client(kind, server, **credentials) as client:
        assert client.get_position_mode() is False  # One-way Mode
        client.set_position_mode(True)
        assert client.get_position_mode() is True  # Hedge Mode
        assert client.account_config()["dualSidePosition"] is True
        assert client.ensure_position_mode(True) is False  # already there: -4059 is success
        assert client.ensure_position_mode(False) is True
        assert client.get_position_mode() is False


@pytest.mark.parametrize("value", ["false", "true", 1, 0, None])
def test_set_position_mode_refuses_anything_but_a_bool(
    client: PositionModes, server: Server, value: object
) -> None:
    since = log_position(server)
    with pytest.raises(TypeError, match="set_position_mode takes True or False"):
        client.set_position_mode(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.ensure_position_mode(value)  # type: ignore[arg-type]
    assert requests_to_position_mode(server, since) == []  # nothing was sent
    assert client.get_position_mode() is False


def test_set_position_mode_to_the_current_one_raises_4059(client: PositionModes) -> None:
    with pytest.raises(AccountRuleError) as caught:
        client.set_position_mode(False)
    assert (caught.value.code, caught.value.status) == (-4059, 400)
    assert caught.value.msg == "No need to change position side."


@pytest.mark.parametrize(
    ("state", "code", "msg"),
    [
        (
            {"openOrders": [ONE_ORDER]},
            -4067,
            "Position side cannot be changed if there exists open orders.",
        ),
        (
            {"positions": [ONE_POSITION], "balances": {"USDT": "10000"}},
            -4068,
            "Position side cannot be changed if there exists position.",
        ),
    ],
)
def test_refusals_are_account_rule_errors_ensure_does_not_swallow(
    client: PositionModes, server: Server, state: dict[str, Any], code: int, msg: str
) -> None:
    server.control.set_state("demo", state)
    with pytest.raises(AccountRuleError) as caught:
        client.ensure_position_mode(True)
    assert (caught.value.code, caught.value.msg, caught.value.status) == (code, msg, 400)
    assert client.get_position_mode() is False


@pytest.mark.parametrize("kind_of_fault", ["close", "unknown_error", "timeout"])
def test_a_change_whose_answer_is_lost_after_commit_is_read_back_not_resent(
    client: PositionModes, server: Server, kind_of_fault: str
) -> None:
    server.control.add_fault(
        kind=kind_of_fault, method="POST", path=PATH, account="demo", times=1, applied=True
    )
    since = log_position(server)
    client.set_position_mode(True)  # no exception: reading back shows it happened
    seen = requests_to_position_mode(server, since)
    assert [method for method, _ in seen] == ["POST", "GET"]
    assert seen[0][1] is not None and kind_of_fault in seen[0][1]
    assert client.get_position_mode() is True


@pytest.mark.parametrize(
    ("kind_of_fault", "raised"),
    [("close", TransportError), ("unknown_error", UnknownStatus), ("timeout", UnknownStatus)],
)
def test_a_change_whose_answer_is_lost_before_commit_raises_not_applied(
    client: PositionModes, server: Server, kind_of_fault: str, raised: type[Exception]
) -> None:
    server.control.add_fault(kind=kind_of_fault, method="POST", path=PATH, account="demo", times=1)
    since = log_position(server)
    with pytest.raises(raised) as caught:
        client.set_position_mode(True)
    assert getattr(caught.value, "applied", None) is False
    assert [method for method, _ in requests_to_position_mode(server, since)] == ["POST", "GET"]
    assert client.get_position_mode() is False


def test_ensure_position_mode_settles_a_lost_answer_as_a_change(
    client: PositionModes, server: Server
) -> None:
    server.control.add_fault(
        kind="close", method="POST", path=PATH, account="demo", times=1, applied=True
    )
    assert client.ensure_position_mode(True) is True
    assert client.get_position_mode() is True


def test_a_change_refused_by_a_5xx_is_not_sent_again(client: PositionModes, server: Server) -> None:
    server.control.add_fault(kind="internal_error", method="POST", path=PATH, times=1)
    since = log_position(server)
    with pytest.raises(ServerError) as caught:
        client.set_position_mode(True)
    assert not isinstance(caught.value, UnknownStatus)  # not executed: nothing to read back
    assert [method for method, _ in requests_to_position_mode(server, since)] == ["POST"]
    assert client.get_position_mode() is False


def test_reading_the_position_mode_is_retried_on_5xx(client: PositionModes, server: Server) -> None:
    server.control.add_fault(kind="service_unavailable", method="GET", path=PATH, times=2)
    since = log_position(server)
    assert client.get_position_mode() is False
    assert [method for method, _ in requests_to_position_mode(server, since)] == ["GET"] * 3


def test_account_is_the_v3_document_of_the_seeded_account(
    client: PositionModes, server: Server
) -> None:
    server.control.set_state("demo", {"balances": {"USDT": "1000"}})
    document = client.account()
    assert document["totalWalletBalance"] == "1000.00000000"
    usdt = [row for row in document["assets"] if row["asset"] == "USDT"]
    assert len(usdt) == 1
    assert usdt[0]["walletBalance"] == "1000.00000000"


def test_account_is_retried_like_a_read(client: PositionModes, server: Server) -> None:
    server.control.add_fault(kind="internal_error", method="GET", path=ACCOUNT_V3.path, times=1)
    assert "totalWalletBalance" in client.account()

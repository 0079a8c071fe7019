"""State documents: the control plane takes exactly those its OpenAPI schema describes, and
none it takes makes a later request fail.

Documents come from the schema itself (schemathesis draws the body of ``PUT …/state`` from the
served document; ``hypothesis-jsonschema`` is not installed) and from near misses of those:
amounts with exponents, signs, spaces or too many digits, order ids past a Java long,
duplicates, unknown fields, nulls. In process, for hundreds of them: taken if and only if the
schema holds and no rule beyond it breaks (:func:`beyond_schema`), and every account rule then
runs without an exception but its refusal. On a real server, for fewer: every Binance
endpoint of the account answers without a 5xx after each document taken.

The schema is checked with ``jsonschema_rs``: ``jsonschema`` reads ``pattern`` with Python's
``re.search``, where ``$`` also matches before a final newline, which JSON Schema's dialect
(ECMA-262) does not, so it would call ``"1\\n"`` an amount.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from multiassets.account import Market, rules
from multiassets.account.model import (
    MARGIN_TYPES,
    ORDER_AMOUNTS,
    POSITION_AMOUNTS,
    AccountState,
    StateError,
)
from multiassets.market import ASSETS, SYMBOLS
from multiassets.protocol.endpoints import ENDPOINTS
from multiassets.protocol.errors import ApiError
from multiassets.server.openapi.document import document

from ...support import ONCE, Reply, Server

DOCUMENT = document()
STATE_IN = DOCUMENT["components"]["schemas"]["AccountStateIn"]
STATE_OUT = DOCUMENT["components"]["schemas"]["AccountState"]
VALID_IN = jsonschema_rs.validator_for({**STATE_IN, "components": DOCUMENT["components"]})
VALID_OUT = jsonschema_rs.validator_for({**STATE_OUT, "components": DOCUMENT["components"]})
PUT_STATE = schemathesis.openapi.from_dict(DOCUMENT)["/_multiassets/accounts/{name}/state"]["PUT"]
NAME_RULE = (
    'an account name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'
)


def amount_refusal(field: str, shown: str) -> str:
    return (
        f'{field} must be a decimal string such as "-1.5": at most 18 digits before the point'
        f" and 8 after it, got {shown}"
    )


# -- documents ------------------------------------------------------------------------------

#: The body of a generated ``PUT …/state``, as JSON carries it (and a copy of its own).
from_schema = st.builds(lambda case: json.loads(json.dumps(case.body)), PUT_STATE.as_strategy())
near_miss_amounts = st.one_of(
    st.sampled_from(
        ["1e999999", "-1E+999999999", "1" * 100_000, "1" * 19, "0.123456789", "1e5", "+1"]
        + [".5", "1.", " 1", "1 ", "1\n", "NaN", "Infinity", "-Infinity", "1_0", "\u0661", ""]
    ),
    st.from_regex(r"[-+]?[0-9]{0,22}(\.[0-9]{0,11})?([eE][-+]?[0-9]{1,10})?", fullmatch=True),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
near_miss_ids = st.one_of(
    st.sampled_from([0, -1, 2**63 - 1, 2**63, 2**64, 1.5, 7.0, 1e19, True, "1", None]),
    st.integers(),
)


def _parts(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The positions or openOrders of ``document`` that are objects (one added if none)."""
    found = [part for part in document.get(name) or [] if isinstance(part, dict)]
    if not found:
        symbol = SYMBOLS[0].name
        part = (
            {"symbol": symbol, "positionAmt": "1", "entryPrice": "1"}
            if name == "positions"
            else {"orderId": 1, "symbol": symbol, "side": "BUY", "origQty": "1"}
        )
        document[name] = [*(document.get(name) or []), part]
        found = [part]
    return found


Mutation = Callable[[st.DrawFn, dict[str, Any]], None]


def _amount(draw: st.DrawFn, document: dict[str, Any]) -> None:
    where = draw(st.sampled_from(["balances", "positions", "openOrders"]))
    if where == "balances":
        asset = draw(st.sampled_from([asset.name for asset in ASSETS]))
        document["balances"] = {**(document.get("balances") or {}), asset: draw(near_miss_amounts)}
        return
    part = draw(st.sampled_from(_parts(document, where)))
    fields = ORDER_AMOUNTS if where == "openOrders" else POSITION_AMOUNTS
    part[draw(st.sampled_from(fields))] = draw(near_miss_amounts)


def _order_id(draw: st.DrawFn, document: dict[str, Any]) -> None:
    draw(st.sampled_from(_parts(document, "openOrders")))["orderId"] = draw(near_miss_ids)


def _duplicate(draw: st.DrawFn, document: dict[str, Any]) -> None:
    name = draw(st.sampled_from(["positions", "openOrders"]))
    twin = dict(draw(st.sampled_from(_parts(document, name))))
    if name == "positions":
        twin["positionAmt"] = draw(st.sampled_from(["0", "-3.5", "12"]))
    document[name] = [*document[name], twin]


def _stranger(draw: st.DrawFn, document: dict[str, Any]) -> None:
    """An unknown field, an unknown key, or null where a part goes."""
    kind = draw(st.sampled_from(["field", "asset", "symbol", "null"]))
    if kind == "field":
        where = draw(st.sampled_from(["positions", "openOrders", None]))
        part = document if where is None else draw(st.sampled_from(_parts(document, where)))
        part[draw(st.sampled_from(["leverage", "positionside", "Price"]))] = "1"
    elif kind == "asset":
        document["balances"] = {**(document.get("balances") or {}), "XYZ": "1"}
    elif kind == "symbol":
        document["marginTypes"] = {**(document.get("marginTypes") or {}), "BTCUSD": "CROSSED"}
    else:
        document[draw(st.sampled_from(["marginTypes", "balances", "positions", "openOrders"]))] = (
            None
        )


MUTATIONS: tuple[Mutation, ...] = (_amount, _order_id, _duplicate, _stranger)


@st.composite
def near_misses(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = draw(from_schema)
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        mutation(draw, document)
    return document


documents = st.one_of(from_schema, near_misses())


def beyond_schema(document: dict[str, Any]) -> bool:
    """Whether a schema-valid document breaks a rule the schema can't say: a (symbol,
    positionSide) or an orderId repeats; a side the position mode lacks; a credits account
    outside Multi-Assets Mode; an isolated symbol in Multi-Assets Mode; a position Binance
    can't hold (an open one without its entry price, a negative entry price or isolated
    wallet, a LONG short or a SHORT long, an isolated wallet on a cross symbol or a flat
    position); an order without a quantity."""
    positions = document.get("positions", [])
    orders = document.get("openOrders", [])
    sides = [(p["symbol"], p.get("positionSide", "BOTH")) for p in positions]
    ids = [order["orderId"] for order in orders]
    hedge = document.get("dualSidePosition", False)
    allowed = {"LONG", "SHORT"} if hedge else {"BOTH"}
    isolated = {s for s, kind in document.get("marginTypes", {}).items() if kind == "ISOLATED"}
    used = [side for _, side in sides] + [o.get("positionSide", "BOTH") for o in orders]

    def amount(part: dict[str, Any], name: str) -> Decimal:
        return Decimal(part.get(name, "0"))

    return (
        len(set(sides)) < len(sides)
        or len(set(ids)) < len(ids)
        or not set(used) <= allowed
        or (document.get("creditsMode", False) and not document.get("multiAssetsMargin", False))
        or (document.get("multiAssetsMargin", False) and bool(isolated))
        or any(
            amount(p, "entryPrice") < 0
            or amount(p, "isolatedWallet") < 0
            or (amount(p, "positionAmt") != 0 and amount(p, "entryPrice") == 0)
            or (p.get("positionSide") == "LONG" and amount(p, "positionAmt") < 0)
            or (p.get("positionSide") == "SHORT" and amount(p, "positionAmt") > 0)
            or (amount(p, "isolatedWallet") != 0 and p["symbol"] not in isolated)
            or (amount(p, "isolatedWallet") != 0 and amount(p, "positionAmt") == 0)
            for p in positions
        )
        or any(amount(o, "price") < 0 or amount(o, "origQty") <= 0 for o in orders)
    )


def accepted(document: Any) -> AccountState | None:
    try:
        return AccountState.from_json(document)
    except StateError:
        return None


# -- in process -----------------------------------------------------------------------------


def every_rule(state: AccountState) -> None:
    """Each function of ``account/rules.py``, from either mode to either, and each margin type
    of each symbol: it answers, or refuses with a Binance error, and raises nothing else."""
    functions = {name for name in rules.__all__ if inspect.isfunction(getattr(rules, name))}
    assert functions == {
        "check_margin_type_change",
        "check_mode_change",
        "check_position_mode_change",
        "margin_shortfall",
        "mode_refusal",
    }
    market = Market()
    for current in (False, True):
        state.multi_assets_margin = current
        for target in (False, True):
            rules.margin_shortfall(state, target, market)
            rules.mode_refusal(state, target, market)
            with contextlib.suppress(ApiError):
                rules.check_mode_change(state, target, market)
            with contextlib.suppress(ApiError):
                rules.check_position_mode_change(state, target)
        for symbol in SYMBOLS:
            for margin_type in MARGIN_TYPES:
                with contextlib.suppress(ApiError):
                    rules.check_margin_type_change(state, symbol.name, margin_type)


@ONCE  # in process: no database
@settings(max_examples=400, deadline=None, database=None)
@given(documents)
def test_a_document_is_taken_exactly_when_the_schema_and_the_unique_keys_hold(
    document: dict[str, Any],
) -> None:
    valid = VALID_IN.is_valid(document)
    state = accepted(document)
    event("taken" if state else "refused by the schema" if not valid else "refused, beyond it")
    if state is None:
        assert not valid or beyond_schema(document), f"refused, yet the schema holds: {document}"
        return
    assert valid, f"taken, yet the schema refuses it: {document}"
    shown = state.to_json()
    assert VALID_OUT.is_valid(shown), shown
    assert AccountState.from_json(shown) == state
    every_rule(state)


# -- on a server ----------------------------------------------------------------------------

#: Every value of each parameter an account's endpoints read.
VALUES: dict[str, tuple[str, ...]] = {
    "multiAssetsMargin": ("true", "false"),
    "symbol": tuple(symbol.name for symbol in SYMBOLS),
    "marginType": MARGIN_TYPES,
    "dualSidePosition": ("true", "false"),
    # One order the documents hold (orderId 1 is the one _parts adds), and one none holds.
    "orderId": ("1", "2"),
    "origClientOrderId": ("x",),
}
#: Each signed endpoint (one an account calls) without its parameters and with every
#: combination of their values.
ACCOUNT_CALLS = [
    (endpoint.method, endpoint.path, params)
    for endpoint in ENDPOINTS
    if endpoint.security.signed
    for params in [
        {},
        *(
            dict(zip((param.name for param in endpoint.params), values, strict=True))
            for values in itertools.product(*(VALUES[param.name] for param in endpoint.params))
            if endpoint.params
        ),
    ]
]


def control(server: Server, method: str, path: str, body: Any = None) -> Reply:
    headers = {"Authorization": f"Bearer {server.admin_token}"}
    payload = json.dumps(body) if body is not None else b""
    return server.request(method, "/_multiassets/" + path, body=payload, headers=headers)


def call_every_endpoint(server: Server) -> list[tuple[str, str, dict[str, str], Reply]]:
    return [(*call, server.signed(*call, in_body=call[0] != "GET")) for call in ACCOUNT_CALLS]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(documents, st.sampled_from(["PUT", "PATCH"]))
def test_no_document_the_control_plane_takes_makes_a_binance_request_fail(
    server: Server, document: dict[str, Any], method: str
) -> None:
    before = control(server, "GET", "accounts/demo/state").json()
    reply = control(server, method, "accounts/demo/state", document)
    event(f"{method} answered {reply.status}")
    if reply.status != 200:
        assert reply.status == 400 and set(reply.json()) == {"error"}, reply.body[:300]
        assert control(server, "GET", "accounts/demo/state").json() == before
        return
    if method == "PUT":
        assert reply.json() == AccountState.from_json(document).to_json()
    answers = call_every_endpoint(server)
    failed = [
        (m, path, params, a.status, a.body) for m, path, params, a in answers if a.status >= 500
    ]
    assert failed == []
    # The first call reads the mode: the one just set (so the calls got past the signature).
    assert answers[0][:2] == ("GET", "/fapi/v1/multiAssetsMargin")
    mode = {"multiAssetsMargin": reply.json()["multiAssetsMargin"]}
    assert (answers[0][3].status, answers[0][3].json()) == (200, mode)


def test_every_signed_endpoint_is_called_with_every_value() -> None:
    called = {(method, path) for method, path, _ in ACCOUNT_CALLS}
    assert called == {
        ("GET", "/fapi/v1/multiAssetsMargin"),
        ("POST", "/fapi/v1/multiAssetsMargin"),
        ("GET", "/fapi/v1/accountConfig"),
        ("GET", "/fapi/v1/symbolConfig"),
        ("POST", "/fapi/v1/marginType"),
        ("GET", "/fapi/v2/account"),
        ("GET", "/fapi/v3/account"),
        ("GET", "/fapi/v2/balance"),
        ("GET", "/fapi/v3/balance"),
        ("GET", "/fapi/v2/positionRisk"),
        ("GET", "/fapi/v3/positionRisk"),
        ("GET", "/fapi/v1/openOrders"),
        ("GET", "/fapi/v1/openOrder"),
        ("GET", "/fapi/v1/leverageBracket"),
        ("GET", "/fapi/v1/positionSide/dual"),
        ("POST", "/fapi/v1/positionSide/dual"),
        ("GET", "/sapi/v1/capital/config/getall"),
    }
    # The mode: 1 + (1 + 2); accountConfig 1; symbolConfig 1 + 6 symbols; marginType 1 + 6
    # symbols x 2 margin types; the four account and balance views 1 each; positionRisk
    # (twice), openOrders and leverageBracket 1 + 6 each; openOrder 1 + 6 symbols x 2 ids;
    # the position mode 1 and 1 + 2; the coins 1.
    assert len(ACCOUNT_CALLS) == 25 + 4 + 4 * 7 + 13 + 4 + 1


# -- the documents, one by one ------------------------------------------------------

SUCCESS = {"code": 200, "msg": "success"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"balances": {"BTC": "1e999999"}},
            amount_refusal("balance of BTC", "'1e999999'"),
            id="exponent-balance",
        ),
        pytest.param(
            {
                "positions": [
                    {"symbol": "BTCUSDT", "positionAmt": "1", "entryPrice": "-1E+999999999"}
                ]
            },
            amount_refusal("entryPrice", "'-1E+999999999'"),
            id="exponent-entry-price",
        ),
        pytest.param(
            {"balances": {"USDT": "9" * 100_000}},
            amount_refusal("balance of USDT", "'" + "9" * 59 + "… (100002 characters)"),
            id="100000-digits",
        ),
    ],
)
def test_an_overflowing_amount_is_refused_and_the_mode_still_changes(
    server: Server, document: dict[str, Any], message: str
) -> None:
    assert control(server, "PUT", "accounts/demo/state", {}).status == 200
    reply = control(server, "PATCH", "accounts/demo/state", document)
    assert (reply.status, reply.json()) == (400, {"error": message})
    mode = "/fapi/v1/multiAssetsMargin"
    for target in ("true", "false"):
        reply = server.signed("POST", mode, {"multiAssetsMargin": target}, in_body=True)
        assert (reply.status, reply.json()) == (200, SUCCESS)


def test_two_positions_for_one_symbol_and_side_are_refused(server: Server) -> None:
    long = {"symbol": "ETHUSDT", "positionSide": "LONG", "positionAmt": "1", "entryPrice": "1"}
    document = {"dualSidePosition": True, "positions": [long, long]}
    reply = control(server, "PUT", "accounts/demo/state", document)
    assert (reply.status, reply.json()) == (
        400,
        {"error": "two positions for ETHUSDT LONG: a symbol has one position per positionSide"},
    )


def test_an_order_id_past_a_java_long_is_refused(server: Server) -> None:
    order = {"orderId": 2**63, "symbol": "BTCUSDT", "side": "BUY", "origQty": "1"}
    reply = control(server, "PUT", "accounts/demo/state", {"openOrders": [order]})
    assert (reply.status, reply.json()) == (
        400,
        {"error": "orderId must be from 1 to 9223372036854775807, got 9223372036854775808"},
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [(5, "5"), ("a/b", "'a/b'"), ("..", "'..'"), (None, "None")],
    ids=["number", "slash", "dot-dot", "null"],
)
def test_an_account_name_outside_the_alphabet_is_refused_with_the_rule(
    server: Server, name: Any, shown: str
) -> None:
    accounts = control(server, "GET", "accounts").json()
    reply = control(server, "POST", "accounts", {"name": name})
    assert (reply.status, reply.json()) == (400, {"error": f"{NAME_RULE}, not {shown}"})
    assert control(server, "GET", "accounts").json() == accounts


def test_an_import_naming_an_account_outside_the_alphabet_changes_nothing(
    server: Server,
) -> None:
    before = control(server, "GET", "state").json()
    imported = {"format": "multiassets/state@1", "accounts": [{"name": "a/b"}]}
    reply = control(server, "PUT", "state", imported)
    assert (reply.status, reply.json()) == (400, {"error": f"{NAME_RULE}, not 'a/b'"})
    assert control(server, "GET", "state").json() == before

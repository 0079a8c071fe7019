"""Properties, over arbitrary parameter names and values (unicode, ``+``, ``@``, ``%``, spaces,
empty): what our client signs, the server's checks verify; one changed byte fails; and parsing
any bytes at all raises nothing but a catalogued Binance error."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from multiassets import Client
from multiassets.protocol.endpoints import lookup
from multiassets.protocol.errors import CATALOGUE, ApiError
from multiassets.protocol.params import parse_long, parse_source
from multiassets.protocol.signing import hmac_verifier, signed_payload

SECRET = "s" * 64
KEY = "k" * 64
RESERVED = {"signature", "timestamp", "recvWindow"}

names = st.text(min_size=1, max_size=12).filter(lambda name: name not in RESERVED)
values = st.text(max_size=20) | st.sampled_from(
    ["", " ", "+", "@", "%", "%2", "a b", "é", "&", "="]
)
parameters = st.dictionaries(names, values, max_size=5)
PROPERTIES = settings(
    max_examples=max(300, 12 * int(os.environ.get("MULTIASSETS_FUZZ_EXAMPLES", "25"))),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def prepared(params: dict[str, str], method: str = "GET") -> tuple[bytes, bytes]:
    """(query, body) as our client sends a signed request with ``params``."""
    client = Client(KEY, SECRET, base_url="http://127.0.0.1:1")
    try:
        endpoint = lookup(method, "/fapi/v1/multiAssetsMargin")
        request = client._core.prepare(endpoint, params)
    finally:
        client.close()
    query = request.target.partition("?")[2].encode()
    return query, request.body


def verified(query: bytes, body: bytes) -> tuple[bool, dict[str, str]]:
    """What the server's checks make of them: whether the signature verifies, and the params."""
    query_source, body_source = parse_source(query), parse_source(body)
    signature = (
        query_source.signature if query_source.signature is not None else body_source.signature
    )
    assert signature is not None
    payload = signed_payload(query_source.signed, body_source.signed)
    return hmac_verifier(SECRET)(payload, signature), {**body_source.params, **query_source.params}


@PROPERTIES
@given(parameters, st.sampled_from(["GET", "POST"]))
def test_what_the_client_signs_the_server_verifies(params: dict[str, str], method: str) -> None:
    query, body = prepared(params, method)
    ok, received = verified(query, body)
    assert ok
    assert {name: value for name, value in received.items() if name != "timestamp"} == params


@PROPERTIES
@given(parameters, st.data())
def test_one_changed_byte_fails(params: dict[str, str], data: st.DataObject) -> None:
    query, _ = prepared(params)
    signed_part = query[: query.rindex(b"&signature=")]
    position = data.draw(st.integers(0, len(signed_part) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda byte: byte != signed_part[position]))
    changed = signed_part[:position] + bytes([new]) + query[position + 1 :]
    try:
        ok, _ = verified(changed, b"")
    except ApiError as refused:  # the change broke the query's form itself: still refused
        assert refused.spec in CATALOGUE
        return
    assert not ok


@PROPERTIES
@given(st.binary(max_size=200))
def test_parsing_any_bytes_raises_only_catalogued_errors(raw: bytes) -> None:
    try:
        parse_source(raw)
    except ApiError as refused:
        assert refused.spec in CATALOGUE


@PROPERTIES
@given(st.text(max_size=30) | st.from_regex(r"-?[0-9]{1,21}", fullmatch=True))
def test_parse_long_accepts_exactly_java_longs(text: str) -> None:
    is_long = bool(_LONG.fullmatch(text)) and -(2**63) <= int(text) < 2**63
    try:
        value = parse_long("timestamp", text)
    except ApiError as refused:
        assert (refused.code, refused.status, is_long) == (-1102, 400, False)
        return
    assert is_long and value == int(text)


_LONG = re.compile(r"-?[0-9]{1,19}")

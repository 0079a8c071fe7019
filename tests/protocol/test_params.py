from __future__ import annotations

import pytest

from multiassets.protocol.errors import ApiError
from multiassets.protocol.params import parse_long, parse_source


def test_parse_source_decodes_percent_and_plus() -> None:
    parsed = parse_source(b"a=x%40y&b=1+2&c=%E6%B5%8B")
    assert parsed.params == {"a": "x@y", "b": "1 2", "c": "测"}
    assert parsed.signature is None


def test_parse_source_takes_out_trailing_signature() -> None:
    parsed = parse_source(b"timestamp=1&recvWindow=5000&signature=abc")
    assert parsed.params == {"timestamp": "1", "recvWindow": "5000"}
    assert parsed.signature == "abc"
    assert parsed.signed == b"timestamp=1&recvWindow=5000"
    assert parsed.signature_last


def test_parse_source_marks_signature_not_last() -> None:
    parsed = parse_source(b"signature=abc&timestamp=1")
    assert parsed.signature == "abc"
    assert not parsed.signature_last


def test_parse_source_keeps_name_without_value_as_empty() -> None:
    assert parse_source(b"a&b=").params == {"a": "", "b": ""}


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"a=1&a=2", id="same-name-twice"),
        pytest.param(b"signature=a&signature=b", id="signature-twice"),
        pytest.param(b"a=1&b=2&a=1", id="same-value-twice"),
    ],
)
def test_parse_source_refuses_duplicates(raw: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        parse_source(raw)
    assert (caught.value.code, caught.value.msg) == (
        -1101,
        "Duplicate values for a parameter detected.",
    )


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"a=%FF", id="percent-invalid-utf8"),
        pytest.param(b"a=\xff", id="raw-invalid-utf8"),
    ],
)
def test_parse_source_refuses_undecodable_bytes(raw: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        parse_source(raw)
    assert (caught.value.code, caught.value.msg) == (
        -1100,
        "Illegal characters found in a parameter.",
    )


@pytest.mark.parametrize(
    ("value", "number"),
    [
        pytest.param("1591702613943", 1591702613943, id="digits"),
        pytest.param("-5", -5, id="negative"),
        pytest.param("007", 7, id="leading-zeros"),
        pytest.param(str(2**63 - 1), 2**63 - 1, id="long-max"),
        pytest.param(str(-(2**63)), -(2**63), id="long-min"),
    ],
)
def test_parse_long_reads_java_longs(value: str, number: int) -> None:
    assert parse_long("timestamp", value) == number


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("abc", id="letters"),
        pytest.param("1.5", id="decimal"),
        pytest.param(" 15", id="leading-space"),
        pytest.param("1_000", id="underscore"),
        pytest.param("-", id="sign-only"),
        pytest.param("١٢٣", id="non-ascii-digits"),
        pytest.param(str(2**63), id="beyond-long"),
    ],
)
def test_parse_long_refuses_anything_else_with_1102(value: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_long("timestamp", value)
    assert (caught.value.code, caught.value.status, caught.value.msg) == (
        -1102,
        400,
        "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    )

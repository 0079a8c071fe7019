"""Request parameters as Binance reads them: from the query string and a form body.

A source (query or body) is split on ``&``; each part is ``name=value``, percent-decoded as
UTF-8 with ``+`` as a space. ``signature`` is taken out of its source, which must end with it.
Every refusal raised here is a catalogued Binance error.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import unquote_plus

from .errors import DUPLICATE_PARAM, ILLEGAL_CHARS, MANDATORY_PARAM, ApiError

__all__ = [
    "EMPTY_SOURCE",
    "ParsedSource",
    "parse_long",
    "parse_source",
]

_LONG_MAX = 2**63 - 1
_LONG_MIN = -(2**63)
SIGNATURE = "signature"


class ParsedSource(NamedTuple):
    """One parameter source, decoded."""

    params: dict[str, str]
    signature: str | None
    #: The source's raw bytes without its trailing ``signature`` part: what was signed.
    signed: bytes
    #: False when ``signature`` was sent but is not the last part of its source.
    signature_last: bool


EMPTY_SOURCE = ParsedSource({}, None, b"", True)


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
        if "%" in text or "+" in text:
            text = unquote_plus(text, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ApiError(ILLEGAL_CHARS) from None
    return text


def parse_source(raw: bytes) -> ParsedSource:
    """Decode one source; a name repeated inside it is refused with -1101."""
    if not raw:
        return EMPTY_SOURCE
    params: dict[str, str] = {}
    signature: str | None = None
    signed = raw
    signature_last = True
    parts = raw.split(b"&")
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        name = _decode(raw_name)
        value = _decode(raw_value)
        if name == SIGNATURE:
            if signature is not None:
                raise ApiError(DUPLICATE_PARAM)
            signature = value
            signature_last = index == last
            signed = b"&".join(parts[:index])
        elif name in params:
            raise ApiError(DUPLICATE_PARAM)
        else:
            params[name] = value
    return ParsedSource(params, signature, signed, signature_last)


def parse_long(name: str, value: str) -> int:
    """A Binance LONG (a Java ``long``: optional sign, decimal digits, 64 bits).

    Anything else, the empty string included, is refused as fapi does: ``-1102`` naming the
    parameter (python-binance's and ccxt's logs show fapi answering -1102, not spot's -1100).
    """
    digits = value[1:] if value[:1] == "-" else value
    # The length test first: int() refuses strings of thousands of digits with a ValueError.
    if len(digits) <= 19 and digits.isascii() and digits.isdigit():
        number = int(value)
        if _LONG_MIN <= number <= _LONG_MAX:
            return number
    raise ApiError(MANDATORY_PARAM, param=name)

"""Plain-words reasons for refusals, for the request log. For ``-1022`` it shows the exact
string the server verified and, for HMAC keys, tries the mistakes clients make to say which
one this is. Nothing here contains a secret or a signature."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, quote_plus, unquote_plus

from ...protocol.keys import KEY_LENGTH
from ...protocol.signing import hmac_signature
from ...store import ApiKey

__all__ = ["explain_key_format", "explain_signature"]


def explain_key_format(api_key: str | None) -> str:
    if api_key is None:
        return "no X-MBX-APIKEY header"
    if not api_key:
        return "the X-MBX-APIKEY header is empty"
    if api_key.strip() != api_key:
        return "the API key has spaces around it"
    if len(api_key) != KEY_LENGTH:
        return f"the API key is {len(api_key)} characters, not {KEY_LENGTH}"
    return "the API key has characters other than letters and digits"


def _reencoded(raw: bytes, quoter: Callable[..., str]) -> bytes:
    parts = []
    for part in raw.split(b"&"):
        name, eq, value = part.decode("utf-8", "replace").partition("=")
        decoded = unquote_plus(value)
        parts.append(f"{name}{eq}{quoter(decoded, safe='')}")
    return "&".join(parts).encode()


def explain_signature(
    key: ApiKey,
    query: bytes,
    body: bytes,
    signature: str,
    in_query: bool,
    signature_last: bool,
) -> str:
    """Why a signature failed; ``query`` and ``body`` are the signed parts (without the
    signature itself)."""
    source = "query string" if in_query else "body"
    if not signature_last:
        return f"signature is not the last parameter of the {source}: put it at the end"
    payload = query + body
    shown = payload.decode("utf-8", "replace")
    verified = f"verified over {shown!r} (query string then body, nothing between)"
    if key.kind != "HMAC" or key.secret is None:
        return f"{key.kind} signature does not verify; {verified}"
    candidates: list[tuple[bytes, str]] = []
    if query and body:
        candidates.append(
            (
                query + b"&" + body,
                "query and body were joined with '&': Binance signs them with nothing between",
            )
        )
    decoded = unquote_plus(shown).encode()
    if decoded != payload:
        candidates.append(
            (
                decoded,
                "the decoded parameters were signed: sign the bytes exactly "
                "as sent, percent-encoding included",
            )
        )
    for quoter, what in ((quote, "%20"), (quote_plus, "+")):
        variant = _reencoded(payload, quoter)
        if variant != payload:
            candidates.append(
                (
                    variant,
                    f"the signed string encodes characters differently "
                    f"(spaces as {what}, '@', '+') from what was sent",
                )
            )
    secret, given = key.secret.encode(), signature.lower()
    for candidate, hint in candidates:
        if hmac_signature(secret, candidate) == given:
            return f"{hint}; {verified}"
    return f"wrong secret, or the string changed on the way; {verified}"

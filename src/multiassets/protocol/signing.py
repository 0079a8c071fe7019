"""Request signing, shared by server and client.

Binance signs ``totalParams``: the query string concatenated with the request body, with no
separator, over the bytes exactly as sent (without the ``signature`` parameter itself).
"""

from __future__ import annotations

import hmac

__all__ = ["hmac_signature", "signed_payload", "verify_hmac"]


def signed_payload(query: bytes, body: bytes) -> bytes:
    """The bytes Binance signs: query string then body, no separator."""
    return query + body


def hmac_signature(secret: bytes, payload: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``payload`` under ``secret``."""
    return hmac.digest(secret, payload, "sha256").hex()


def verify_hmac(secret: bytes, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` is the HMAC of ``payload``; hex compared case-insensitively.

    The comparison runs in constant time for signatures of the right length.
    """
    expected = hmac.digest(secret, payload, "sha256").hex().encode("ascii")
    # Non-ASCII input can't match; encoding it with "replace" keeps compare_digest on bytes.
    given = signature.lower().encode("ascii", "replace")
    return hmac.compare_digest(expected, given)

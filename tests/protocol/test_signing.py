from __future__ import annotations

import pytest

from multiassets.protocol.signing import hmac_signature, signed_payload, verify_hmac

# Binance's published example (USD-M Futures General Info, "SIGNED Endpoint Examples").
SECRET = b"2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
PAYLOAD = (
    b"symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
    b"&recvWindow=5000&timestamp=1591702613943"
)
QUERY = b"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
BODY = b"quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"


def test_hmac_matches_binance_published_example() -> None:
    assert hmac_signature(SECRET, PAYLOAD) == (
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
    )


def test_query_plus_body_is_signed_without_separator() -> None:
    # The doc prints f9d0ae5e… for this example, but computed it over a typo (a stray space
    # after "timestamp="); this is the HMAC of the payload as the doc describes it.
    payload = signed_payload(QUERY, BODY)
    assert payload == QUERY + BODY
    assert hmac_signature(SECRET, payload) == (
        "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
    )


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(
            "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9", id="lower"
        ),
        pytest.param(
            "3C661234138461FCC7A7D8746C6558C9842D4E10870D2ECBEDF7777CAD694AF9", id="upper"
        ),
    ],
)
def test_verify_accepts_hex_in_either_case(signature: str) -> None:
    assert verify_hmac(SECRET, PAYLOAD, signature)


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(
            "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af8", id="one-digit-off"
        ),
        pytest.param("3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694a", id="short"),
        pytest.param("", id="empty"),
        pytest.param("é" * 64, id="non-ascii"),
    ],
)
def test_verify_rejects_wrong_signature(signature: str) -> None:
    assert not verify_hmac(SECRET, PAYLOAD, signature)


def test_verify_rejects_payload_changed_by_one_byte() -> None:
    signature = hmac_signature(SECRET, PAYLOAD)
    assert not verify_hmac(SECRET, PAYLOAD.replace(b"9000", b"9001"), signature)


@pytest.mark.parametrize("kind", ["RSA", "ED25519"])
def test_public_key_verifier_checks_base64_signatures(kind: str) -> None:
    from multiassets.protocol.signing import (
        generate_private_key,
        load_private_key,
        public_key_verifier,
    )

    signed_kind, sign, public_pem = load_private_key(generate_private_key(kind))  # type: ignore[arg-type]
    verify = public_key_verifier(public_pem)
    signature = sign(PAYLOAD)
    assert signed_kind == kind
    assert verify(PAYLOAD, signature)
    assert not verify(PAYLOAD + b"&x=1", signature)
    assert not verify(PAYLOAD, signature[:-4])
    assert not verify(PAYLOAD, "not base64!")
    assert not verify(PAYLOAD, "")

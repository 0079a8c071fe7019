"""Request signing, shared by server and client: HMAC-SHA256, RSA and Ed25519.

Binance signs ``totalParams``: the query string concatenated with the request body, with no
separator, over the bytes exactly as sent (without the ``signature`` parameter itself).
HMAC signatures are lower-case hex; RSA (RSASSA-PKCS1-v1_5 with SHA-256) and Ed25519
signatures are base64, percent-encoded when they go into the request.

RSA and Ed25519 need the ``cryptography`` package, imported only when such a key is used.
"""

from __future__ import annotations

import hmac

# Not typing's TYPE_CHECKING: the client imports this module when it is made, and typing
# (with re) costs ~15 ms to import. Type checkers take any TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Literal, TypeAlias

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

    AsymmetricKind: TypeAlias = Literal["RSA", "ED25519"]
    #: Signs a payload; returns the signature as it goes into ``signature=`` (before
    #: URL-encoding).
    Signer: TypeAlias = Callable[[bytes], str]
    #: Checks a signature (as decoded from the request) against a payload.
    Verifier: TypeAlias = Callable[[bytes, str], bool]
else:

    def __getattr__(name: str) -> object:
        """The type aliases, for who reads them at run time: made on first use. (The import
        system asks for ``__path__`` and others: a quick AttributeError, nothing imported.)"""
        if name not in ("AsymmetricKind", "Signer", "Verifier"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from collections.abc import Callable
        from typing import Literal

        aliases = {
            "AsymmetricKind": Literal["RSA", "ED25519"],
            "Signer": Callable[[bytes], str],
            "Verifier": Callable[[bytes, str], bool],
        }
        globals().update(aliases)
        return aliases[name]


__all__ = [
    "AsymmetricKind",
    "KeyFormatError",
    "Signer",
    "Verifier",
    "generate_private_key",
    "hmac_signature",
    "hmac_signer",
    "hmac_verifier",
    "load_private_key",
    "public_key_verifier",
    "read_public_key",
    "signed_payload",
    "verify_hmac",
]

MIN_RSA_BITS = 2048


class KeyFormatError(ValueError):
    """A key that is not a PEM key of a kind Binance accepts."""


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


def hmac_signer(secret: str) -> Signer:
    key = secret.encode()
    return lambda payload: hmac.digest(key, payload, "sha256").hex()


def hmac_verifier(secret: str) -> Verifier:
    key = secret.encode()
    return lambda payload, signature: verify_hmac(key, payload, signature)


def _b64(signature: str) -> bytes | None:
    import base64  # not at import time (re with it): a lookup in sys.modules after the first
    import binascii

    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None


def read_public_key(pem: str | bytes) -> tuple[AsymmetricKind, Any]:
    """Parse a public key as Binance accepts it: PEM SubjectPublicKeyInfo, RSA (2048 bits or
    more) or Ed25519."""
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    data = pem.encode() if isinstance(pem, str) else pem
    if b"-----BEGIN PUBLIC KEY-----" not in data:
        raise KeyFormatError("expected a PEM public key (-----BEGIN PUBLIC KEY-----, PKCS#8)")
    try:
        key = load_pem_public_key(data)
    except (ValueError, TypeError) as error:
        raise KeyFormatError(f"unreadable public key: {error}") from None
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise KeyFormatError(f"RSA keys need at least {MIN_RSA_BITS} bits")
        return "RSA", key
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ED25519", key
    raise KeyFormatError("only RSA and Ed25519 public keys are accepted")


def public_key_verifier(pem: str) -> Verifier:
    """A verifier for base64 signatures made by the private half of ``pem``.

    Ed25519 signatures are checked by libsodium (PyNaCl) when it is installed: 38 µs against
    61 µs for OpenSSL through ``cryptography`` here, on every signed request.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    kind, key = read_public_key(pem)
    if kind == "ED25519":
        try:
            from nacl.exceptions import BadSignatureError
            from nacl.signing import VerifyKey
        except ImportError:
            pass
        else:
            raw_key = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            verify_key = VerifyKey(raw_key)

            def verify_with_sodium(payload: bytes, signature: str) -> bool:
                raw = _b64(signature)
                if raw is None or len(raw) != 64:
                    return False
                try:
                    verify_key.verify(payload, raw)
                except BadSignatureError:
                    return False
                return True

            return verify_with_sodium

    def verify(payload: bytes, signature: str) -> bool:
        raw = _b64(signature)
        if raw is None:
            return False
        try:
            if kind == "RSA":
                key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
            else:
                key.verify(raw, payload)
        except InvalidSignature:
            return False
        return True

    return verify


def load_private_key(
    pem: str | bytes, passphrase: str | None = None
) -> tuple[AsymmetricKind, Signer, str]:
    """(kind, signer, public key PEM) for a PEM private key, RSA or Ed25519."""
    import base64

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(
            data, passphrase.encode() if passphrase is not None else None
        )
    except (ValueError, TypeError) as error:
        raise KeyFormatError(f"unreadable private key: {error}") from None
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    if isinstance(key, rsa.RSAPrivateKey):
        rsa_key: RSAPrivateKey = key

        def sign_rsa(payload: bytes) -> str:
            raw = rsa_key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
            return base64.b64encode(raw).decode()

        return "RSA", sign_rsa, public
    if isinstance(key, ed25519.Ed25519PrivateKey):
        ed_key: Ed25519PrivateKey = key
        return "ED25519", lambda payload: base64.b64encode(ed_key.sign(payload)).decode(), public
    raise KeyFormatError("only RSA and Ed25519 private keys can sign Binance requests")


def generate_private_key(kind: AsymmetricKind) -> str:
    """A new private key as unencrypted PKCS#8 PEM (RSA 2048 bits, or Ed25519)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "RSA"
        else ed25519.Ed25519PrivateKey.generate()
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()

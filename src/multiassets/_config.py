"""Where the client connects and how it signs: arguments, else environment variables."""

from __future__ import annotations

import os

from ._exceptions import ConfigurationError
from .protocol.signing import KeyFormatError, hmac_signer

# Not typing's TYPE_CHECKING: importing typing costs ~15 ms. Type checkers take it as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

    from .protocol.signing import Signer

__all__ = [
    "DEMO_URL",
    "ENV_API_KEY",
    "ENV_API_SECRET",
    "ENV_BASE_URL",
    "ENV_PRIVATE_KEY",
    "ENV_PRIVATE_KEY_PASSPHRASE",
    "PRODUCTION_URL",
    "Settings",
    "resolve",
    "stream_url",
]

PRODUCTION_URL = "https://fapi.binance.com"
DEMO_URL = "https://demo-fapi.binance.com"
#: Where each REST base URL's user data streams are; any other server serves them itself.
_STREAM_URLS = {
    PRODUCTION_URL: "wss://fstream.binance.com",
    DEMO_URL: "wss://fstream.binancefuture.com",
}


def stream_url(base_url: str) -> str:
    """The WebSocket base for user data streams of a REST base URL."""
    known = _STREAM_URLS.get(base_url)
    if known is not None:
        return known
    return "ws" + base_url.removeprefix("http")  # http -> ws, https -> wss


ENV_API_KEY = "MULTIASSETS_API_KEY"
ENV_API_SECRET = "MULTIASSETS_API_SECRET"
ENV_PRIVATE_KEY = "MULTIASSETS_PRIVATE_KEY"
ENV_PRIVATE_KEY_PASSPHRASE = "MULTIASSETS_PRIVATE_KEY_PASSPHRASE"
ENV_BASE_URL = "MULTIASSETS_BASE_URL"


class Settings:
    """What :func:`resolve` found (a plain class: dataclasses would cost ~20 ms of imports)."""

    __slots__ = ("api_key", "base_url", "key_type", "signer")

    def __init__(
        self, api_key: str | None, signer: Signer | None, key_type: str, base_url: str
    ) -> None:
        self.api_key = api_key
        #: None when no secret or private key was given: only unsigned endpoints then.
        self.signer = signer
        self.key_type = key_type
        self.base_url = base_url

    def __repr__(self) -> str:  # no signer: it closes over the secret
        return f"Settings(api_key={self.api_key!r}, key_type={self.key_type!r}, ...)"


#: A host name or IPv4 address, as urlsplit takes it without a second look.
_PLAIN_HOST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-")


def _check_netloc(base_url: str) -> None:
    """Raise, when the client is made, what urlsplit raises for this URL (a port that is no
    number or out of range, a broken IPv6 literal). urllib (and re, ~15 ms) is imported only
    for a URL that is not plainly ``host[:port]``; urlsplit accepts every plain one."""
    netloc = base_url.partition("://")[2].partition("/")[0].partition("?")[0].partition("#")[0]
    host, colon, port = netloc.partition(":")
    plain_port = not colon or (port.isascii() and port.isdigit() and int(port) <= 65535)
    if host and _PLAIN_HOST.issuperset(host) and plain_port:
        return
    from urllib.parse import urlsplit

    try:
        urlsplit(base_url).port  # noqa: B018 - evaluated for the ValueError it may raise
    except ValueError as error:
        raise ConfigurationError(f"base URL {base_url!r}: {error}") from None


def _read_private_key(value: str | Path) -> str:
    if isinstance(value, str) and "-----BEGIN" in value:
        return value
    from pathlib import Path

    text = str(value)
    if "\n" in text or "\0" in text or len(text) > 4096:
        # Key material without its PEM lines: never echo it back.
        raise ConfigurationError("private_key is neither a PEM key nor the path of one")
    try:
        return Path(text).expanduser().read_text()
    except (OSError, ValueError) as error:
        raise ConfigurationError(
            f"can't read the private key file {text!r}: {error.__class__.__name__}"
        ) from None


def _token(value: str | None, what: str) -> str | None:
    """A key or secret as it can go into a header or an HMAC: printable ASCII, no spaces."""
    if value is not None and not (value.isascii() and value.isprintable() and " " not in value):
        raise ConfigurationError(
            f"the {what} has spaces, line breaks or non-ASCII characters: copy it again"
        )
    return value


def resolve(
    api_key: str | None,
    api_secret: str | None,
    private_key: str | Path | None,
    private_key_passphrase: str | None,
    base_url: str | None,
    demo: bool,
) -> Settings:
    """Arguments first, then ``MULTIASSETS_*`` environment variables; Binance's production URL
    unless ``demo`` or a URL is given."""
    env = os.environ
    api_key = _token(api_key or env.get(ENV_API_KEY), "API key")
    if api_secret is None and private_key is None:
        api_secret = env.get(ENV_API_SECRET)
        private_key = env.get(ENV_PRIVATE_KEY)
    if api_secret is not None and private_key is not None:
        raise ConfigurationError("give api_secret (HMAC) or private_key (RSA, Ed25519), not both")
    if base_url is not None and demo:
        raise ConfigurationError("give base_url or demo=True, not both")
    if base_url is None:
        # An explicit demo=True wins over MULTIASSETS_BASE_URL.
        base_url = DEMO_URL if demo else (env.get(ENV_BASE_URL) or PRODUCTION_URL)
    if not base_url.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url must start with http:// or https://: {base_url!r}")
    _check_netloc(base_url)
    signer: Signer | None = None
    key_type = "HMAC"
    if api_secret is not None:
        signer = hmac_signer(_token(api_secret, "API secret") or "")
    elif private_key is not None:
        from .protocol.signing import load_private_key

        passphrase = private_key_passphrase or env.get(ENV_PRIVATE_KEY_PASSPHRASE)
        try:
            key_type, signer, _ = load_private_key(_read_private_key(private_key), passphrase)
        except KeyFormatError as error:
            raise ConfigurationError(str(error)) from None
        except ImportError:
            raise ConfigurationError(
                "RSA and Ed25519 keys need the cryptography package: "
                "pip install 'multiassets[crypto]'"
            ) from None
    return Settings(api_key, signer, key_type, base_url.rstrip("/"))

"""A request as the checks (``checks.py``) read it, whatever carried it — a REST request's
query string and form body, or a WebSocket API frame's decoded ``params`` — and the
:class:`Call` a handler gets once it passed them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from ...protocol.params import EMPTY_SOURCE, ParsedSource, parse_source
from ...store import Account, ApiKey

__all__ = [
    "MAX_BODY_BYTES",
    "Call",
    "DecodedSource",
    "Request",
    "body_source",
    "names_sent",
]

#: Larger bodies are refused (after the charge) without being read to the end.
MAX_BODY_BYTES = 1 << 20
_FORM = "application/x-www-form-urlencoded"


class _Nothing(Mapping[str, Any]):
    """No parameters: what a request holds before the checks read any. One, shared and
    read-only (hashable, so a dataclass may default to it), rather than a dict per request."""

    def __getitem__(self, name: str) -> Any:
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    __hash__ = object.__hash__


_NONE_SENT: Mapping[str, str] = _Nothing()
_NONE_READ: Mapping[str, str | None] = _NONE_SENT


@dataclass(frozen=True, slots=True)
class DecodedSource:
    """Parameters that arrive already decoded, not as a query string or a form body: a
    WebSocket API frame's ``params`` (``server/wsapi/envelope.py``), each value as text."""

    params: Mapping[str, str]
    signature: str | None
    #: What was signed: every parameter but ``signature``, sorted by name, ``k=v`` by ``&``.
    payload: bytes
    #: Sent without apiKey and signature on a connection logged on (``session.logon``): the
    #: session's key is the request's, and nothing is signed.
    by_session: bool = False


@dataclass(slots=True)
class Request:
    """A request as read from the wire, and what the checks learn of it as they pass."""

    method: str
    path: str
    query: bytes
    body: bytes
    client_ip: str
    api_key: str | None = None
    content_type: str | None = None
    #: The body was over the size limit, so not read to the end.
    oversized: bool = False
    #: Set by the first check: the weight charged, and the client IP's weight this minute,
    #: this request included.
    weight: int = 0
    used_weight: int | None = None
    now_ms: int = 0
    key: ApiKey | None = None
    query_source: ParsedSource = EMPTY_SOURCE
    body_source: ParsedSource = EMPTY_SOURCE
    params: Mapping[str, str] = _NONE_SENT
    timestamp: int = 0
    recv_window: int = 0
    args: Mapping[str, str | None] = _NONE_READ
    #: The parameters of a request that carries them decoded (the WebSocket API), in place
    #: of the query and the body.
    decoded: DecodedSource | None = None
    #: For the request log: the account the key is of, the fault injected ("#id kind").
    account: str | None = None
    injected: str | None = None


@dataclass(slots=True)
class Call:
    """A request that passed every check, as the handler sees it."""

    now_ms: int
    used_weight: int
    params: Mapping[str, str]
    client_ip: str
    key: ApiKey | None = None
    account: Account | None = None
    #: The endpoint's declared parameters, read (``Param.read``), by name.
    args: Mapping[str, str | None] = _NONE_READ


def _body_source_allowed(request: Request) -> bool:
    # Only a form body (or one sent without a Content-Type) carries parameters; a JSON body
    # is not a parameter source on Binance, so it is neither read nor signed.
    if not request.body or request.method == "GET":
        return False
    content_type = request.content_type
    return content_type is None or content_type.lower().startswith(_FORM)


def body_source(request: Request) -> ParsedSource:
    return parse_source(request.body) if _body_source_allowed(request) else EMPTY_SOURCE


def names_sent(request: Request) -> set[str]:
    """The parameter names a request sends, read leniently (refusing is for later steps)."""
    if request.decoded is not None:
        return set(request.decoded.params)
    sources = [request.query]
    if _body_source_allowed(request):
        sources.append(request.body)
    names = set()
    for source in sources:
        for part in source.split(b"&"):
            names.add(unquote_plus(part.partition(b"=")[0].decode("latin-1")))
    return names

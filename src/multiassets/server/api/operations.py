"""How the server binds an endpoint (``protocol/endpoints.py``) to what it does: its handler,
the summary and answer schema the OpenAPI document shows, and the refusals the handler itself
can give. One record per endpoint, written beside its handler with :func:`serves`; the routes
and the OpenAPI document are derived from the records (``routes.py``, ``openapi/document.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ...protocol.endpoints import Endpoint
from ...protocol.errors import ErrorSpec

if TYPE_CHECKING:
    from ..state import ServerState
    from .checks import Refusal
    from .request import Call

__all__ = ["OPERATIONS", "Handler", "Operation", "refusals", "serves"]

Handler = Callable[["ServerState", "Call"], Awaitable[bytes]]
_H = TypeVar("_H", bound=Handler)


@dataclass(frozen=True, slots=True)
class Operation:
    endpoint: Endpoint
    handler: Handler
    summary: str
    #: The JSON Schema of the answer on success.
    answer: dict[str, Any]
    #: What the handler refuses, in its order (the checks' refusals come from the checks).
    refusals: tuple[Refusal, ...] = ()


#: Every operation, in the order handlers declared them.
OPERATIONS: list[Operation] = []


def refusals(*specs: ErrorSpec, param: str | None = None) -> tuple[Refusal, ...]:
    """``specs`` as refusals, each naming ``param`` in its text (or none)."""
    return tuple((spec, param) for spec in specs)


def serves(
    *endpoints: Endpoint,
    summary: str,
    answer: dict[str, Any],
    refuses: tuple[Refusal, ...] = (),
) -> Callable[[_H], _H]:
    """Declare the decorated handler as what serves ``endpoints`` (twins share a handler)."""

    def register(handler: _H) -> _H:
        for endpoint in endpoints:
            OPERATIONS.append(Operation(endpoint, handler, summary, answer, refuses))
        return handler

    return register

"""Routing: every endpoint of ``protocol/endpoints.py`` with the operation that serves it
(``handlers.py``, ``account_views.py``) and the checks that apply to it, worked out once at
import. An endpoint without an operation, or an operation for an endpoint that is not
declared, stops the import.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...protocol.endpoints import ENDPOINTS, Endpoint
from . import account_views, handlers  # noqa: F401  (their declarations fill OPERATIONS)
from .checks import Step, plan
from .operations import OPERATIONS, Handler, Operation

__all__ = ["ROUTES", "Route"]


@dataclass(frozen=True, slots=True)
class Route:
    endpoint: Endpoint
    handler: Handler
    operation: Operation
    #: The checks that apply to the endpoint, in order.
    steps: tuple[Step, ...]


def _routes() -> dict[str, dict[str, Route]]:
    """path -> method -> route, in the endpoints' order."""
    served = {(op.endpoint.method, op.endpoint.path): op for op in OPERATIONS}
    if len(served) != len(OPERATIONS):
        raise RuntimeError("two handlers declare the same endpoint")
    declared = {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS}
    for method, path in sorted(set(served) ^ declared):
        which = "is not served by any handler" if (method, path) in declared else "is not declared"
        raise RuntimeError(
            f"{method} {path} {which} (protocol/endpoints.py, server/api/handlers.py)"
        )
    routes: dict[str, dict[str, Route]] = {}
    for endpoint in ENDPOINTS:
        operation = served[(endpoint.method, endpoint.path)]
        if operation.endpoint is not endpoint:
            raise RuntimeError(f"{endpoint.method} {endpoint.path}: a copy, not the declaration")
        route = Route(endpoint, operation.handler, operation, plan(endpoint))
        routes.setdefault(endpoint.path, {})[endpoint.method] = route
    return routes


#: path -> method -> route
ROUTES: dict[str, dict[str, Route]] = _routes()

"""The control plane: accounts, keys, account state and fixtures for the people who run the
server, under ``/_multiassets/`` (a prefix Binance can't use).

Its routes are declared once, in ``CONTROL_ROUTES`` (``openapi/control.py``: method, path,
whether the token is needed, what goes in and out); this module binds each to what it does,
in one table (:data:`_OPERATIONS`), and stops the import if the two disagree. Only loopback
clients are answered unless the server was started with ``--admin-allow-remote``. Bodies are
JSON; errors are ``{"error": "…"}``: this is our API, not Binance's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal
from urllib.parse import unquote

import orjson

from ...admin import Admin, AdminError, token_matches
from ...protocol.signing import KeyFormatError, read_public_key
from ..cluster.shared import SharedUnavailable
from ..openapi import asyncapi
from ..openapi.control import CONTROL_ROUTES, PREFIX, ControlRoute
from ..openapi.document import rendered
from ..state import ServerState
from . import runtime
from .ui import PAGE

__all__ = ["PREFIX", "control_path_parts", "handle_control"]

_RAW_PREFIX = PREFIX.encode()

#: status, body, content type
Reply = tuple[int, bytes, str]
Args = dict[str, str]


@dataclass(frozen=True, slots=True)
class _Operation:
    """What a route does, and where it runs: ``page`` on the event loop from this process
    alone; ``runtime`` on the settings every process shares (clock, faults); ``store`` on the
    commit thread, through :class:`Admin` (``writes``: waits for in-flight changes and is
    seen at once)."""

    where: Literal["page", "runtime", "store"]
    run: Callable[..., Any]
    writes: bool = False
    #: Also clears what the processes share besides the database (faults, clock, log).
    resets_runtime: bool = False
    #: The accounts it ends: the one the path names, or every one (their ids may be given
    #: again): their listenKeys end with them, and their streams hear ``listenKeyExpired``.
    ends: Literal["named", "all"] | None = None


def _page(run: Callable[[ServerState, Args, bytes], Awaitable[Reply] | Reply]) -> _Operation:
    return _Operation("page", run)


def _runtime(run: Callable[..., Any]) -> _Operation:
    return _Operation("runtime", run)


def _reads(run: Callable[[Admin, Any, Args], Any]) -> _Operation:
    return _Operation("store", run)


def _writes(
    run: Callable[[Admin, Any, Args], Any],
    resets_runtime: bool = False,
    ends: Literal["named", "all"] | None = None,
) -> _Operation:
    return _Operation("store", run, writes=True, resets_runtime=resets_runtime, ends=ends)


async def _health(state: ServerState, args: Args, query: bytes) -> Reply:
    """Whether the database (and Redis, when the server uses it) answer now: 503 if not."""
    parts = {"database": await state.writer.run(state.store.healthy)}
    if state.shared is not None:
        parts["redis"] = await state.shared.healthy()
    healthy = all(parts.values())
    document = {"status": "ok" if healthy else "degraded"}
    document.update({name: "ok" if up else "unreachable" for name, up in parts.items()})
    return _json(200 if healthy else 503, document)


def _field(document: Any, name: str) -> Any:
    if not isinstance(document, dict) or name not in document:
        raise AdminError(f"the body needs a field {name!r}")
    return document[name]


def _create_key(admin: Admin, document: Any, args: Args) -> Any:
    """``{"permissions", "ipAllowlist", "type", "publicKey"}``: an HMAC key unless a PEM
    ``publicKey`` is given (its type, RSA or ED25519, is read from it and must match
    ``type`` if that is given too)."""
    options = document if isinstance(document, dict) else {}
    public_key = options.get("publicKey")
    wanted = str(options.get("type") or ("HMAC" if public_key is None else "")).upper()
    if public_key is None:
        if wanted != "HMAC":
            raise AdminError("RSA and ED25519 keys need a publicKey (PEM)")
    else:
        if not isinstance(public_key, str):
            raise AdminError("publicKey must be a PEM string")
        try:
            kind, _ = read_public_key(public_key)
        except KeyFormatError as error:
            raise AdminError(str(error)) from None
        if wanted not in ("", kind):
            raise AdminError(f"the public key is {kind}, not {wanted}")
    permissions = options.get("permissions", ["USER_DATA", "TRADE"])
    allowlist = options.get("ipAllowlist")
    if not isinstance(permissions, list) or (
        allowlist is not None and not isinstance(allowlist, list)
    ):
        raise AdminError("permissions and ipAllowlist must be lists")
    return admin.create_key(args["name"], permissions, allowlist, public_key)


async def _modes(state: ServerState, args: Args, query: bytes) -> Reply:
    """The account in both asset modes at this process's prices (taken now: the commit
    thread reads the account)."""
    await state.cluster.catch_up_runtime()
    market = state.market.patched({})
    return _json(200, await state.writer.run(lambda: state.admin.modes(args["name"], market)))


def _remove_fault(state: ServerState, document: Any, args: Args) -> Any:
    return runtime.remove_fault(state, document, rule_id=int(args["id"]))


#: (method, path as CONTROL_ROUTES spells it) -> what it does
_OPERATIONS: dict[tuple[str, str], _Operation] = {
    ("GET", "health"): _page(_health),
    # The page and the documents hold no data: everything the page shows needs the token.
    ("GET", "ui"): _page(lambda state, args, query: (200, PAGE, "text/html; charset=utf-8")),
    ("GET", "openapi.json"): _page(
        lambda state, args, query: (
            200,
            rendered(state.config.weight_limit),
            "application/json",
        )
    ),
    ("GET", "asyncapi.json"): _page(
        lambda state, args, query: (
            200,
            asyncapi.rendered(state.config),
            "application/json",
        )
    ),
    ("GET", "metrics"): _page(
        lambda state, args, query: (
            200,
            state.metrics.render(),
            "text/plain; version=0.0.4; charset=utf-8",
        )
    ),
    ("GET", "log"): _page(
        lambda state, args, query: _json(200, runtime.log_document(state, query))
    ),
    ("GET", "clock"): _runtime(lambda state, document, args: runtime.clock_document(state)),
    ("PUT", "clock"): _runtime(lambda state, document, args: runtime.set_clock(state, document)),
    ("DELETE", "clock"): _runtime(lambda state, document, args: runtime.reset_clock(state, None)),
    ("GET", "faults"): _runtime(lambda state, document, args: runtime.faults_document(state)),
    ("POST", "faults"): _runtime(lambda state, document, args: runtime.add_fault(state, document)),
    ("PUT", "faults"): _runtime(lambda state, document, args: runtime.load_faults(state, document)),
    ("DELETE", "faults"): _runtime(lambda state, document, args: runtime.clear_faults(state)),
    ("DELETE", "faults/{id}"): _runtime(_remove_fault),
    ("GET", "market"): _runtime(lambda state, document, args: runtime.market_document(state)),
    ("PATCH", "market"): _runtime(
        lambda state, document, args: runtime.patch_market(state, document)
    ),
    ("DELETE", "market"): _runtime(lambda state, document, args: runtime.reset_market(state)),
    ("GET", "accounts"): _reads(lambda admin, document, args: admin.list_accounts()),
    ("POST", "accounts"): _writes(
        lambda admin, document, args: admin.create_account(_field(document, "name"))
    ),
    ("DELETE", "accounts/{name}"): _writes(
        lambda admin, document, args: admin.delete_account(args["name"]), ends="named"
    ),
    ("GET", "accounts/{name}/keys"): _reads(
        lambda admin, document, args: admin.list_keys(args["name"])
    ),
    ("POST", "accounts/{name}/keys"): _writes(_create_key),
    ("DELETE", "keys/{apiKey}"): _writes(
        lambda admin, document, args: admin.revoke_key(args["apiKey"])
    ),
    ("GET", "accounts/{name}/modes"): _page(_modes),
    ("GET", "accounts/{name}/state"): _reads(
        lambda admin, document, args: admin.state(args["name"])
    ),
    ("PUT", "accounts/{name}/state"): _writes(
        lambda admin, document, args: admin.set_state(args["name"], document)
    ),
    ("PATCH", "accounts/{name}/state"): _writes(
        lambda admin, document, args: admin.set_state(args["name"], document, partial=True)
    ),
    ("GET", "state"): _reads(lambda admin, document, args: admin.export()),
    ("PUT", "state"): _writes(lambda admin, document, args: admin.import_(document), ends="all"),
    ("POST", "reset"): _writes(
        lambda admin, document, args: admin.reset(), resets_runtime=True, ends="all"
    ),
}

#: What a variable part of a path may be; any segment otherwise.
_PART_RULES: dict[str, Callable[[str], bool]] = {"id": str.isdigit}


def _bind() -> list[tuple[ControlRoute, list[str], _Operation]]:
    """Each declared route with its path's parts and its operation; a route declared and not
    bound, or bound and not declared, stops the import."""
    declared = {(route.method, route.path): route for route in CONTROL_ROUTES}
    for method, path in sorted(set(declared) ^ set(_OPERATIONS)):
        which = "has no operation" if (method, path) in declared else "is not declared"
        raise RuntimeError(f"control plane: {method} {path} {which} (openapi/control.py)")
    return [
        (route, route.path.split("/"), _OPERATIONS[(route.method, route.path)])
        for route in CONTROL_ROUTES
    ]


_ROUTES = _bind()


def _match(method: str, parts: list[str]) -> tuple[ControlRoute, _Operation, Args] | None:
    for route, template, operation in _ROUTES:
        if route.method != method or len(template) != len(parts):
            continue
        args: Args = {}
        for word, part in zip(template, parts, strict=True):
            if word.startswith("{"):
                name = word[1:-1]
                if not _PART_RULES.get(name, bool)(part):
                    break
                args[name] = part
            elif word != part:
                break
        else:
            return route, operation, args
    return None


def _loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def control_path_parts(path: str, raw_path: bytes | None = None) -> list[str]:
    """The segments of a control-plane path after the prefix, each percent-decoded on its
    own: routing on the decoded whole would split a name holding an encoded ``/``."""
    if raw_path is not None and raw_path.startswith(_RAW_PREFIX):
        raw = raw_path[len(_RAW_PREFIX) :].decode("latin-1").strip("/")
        return [unquote(part) for part in raw.split("/")]
    return path.removeprefix(PREFIX).strip("/").split("/")


async def handle_control(
    state: ServerState,
    method: str,
    path: str,
    authorization: str | None,
    client_ip: str,
    body: bytes,
    query: bytes = b"",
    raw_path: bytes | None = None,
) -> Reply:
    """(status, body, content type) for a control-plane request."""
    if not (state.config.admin_allow_remote or _loopback(client_ip)):
        return _json(403, {"error": "the control plane answers only loopback clients"})
    found = _match(method, control_path_parts(path, raw_path))
    if found is None or found[0].token:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token or not token_matches(state.store, token):
            error = "a valid 'Authorization: Bearer <token>' header is required"
            return _json(401, {"error": error})
    if found is None:
        return _json(404, {"error": f"no control-plane route {method} {path}"})
    _, operation, args = found
    try:
        if operation.where == "page":
            reply = operation.run(state, args, query)
            return await reply if not isinstance(reply, tuple) else reply
        document = orjson.loads(body) if body else None
        if operation.where == "runtime":
            run = partial(operation.run, args=args)
            result = await runtime.shared(state, run, document, method != "GET")
            return _json(200, result)
        return _json(200, await _store_operation(state, operation, document, args))
    except orjson.JSONDecodeError:
        return _json(400, {"error": "the body must be JSON"})
    except AdminError as error:
        return _json(error.status, {"error": str(error)})
    except SharedUnavailable as error:
        return _json(503, {"error": str(error)})
    except (TypeError, ValueError, AttributeError) as error:
        # A body of the wrong shape somewhere the operation did not check.
        return _json(400, {"error": f"invalid request: {error}"})


async def _store_operation(
    state: ServerState, operation: _Operation, document: Any, args: Args
) -> Any:
    """Run on the commit thread: a database busy with another process never blocks the
    event loop."""
    work = partial(operation.run, state.admin, document, args)
    if not operation.writes:
        return _or_empty(await state.writer.run(work))
    # A change to accounts or state waits for in-flight changes and is seen at once.
    async with state.registry.all_locked():
        ended = _accounts_ended(state, operation, args)
        try:
            result = _or_empty(await state.writer.run(work))
        finally:
            state.cluster.reload()
    await state.cluster.count_change(None)
    for account_id in ended:  # committed: a key of an account that is gone is no key
        await state.streams.close(account_id, state.clock.now_ms())
    if operation.resets_runtime:
        await runtime.shared(state, runtime.reset_runtime, None, True)
    return result


def _accounts_ended(state: ServerState, operation: _Operation, args: Args) -> list[int]:
    """The ids of the accounts ``operation`` ends, as they are before it runs."""
    if operation.ends is None:
        return []
    accounts = state.registry.accounts()
    return [a.id for a in accounts if operation.ends == "all" or a.name == args["name"]]


def _or_empty(result: Any) -> Any:
    return result if result is not None else {}


def _json(status: int, document: Any) -> Reply:
    return status, orjson.dumps(document), "application/json"

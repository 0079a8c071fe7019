"""The control plane: accounts, keys, account state and fixtures for the people who run the
server, under ``/_multiassets/`` (a prefix Binance can't use).

Every request needs ``Authorization: Bearer <token>`` but ``health``, ``ui`` and
``openapi.json``, which hold no data; only loopback clients are answered unless the server was
started with ``--admin-allow-remote``. Bodies are JSON; errors are
``{"error": "…"}`` — this is our API, not Binance's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import unquote

import orjson

from ..admin import Admin, AdminError, token_matches
from ..protocol.signing import KeyFormatError, read_public_key
from . import openapi, runtime
from .shared import SharedUnavailable
from .state import ServerState
from .ui import PAGE

__all__ = ["PREFIX", "control_path_parts", "handle_control"]

PREFIX = "/_multiassets/"
_RAW_PREFIX = PREFIX.encode()

Reply = tuple[int, Any]


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
) -> tuple[int, bytes, str]:
    """(status, body, content type) for a control-plane request."""
    if not (state.config.admin_allow_remote or _loopback(client_ip)):
        return _json(403, {"error": "the control plane answers only loopback clients"})
    parts = control_path_parts(path, raw_path)
    if parts == ["health"] and method == "GET":
        return _json(*await _health(state))
    if parts == ["ui"] and method == "GET":
        # The page itself holds no data: everything it shows needs the token.
        return 200, PAGE, "text/html; charset=utf-8"
    if parts == ["openapi.json"] and method == "GET":
        # The API's description: no data either.
        return 200, openapi.rendered(state.config.weight_limit), "application/json"
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token or not token_matches(state.store, token):
        return _json(401, {"error": "a valid 'Authorization: Bearer <token>' header is required"})
    try:
        document = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return _json(400, {"error": "the body must be JSON"})
    if method == "GET" and parts == ["metrics"]:
        return 200, state.metrics.render(), "text/plain; version=0.0.4; charset=utf-8"
    if method == "GET" and parts == ["log"]:
        try:
            return _json(200, runtime.log_document(state, query))
        except AdminError as error:
            return _json(error.status, {"error": str(error)})
    runtime_operation = _runtime_route(method, parts)
    if runtime_operation is not None:
        try:
            result = await runtime.shared(state, runtime_operation, document, method != "GET")
            return _json(200, result)
        except AdminError as error:
            return _json(error.status, {"error": str(error)})
        except SharedUnavailable as error:
            return _json(503, {"error": str(error)})
    route = _route(method, parts)
    if route is None:
        return _json(404, {"error": f"no control-plane route {method} {path}"})
    operation, writes = route
    # On the commit thread: a database busy with another process never blocks the event loop.
    work = partial(operation, state.admin, document)
    try:
        if not writes:
            return _json(*_reply(await state.writer.run(work)))
        # A change to accounts or state waits for in-flight changes and is seen at once.
        async with state.registry.all_locked():
            try:
                result = _reply(await state.writer.run(work))
            finally:
                state.reload()
        await state.count_change()
        if parts == ["reset"]:
            await runtime.shared(state, runtime.reset_runtime, None, True)
        return _json(*result)
    except AdminError as error:
        return _json(error.status, {"error": str(error)})
    except SharedUnavailable as error:
        return _json(503, {"error": str(error)})
    except (TypeError, ValueError, AttributeError) as error:
        # A body of the wrong shape somewhere the operation did not check.
        return _json(400, {"error": f"invalid request: {error}"})


async def _health(state: ServerState) -> Reply:
    """Whether the database (and Redis, when the server uses it) answer now: 503 if not."""
    parts = {"database": await state.writer.run(state.store.healthy)}
    if state.shared is not None:
        parts["redis"] = await state.shared.healthy()
    healthy = all(parts.values())
    document = {"status": "ok" if healthy else "degraded"}
    document.update({name: "ok" if up else "unreachable" for name, up in parts.items()})
    return (200 if healthy else 503), document


def _reply(result: Any) -> Reply:
    return (200, result) if result is not None else (200, {})


Operation = Callable[[Admin, Any], Any]


def _field(document: Any, name: str) -> Any:
    if not isinstance(document, dict) or name not in document:
        raise AdminError(f"the body needs a field {name!r}")
    return document[name]


def _route(method: str, parts: list[str]) -> tuple[Operation, bool] | None:
    """(operation, whether it writes) for a control-plane method and path."""
    match method, parts:
        case "GET", ["accounts"]:
            return (lambda admin, _: admin.list_accounts()), False
        case "POST", ["accounts"]:
            return (lambda admin, doc: admin.create_account(_field(doc, "name"))), True
        case "DELETE", ["accounts", name]:
            return (lambda admin, _: admin.delete_account(name)), True
        case "GET", ["accounts", name, "keys"]:
            return (lambda admin, _: admin.list_keys(name)), False
        case "POST", ["accounts", name, "keys"]:
            return (lambda admin, doc: _create_key(admin, name, doc)), True
        case "DELETE", ["keys", api_key]:
            return (lambda admin, _: admin.revoke_key(api_key)), True
        case "GET", ["accounts", name, "state"]:
            return (lambda admin, _: admin.state(name)), False
        case "PUT", ["accounts", name, "state"]:
            return (lambda admin, doc: admin.set_state(name, doc)), True
        case "PATCH", ["accounts", name, "state"]:
            return (lambda admin, doc: admin.set_state(name, doc, partial=True)), True
        case "GET", ["state"]:
            return (lambda admin, _: admin.export()), False
        case "PUT", ["state"]:
            return (lambda admin, doc: admin.import_(doc)), True
        case "POST", ["reset"]:
            return (lambda admin, _: admin.reset()), True
    return None


RuntimeOperation = Callable[[ServerState, Any], Any]


def _runtime_route(method: str, parts: list[str]) -> RuntimeOperation | None:
    """Operations on this process (its clock, its fault rules), run on the event loop: they
    touch no database."""
    match method, parts:
        case "GET", ["clock"]:
            return lambda state, _: runtime.clock_document(state)
        case "PUT", ["clock"]:
            return runtime.set_clock
        case "DELETE", ["clock"]:
            return runtime.reset_clock
        case "GET", ["faults"]:
            return runtime.faults_document
        case "POST", ["faults"]:
            return runtime.add_fault
        case "PUT", ["faults"]:
            return runtime.load_faults
        case "DELETE", ["faults"]:
            return runtime.clear_faults
        case "DELETE", ["faults", rule_id] if rule_id.isdigit():
            return partial(runtime.remove_fault, rule_id=int(rule_id))
    return None


def _create_key(admin: Admin, account: str, document: Any) -> Any:
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
    return admin.create_key(account, permissions, allowlist, public_key)


def _json(status: int, document: Any) -> tuple[int, bytes, str]:
    return status, orjson.dumps(document), "application/json"

"""The public surface is what __all__ says, and import multiassets stays light."""

from __future__ import annotations

import subprocess
import sys

import multiassets
from multiassets import _exceptions
from multiassets.protocol.errors import CATALOGUE


def test_exported_members_are_exactly_the_public_api() -> None:
    assert multiassets.__all__ == [
        "DEMO_URL",
        "PRODUCTION_URL",
        "AccountConfigUpdate",
        "AccountRuleError",
        "AdminError",
        "AsyncClient",
        "AuthError",
        "BinanceError",
        "Client",
        "ConfigurationError",
        "IPBanned",
        "ListenKeyExpired",
        "MultiassetsError",
        "RateLimitError",
        "RequestError",
        "ServerError",
        "SignatureError",
        "StreamEvent",
        "Timeout",
        "TimestampError",
        "TransportError",
        "UnknownStatus",
        "__version__",
    ]
    for name in multiassets.__all__:
        assert hasattr(multiassets, name), name
    # Nothing public beyond __all__ but the subpackages and modules users may import.
    modules = {
        "protocol",
        "defaults",
        "testing",
        "pytest_plugin",
        "admin",
        "control_client",
        "market",
        "account",
        "store",
        "server",
        "cli",
        "annotations",
    }
    public = {n for n in vars(multiassets) if n.isidentifier() and not n.startswith("_")} - modules
    assert public == set(multiassets.__all__) - {"__version__"}


def test_every_catalogued_error_maps_to_a_specific_exception_class() -> None:
    for spec in CATALOGUE:
        error = _exceptions.exception_for(spec.code, spec.template, spec.status)
        assert type(error) is not _exceptions.BinanceError, spec.name
        assert isinstance(error, _exceptions.BinanceError)
        assert (error.code, error.status) == (spec.code, spec.status)


def test_import_pulls_in_no_server_and_no_optional_dependency() -> None:
    code = (
        "import sys, multiassets; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('aiohttp', 'uvicorn', 'cryptography', 'orjson', 'click', 'asyncio') "
        "or m.startswith('multiassets.server')]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_admin_error_is_one_exception_wherever_it_is_imported_from() -> None:
    from multiassets import _exceptions, admin

    assert admin.AdminError is multiassets.AdminError is _exceptions.AdminError
    assert issubclass(multiassets.AdminError, multiassets.MultiassetsError)
    assert not issubclass(multiassets.AdminError, multiassets.BinanceError)


def test_the_control_client_imports_neither_the_store_nor_the_server() -> None:
    code = (
        "import sys, multiassets.control_client; "
        "print(sorted(m for m in sys.modules if m == 'sqlite3' or m.startswith("
        "('multiassets.store', 'multiassets.server', 'multiassets.admin'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_client_and_async_client_have_the_same_methods() -> None:
    def public(cls: type) -> set[str]:
        return {name for name in dir(cls) if not name.startswith("_")}

    assert public(multiassets.Client) == {
        "account",
        "account_config",
        "base_url",
        "close",
        "ensure_mode",
        "ensure_position_mode",
        "get_mode",
        "get_position_mode",
        "ping",
        "server_time",
        "set_mode",
        "set_position_mode",
        "sync_time",
        "time_offset_ms",
        "used_weight",
    }
    # The user data stream is asyncio's: a blocking client would need a thread for it.
    assert public(multiassets.AsyncClient) == public(multiassets.Client) | {"user_stream"}

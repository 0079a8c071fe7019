"""The public surface is what __all__ says, and import multiassets stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import multiassets
from multiassets import _exceptions
from multiassets.protocol.errors import CATALOGUE, Category


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


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_import_multiassets_imports_only_its_version() -> None:
    loaded = _modules_after("import multiassets")
    assert {m for m in loaded if m.startswith("multiassets")} == {
        "multiassets",
        "multiassets._version",
    }


def test_making_a_client_imports_neither_the_catalogues_nor_http_nor_typing() -> None:
    loaded = _modules_after(
        "import multiassets\n"
        "multiassets.Client('k' * 64, 's' * 64, base_url='http://127.0.0.1:1')\n"
        "multiassets.AsyncClient('k' * 64, 's' * 64, base_url='http://127.0.0.1:1')"
    )
    heavy = {
        "typing",
        "re",
        "dataclasses",
        "enum",
        "json",
        "http.client",
        "urllib.parse",
        "pathlib",
        "asyncio",
        "aiohttp",
        "multiassets._core",
        "multiassets.protocol.endpoints",
        "multiassets.protocol.errors",
    }
    assert loaded & heavy == set()


def test_the_first_call_brings_the_core_and_http_client() -> None:
    loaded = _modules_after(
        "import multiassets\n"
        "client = multiassets.Client('k' * 64, 's' * 64, base_url='http://127.0.0.1:1',"
        " retries=0)\n"
        "try:\n"
        "    client.ping()\n"
        "except multiassets.TransportError:\n"
        "    pass"
    )
    assert {"multiassets._core", "http.client", "multiassets.protocol.endpoints"} <= loaded


def test_a_name_outside_the_api_is_an_attribute_error_and_dir_lists_the_api() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Clinet'"):
        multiassets.Clinet  # type: ignore[attr-defined]  # noqa: B018
    assert set(multiassets.__all__) <= set(dir(multiassets))


def test_each_error_class_stands_for_its_category_of_the_catalogue() -> None:
    assert multiassets.BinanceError.category is None
    assert multiassets.AuthError.category is Category.AUTH
    assert multiassets.IPBanned.category is Category.BANNED
    assert multiassets.UnknownStatus(-1006, "x", 500).category is Category.UNKNOWN_STATUS


def test_the_signing_type_aliases_are_there_at_run_time() -> None:
    from collections.abc import Callable
    from typing import Literal

    from multiassets.protocol import signing

    assert signing.Signer == Callable[[bytes], str]
    assert signing.Verifier == Callable[[bytes, str], bool]
    assert signing.AsymmetricKind == Literal["RSA", "ED25519"]
    with pytest.raises(AttributeError):
        signing.Signerr  # type: ignore[attr-defined]  # noqa: B018

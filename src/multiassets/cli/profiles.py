"""Which account and server a client command talks to: flags, environment, or a named
profile in the config file.

The config file is ``$MULTIASSETS_CONFIG``, else ``~/.config/multiassets/config.toml``::

    [profiles.binance]
    api_key = "..."
    api_secret = "..."          # or private_key = "/path/to/key.pem"

    [profiles.local]
    base_url = "http://127.0.0.1:8080"
    api_key = "..."
    api_secret = "..."

Flags win over ``MULTIASSETS_*`` environment variables, which win over the profile. When
none of them names a server or a key, the command talks to the server ``multiassets serve``
started on this machine, with the demo account's key (its discovery file, :mod:`.discovery`);
else to Binance's production.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .._client import Client
from .._config import PRODUCTION_URL
from .discovery import find_server
from .params import exclusive, option

__all__ = ["client_options", "client_settings", "config_path", "make_client"]

F = TypeVar("F", bound=Callable[..., Any])
_FIELDS = ("api_key", "api_secret", "private_key", "private_key_passphrase", "base_url", "demo")


def config_path() -> Path:
    configured = os.environ.get("MULTIASSETS_CONFIG")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "multiassets" / "config.toml"


def _profile(name: str | None) -> dict[str, Any]:
    path = config_path()
    if name is None and not path.exists():
        return {}
    try:
        document = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise click.UsageError(f"no config file at {path} for --profile {name}") from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise click.UsageError(f"can't read {path}: {error}") from None
    profiles = document.get("profiles", {})
    if name is None:
        return dict(profiles.get("default", {}))
    if name not in profiles:
        raise click.UsageError(f"no profile {name!r} in {path}")
    unknown = set(profiles[name]) - set(_FIELDS)
    if unknown:
        raise click.UsageError(f"profile {name!r}: unknown settings {', '.join(sorted(unknown))}")
    return dict(profiles[name])


def client_options(function: F) -> F:
    options = [
        option("--profile", envvar="MULTIASSETS_PROFILE", help="A profile of the config file."),
        option(
            "--base-url",
            shown_envvar="MULTIASSETS_BASE_URL",
            help="A server's base URL. Default: the profile's, else the server `multiassets "
            "serve` started here, else Binance's production.",
        ),
        option("--demo", is_flag=True, default=None, help="Binance's demo trading URL."),
        option("--api-key", shown_envvar="MULTIASSETS_API_KEY", help="The API key."),
        option("--api-secret", shown_envvar="MULTIASSETS_API_SECRET", help="Its HMAC secret."),
        option(
            "--private-key",
            shown_envvar="MULTIASSETS_PRIVATE_KEY",
            help="Or its RSA/Ed25519 private key: a PEM file.",
        ),
        option("--json", "as_json", is_flag=True, help="Answer in JSON, failures too."),
    ]
    for decorate in reversed(options):
        function = decorate(function)
    return function


_SIGNING = ("api_secret", "private_key", "private_key_passphrase")


def _discovered(settings: dict[str, Any]) -> str | None:
    """The local server's URL when the layers named neither a server nor a key (a key given
    alone is taken for a Binance key, which must not go to a local server), its demo key
    put into ``settings``; else None."""
    if settings.get("api_key"):
        return None
    found = find_server()
    if found is None:
        return None
    if found.api_key and found.secret_key:
        settings.update(api_key=found.api_key, api_secret=found.secret_key, private_key=None)
    return found.url


def make_client(options: dict[str, Any], **extra: Any) -> Client:
    """A Client from the command's options over the environment over the profile."""
    return Client(**client_settings(options), **extra)


def client_settings(options: dict[str, Any]) -> dict[str, Any]:
    """Client arguments from the command's options over the environment over the profile.

    The signing material (secret, or private key with its passphrase) comes whole from the
    highest layer that has any; a base URL or --demo in a layer replaces the lower layers' URL.
    """
    exclusive(
        options,
        ("base_url", "demo", "--demo is a base URL"),
        ("api_secret", "private_key", "a key signs with one"),
    )
    env = {
        "api_key": os.environ.get("MULTIASSETS_API_KEY"),
        "api_secret": os.environ.get("MULTIASSETS_API_SECRET"),
        "private_key": os.environ.get("MULTIASSETS_PRIVATE_KEY"),
        "private_key_passphrase": os.environ.get("MULTIASSETS_PRIVATE_KEY_PASSPHRASE"),
        "base_url": os.environ.get("MULTIASSETS_BASE_URL"),
    }
    layers = [_profile(options.pop("profile", None)), env, options]
    settings: dict[str, Any] = {"demo": False}
    for layer in layers:
        given = {name: value for name, value in layer.items() if value not in (None, False)}
        if "api_key" in given:
            settings["api_key"] = given["api_key"]
        if "api_secret" in given or "private_key" in given:
            for name in _SIGNING:
                settings[name] = given.get(name)
        elif "private_key_passphrase" in given:
            settings["private_key_passphrase"] = given["private_key_passphrase"]
        if "base_url" in given:
            settings["base_url"], settings["demo"] = given["base_url"], False
        elif given.get("demo"):
            settings["base_url"], settings["demo"] = None, True
    base_url = settings.get("base_url")
    demo = bool(settings.get("demo"))
    if base_url is None and not demo:
        base_url = _discovered(settings) or PRODUCTION_URL
    return {
        "api_key": settings.get("api_key") or "",
        "api_secret": settings.get("api_secret"),
        "private_key": settings.get("private_key"),
        "private_key_passphrase": settings.get("private_key_passphrase"),
        "base_url": base_url,
        "demo": demo,
    }

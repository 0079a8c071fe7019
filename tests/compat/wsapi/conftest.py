"""The WebSocket API client tests' keys; each test runs at the round market."""

from __future__ import annotations

import pytest

from multiassets.protocol.signing import generate_private_key, load_private_key

from ...support import Server
from ..matrix import Key

# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _at_round_prices(round_market: None) -> None:
    """Every test here runs at the round market (``tests/compat/conftest.py``)."""


@pytest.fixture(scope="module")
def hmac_key(server: Server) -> Key:
    return Key("HMAC", server.demo.api_key, server.demo.secret)


@pytest.fixture(scope="module")
def ed25519_key(server: Server) -> Key:
    """An Ed25519 key of the demo account (the only kind session.logon takes)."""
    private_pem = generate_private_key("ED25519")
    created = server.control.create_key("demo", public_key=load_private_key(private_pem)[2])
    assert created["type"] == "ED25519"
    return Key("ED25519", created["apiKey"], private_pem)

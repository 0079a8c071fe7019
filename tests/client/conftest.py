from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from multiassets.protocol.signing import generate_private_key, load_private_key

from ..support import Server, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("client"), "--weight-limit", "1000000") as srv:
        yield srv


@pytest.fixture(autouse=True)
def single_asset(server: Server) -> None:
    server.control.set_state("demo", {})


@pytest.fixture(scope="module", params=["HMAC", "RSA", "ED25519"])
def credentials(request: pytest.FixtureRequest, server: Server) -> dict[str, Any]:
    """Client keyword arguments for a key of each type on the demo account."""
    if request.param == "HMAC":
        return {"api_key": server.demo.api_key, "api_secret": server.demo.secret}
    private_pem = generate_private_key(request.param)
    created = server.control.create_key("demo", public_key=load_private_key(private_pem)[2])
    return {"api_key": created["apiKey"], "private_key": private_pem}

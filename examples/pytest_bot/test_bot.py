"""Testing the bot against a real local server: the `multiassets_server` fixture comes with
multiassets (its pytest plugin): one server for the session, reset to new before each test."""

import pytest
from bot import prepare_account

from multiassets import Client, ServerError
from multiassets.testing import TestServer


def client_for(server: TestServer) -> Client:
    return Client(server.api_key, server.secret_key, base_url=server.base_url, retries=0)


def test_the_bot_switches_a_single_asset_account(multiassets_server: TestServer) -> None:
    with client_for(multiassets_server) as client:
        assert prepare_account(client) == "switched to Multi-Assets Mode"
        assert client.get_mode() is True


def test_the_bot_leaves_a_multi_assets_account_alone(multiassets_server: TestServer) -> None:
    multiassets_server.control.set_state(multiassets_server.account, {"multiAssetsMargin": True})
    with client_for(multiassets_server) as client:
        assert prepare_account(client) == "already in Multi-Assets Mode"


def test_the_bot_sees_binance_fail(multiassets_server: TestServer) -> None:
    multiassets_server.control.add_fault(kind="service_unavailable", times=1)
    with client_for(multiassets_server) as client, pytest.raises(ServerError):
        prepare_account(client)

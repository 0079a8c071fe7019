"""The stream's WebSocket in every form Binance's clients use (``server/streams/websocket.py``): the key
in the path or the query, combined streams, and SUBSCRIBE on a bare connection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from ...support import Server, running_server


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("streams"), "--weight-limit", "1000000") as server:
        yield server


def listen_key(srv: Server, method: str = "POST") -> str:
    reply = srv.request(method, "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": srv.demo.api_key})
    return str(reply.json()["listenKey"])


def toggle(srv: Server) -> bool:
    now = srv.signed("GET", "/fapi/v1/multiAssetsMargin").json()["multiAssetsMargin"]
    target = "false" if now else "true"
    assert (
        srv.signed("POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": target}).status
        == 200
    )
    return not now


def received(ws: ClientConnection) -> Any:
    return json.loads(ws.recv(timeout=5))


def open_socket(srv: Server, target: str) -> ClientConnection:
    return connect(f"ws://127.0.0.1:{srv.port}{target}", open_timeout=5)


@pytest.mark.parametrize(
    "form",
    ["/ws/{key}", "/private/ws/{key}", "/private/ws?listenKey={key}"],
    ids=["ws-path", "private-ws-path", "private-ws-query"],
)
def test_a_key_in_the_url_streams_the_events_themselves(srv: Server, form: str) -> None:
    key = listen_key(srv)
    with open_socket(srv, form.format(key=key)) as ws:
        mode = toggle(srv)
        event = received(ws)
    assert (event["e"], event["ai"]) == ("ACCOUNT_CONFIG_UPDATE", {"j": mode})


@pytest.mark.parametrize("path", ["/stream", "/private/stream"])
def test_combined_streams_wrap_each_event_with_its_key(srv: Server, path: str) -> None:
    key = listen_key(srv)
    with open_socket(srv, f"{path}?streams={key}") as ws:
        mode = toggle(srv)
        message = received(ws)
    assert message["stream"] == key
    assert (message["data"]["e"], message["data"]["ai"]) == ("ACCOUNT_CONFIG_UPDATE", {"j": mode})


@pytest.mark.parametrize(("path", "combined"), [("/ws", False), ("/private/stream", True)])
def test_subscribe_on_a_bare_connection(srv: Server, path: str, combined: bool) -> None:
    key = listen_key(srv)
    with open_socket(srv, path) as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": [key], "id": 7}))
        assert received(ws) == {"result": None, "id": 7}
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 8}))
        assert received(ws) == {"result": [key], "id": 8}
        mode = toggle(srv)
        message = received(ws)
        event = message["data"] if combined else message
        assert (event["e"], event["ai"]) == ("ACCOUNT_CONFIG_UPDATE", {"j": mode})
        ws.send(json.dumps({"method": "UNSUBSCRIBE", "params": [key], "id": 9}))
        assert received(ws) == {"result": None, "id": 9}
        ws.send("not json")  # ignored
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 10}))
        assert received(ws) == {"result": [], "id": 10}


@pytest.mark.parametrize("path", ["/market/stream", "/public/stream", "/market/ws"])
def test_market_data_hosts_accept_subscriptions_and_carry_nothing(srv: Server, path: str) -> None:
    with open_socket(srv, path) as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@markPrice"], "id": 3}))
        assert received(ws) == {"result": None, "id": 3}
        ws.send(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 4}))
        assert received(ws) == {"result": [], "id": 4}


def test_a_deleted_key_ends_a_subscribed_stream(srv: Server) -> None:
    key = listen_key(srv)
    with open_socket(srv, "/ws") as ws:
        ws.send(json.dumps({"method": "SUBSCRIBE", "params": [key], "id": 1}))
        assert received(ws) == {"result": None, "id": 1}
        srv.request("DELETE", "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": srv.demo.api_key})
        assert received(ws)["e"] == "listenKeyExpired"


@pytest.mark.parametrize(
    "target",
    ["/ws/" + "x" * 64, "/private/ws?listenKey=nope", "/stream?streams=nope", "/elsewhere"],
    ids=["unknown-key-in-path", "unknown-key-in-query", "unknown-combined", "not-a-stream"],
)
def test_unknown_keys_and_paths_are_refused_at_the_handshake(srv: Server, target: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_socket(srv, target)
    assert refused.value.response.status_code == 403


def test_an_event_and_a_client_frame_at_once_both_get_through(tmp_path: Path) -> None:
    """Found in review: when a client frame and an event were ready together, the event,
    already taken off the queue, was dropped."""
    import asyncio

    from multiassets.server.config import ServerConfig
    from multiassets.server.state import ServerState
    from multiassets.server.streams.websocket import _Connection

    async def scenario() -> list[Any]:
        state = ServerState(ServerConfig(db_url=f"sqlite:///{tmp_path / 'x.db'}"))
        sent: list[Any] = []

        async def send(message: Any) -> None:
            sent.append(message)

        connection = _Connection(state, send, combined=False)
        connection.keys["k"] = 1
        frames = [{"type": "websocket.receive", "text": '{"method":"LIST_SUBSCRIPTIONS","id":7}'}]

        async def receive() -> Any:
            if frames:
                return frames.pop()
            await asyncio.sleep(0.2)
            return {"type": "websocket.disconnect"}

        connection.outbox.put_nowait(("k", {"e": "ACCOUNT_CONFIG_UPDATE", "ai": {"j": True}}))
        await connection.run(receive)
        state.close()
        return [json.loads(message["text"]) for message in sent]

    assert asyncio.run(scenario()) == [
        {"e": "ACCOUNT_CONFIG_UPDATE", "ai": {"j": True}},
        {"result": ["k"], "id": 7},
    ]


def test_a_stream_outlives_the_head_timeout(tmp_path: Path) -> None:
    """Found in review: the sweep for slow request heads closed upgraded WebSockets too."""
    with running_server(tmp_path, "--head-timeout", "1") as server:
        key = listen_key(server)
        with open_socket(server, f"/ws/{key}") as ws:
            import time

            time.sleep(2.5)
            mode = toggle(server)
            event = received(ws)
        assert (event["e"], event["ai"]) == ("ACCOUNT_CONFIG_UPDATE", {"j": mode})

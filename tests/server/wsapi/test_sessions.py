"""WebSocket API sessions: session.logon with an Ed25519 key, requests on the session's key,
logout, the end of a session whose key no longer passes; the user data stream's methods."""

from __future__ import annotations

import json

from ...support import ONCE, Server, frozen_minute
from .frames import (
    SEEDED,
    SESSION_ENDED,
    call,
    ed25519_key,
    open_api,
    refusal,
    signed,
    weight,
    without_limits,
)

pytestmark = ONCE


# -- sessions -----------------------------------------------------------------------------------


def test_a_session_logged_on_with_ed25519_needs_no_key_or_signature_until_logout(
    srv: Server,
) -> None:
    srv.control.set_state("demo", SEEDED)
    api_key, signer = ed25519_key(srv)
    rest = srv.signed("GET", "/fapi/v3/account").json()
    with frozen_minute(srv) as at, open_api(srv) as ws:
        logon = call(ws, "session.logon", signed(srv, timestamp=at, api_key=api_key, signer=signer))
        status = call(ws, "session.status")
        # Without apiKey and signature: the session's key; with or without a timestamp.
        timed = call(ws, "v2/account.status", {"timestamp": at})
        untimed = call(ws, "v2/account.status")
        logout = call(ws, "session.logout")
        after = call(ws, "v2/account.status", {"timestamp": at})
    logged_on = {
        "apiKey": api_key,
        "authorizedSince": at,  # the logon's timestamp, as Binance's example shows it
        "connectedSince": at,
        "returnRateLimits": True,
        "serverTime": at,
    }
    # Handshake 5, logon 2: 7.
    assert logon == {"id": "r", "status": 200, "result": logged_on, "rateLimits": weight(7)}
    assert status["result"] == logged_on
    assert timed["result"] == untimed["result"] == rest
    assert logout["result"] == {**logged_on, "apiKey": None, "authorizedSince": None}
    assert without_limits(after) == refusal(401, -2014, "API-key format invalid.")


def test_an_hmac_key_cannot_log_on(srv: Server) -> None:
    # sieblyio/binance#626: an HMAC key's logon "consistently" got the invalid-signature error.
    with open_api(srv) as ws:
        answer = call(ws, "session.logon", signed(srv))
        status = call(ws, "session.status")
    assert without_limits(answer) == refusal(400, -1022, "Signature for this request is not valid.")
    assert status["result"]["apiKey"] is None


def test_a_logged_on_sessions_key_revoked_ends_the_session_with_binances_event(
    srv: Server,
) -> None:
    api_key, signer = ed25519_key(srv)
    with open_api(srv) as ws:
        logon = call(ws, "session.logon", signed(srv, api_key=api_key, signer=signer))
        srv.control.revoke_key(api_key)
        answer = call(ws, "account.balance")
        event = json.loads(ws.recv(timeout=5))  # after the answer, with no id (§8.2)
        status = call(ws, "session.status")
        after = call(ws, "account.balance")
    assert logon["status"] == 200
    assert without_limits(answer) == refusal(
        401, -2015, "Invalid API-key, IP, or permissions for action, request ip: 127.0.0.1"
    )
    assert event == SESSION_ENDED
    assert status["result"]["apiKey"] is None and status["result"]["authorizedSince"] is None
    # Logged out: a request without a key is now one without a key.
    assert without_limits(after) == refusal(401, -2014, "API-key format invalid.")


def test_after_a_revocation_any_request_is_answered_then_ends_the_session(srv: Server) -> None:
    api_key, signer = ed25519_key(srv)
    with open_api(srv) as ws:
        call(ws, "session.logon", signed(srv, api_key=api_key, signer=signer))
        srv.control.revoke_key(api_key)
        # session.status checks no key, yet it is "the next request" (§8.2).
        status = call(ws, "session.status")
        event = json.loads(ws.recv(timeout=5))
        again = call(ws, "session.status")
    assert status["result"]["apiKey"] == api_key  # answered as it was asked
    assert event == SESSION_ENDED
    assert again["result"]["apiKey"] is None


def test_a_logon_on_a_logged_on_session_must_be_signed_again(srv: Server) -> None:
    api_key, signer = ed25519_key(srv)
    with frozen_minute(srv) as at, open_api(srv) as ws:
        call(ws, "session.logon", signed(srv, timestamp=at, api_key=api_key, signer=signer))
        bare = call(ws, "session.logon")
        timed = call(ws, "session.logon", {"timestamp": at})
        status = call(ws, "session.status")
    # The session's key does not stand in for a logon's: no key, no logon.
    assert without_limits(bare) == refusal(401, -2014, "API-key format invalid.")
    assert without_limits(timed) == refusal(401, -2014, "API-key format invalid.")
    assert status["result"]["apiKey"] == api_key  # still logged on as before


def test_a_request_refused_for_its_own_key_leaves_the_session_as_it_was(srv: Server) -> None:
    api_key, signer = ed25519_key(srv)
    with open_api(srv) as ws:
        call(ws, "session.logon", signed(srv, api_key=api_key, signer=signer))
        other = call(ws, "account.balance", signed(srv, api_key="A" * 64))
        status = call(ws, "session.status")
    assert other["error"]["code"] == -2015 and other["id"] == "r"
    assert status["result"]["apiKey"] == api_key  # no event: the session's key still passes


# -- the user data stream's listenKey -----------------------------------------------------------

NO_LISTEN_KEY = (
    "This listenKey does not exist. Please use POST /fapi/v1/listenKey to recreate listenKey"
)


def test_user_data_stream_methods_share_the_rest_listen_key(srv: Server) -> None:
    key = {"apiKey": srv.demo.api_key}
    with frozen_minute(srv), open_api(srv) as ws:
        started = call(ws, "userDataStream.start", key)
        rest = srv.request("POST", "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": key["apiKey"]})
        pinged = call(ws, "userDataStream.ping", key)
        stopped = call(ws, "userDataStream.stop", key)
        again = call(ws, "userDataStream.ping", key)
    listen_key = started["result"]["listenKey"]
    assert rest.json() == {"listenKey": listen_key}  # one per account, whichever way asked
    # The handshake 5, start 1; REST's 1; ping 1, stop 1.
    assert started["rateLimits"] == weight(6)
    assert (pinged["result"], pinged["rateLimits"]) == ({"listenKey": listen_key}, weight(8))
    assert (stopped["status"], stopped["result"]) == (200, {})
    assert without_limits(again) == refusal(400, -1125, NO_LISTEN_KEY)


def test_a_logged_on_session_starts_its_stream_without_an_api_key(srv: Server) -> None:
    api_key, signer = ed25519_key(srv)
    with open_api(srv) as ws:
        assert (
            call(ws, "session.logon", signed(srv, api_key=api_key, signer=signer))["status"] == 200
        )
        started = call(ws, "userDataStream.start")
        stopped = call(ws, "userDataStream.stop")
    assert started["status"] == 200 and len(started["result"]["listenKey"]) == 64
    assert stopped["result"] == {}

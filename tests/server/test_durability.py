"""Concurrency and crashes: answers consistent with one serial order, and no acknowledged
change lost to a SIGKILL."""

from __future__ import annotations

import http.client
import json
import os
import queue
import random
import secrets
import signal
import string
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from multiassets import testing
from multiassets.control_client import ControlClient

from ..support import Credentials, backend_database, now_ms, sign

MODE = "/fapi/v1/multiAssetsMargin"


@dataclass(frozen=True)
class Outcome:
    target: bool
    start: float
    end: float
    code: int  # 200 for success, else Binance's code


def post_mode(connection: http.client.HTTPConnection, creds: Credentials, target: bool) -> int:
    payload = urlencode({"multiAssetsMargin": str(target).lower(), "timestamp": now_ms()})
    connection.request(
        "POST",
        f"{MODE}?{payload}&signature={sign(creds.secret, payload)}",
        headers={"X-MBX-APIKEY": creds.api_key},
    )
    response = connection.getresponse()
    body = response.read()
    if response.status == 200:
        assert body == b'{"code":200,"msg":"success"}'
        return 200
    return int(json.loads(body)["code"])


def test_concurrent_toggles_are_consistent_with_one_serial_order(tmp_path: Path) -> None:
    with (
        backend_database() as db_url,
        testing.serve(
            tmp_path / "s", args=["--weight-limit", "100000000"], db_url=db_url
        ) as server,
    ):
        creds = Credentials(server.api_key, server.secret_key)
        outcomes: list[Outcome] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + 3

        def client(seed: int) -> None:
            rng = random.Random(seed)
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            try:
                while time.monotonic() < stop_at:
                    target = rng.random() < 0.5
                    start = time.monotonic()
                    code = post_mode(connection, creds, target)
                    with lock:
                        outcomes.append(Outcome(target, start, time.monotonic(), code))
            finally:
                connection.close()

        threads = [threading.Thread(target=client, args=(seed,)) for seed in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert {o.code for o in outcomes} <= {200, -4171}
        to_true = [o for o in outcomes if o.code == 200 and o.target]
        to_false = [o for o in outcomes if o.code == 200 and not o.target]
        assert len(to_true) > 10 and len(to_false) > 10, "the storm must really toggle"
        # Starting from false, successful changes alternate: true, false, true, ...
        assert len(to_true) - len(to_false) in (0, 1)
        final = len(to_true) > len(to_false)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        payload = f"timestamp={now_ms()}"
        connection.request(
            "GET",
            f"{MODE}?{payload}&signature={sign(creds.secret, payload)}",
            headers={"X-MBX-APIKEY": creds.api_key},
        )
        assert connection.getresponse().read() == (
            b'{"multiAssetsMargin":%s}' % str(final).lower().encode()
        )
        connection.close()
        # Real time: two successes to the same mode need a success to the other mode that
        # could sit between them.
        successes = sorted(to_true + to_false, key=lambda o: o.end)
        for first, second in zip(successes, successes[1:], strict=False):
            if first.target == second.target and first.end < second.start:
                assert any(
                    o.target != first.target and o.end > first.start and o.start < second.end
                    for o in successes
                ), (first, second)
        # And what was answered is what was committed.
        assert (
            ControlClient(server.base_url, server.admin_token).state("demo")["multiAssetsMargin"]
            is final
        )


def _token() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


def _fixture(count: int) -> tuple[dict[str, Any], dict[str, Credentials]]:
    keys = {f"acct{n:04d}": Credentials(_token(), _token()) for n in range(count)}
    document = {
        "format": "multiassets/state@1",
        "accounts": [
            {
                "name": name,
                "state": {},
                "keys": [
                    {
                        "apiKey": c.api_key,
                        "secretKey": c.secret,
                        "type": "HMAC",
                        "permissions": ["USER_DATA", "TRADE"],
                        "ipAllowlist": None,
                    }
                ],
            }
            for name, c in keys.items()
        ],
    }
    return document, keys


@pytest.mark.parametrize("round_", range(5), ids=lambda n: f"round-{n}")
def test_sigkill_mid_storm_loses_no_acknowledged_change(tmp_path: Path, round_: int) -> None:
    accounts = 300
    document, keys = _fixture(accounts)
    with backend_database() as db_url, testing.serve(tmp_path / "s", db_url=db_url) as server:
        server.control.import_(document)
        port, db_url, token = server.port, server.db_url, server.admin_token
        work: queue.Queue[str] = queue.Queue()
        for name in keys:
            work.put(name)
        acknowledged: set[str] = set()
        lock = threading.Lock()

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                while True:
                    try:
                        name = work.get_nowait()
                    except queue.Empty:
                        return
                    if post_mode(connection, keys[name], True) == 200:
                        with lock:
                            acknowledged.add(name)
            except (OSError, http.client.HTTPException):
                return  # the server was killed under us
            finally:
                connection.close()

        threads = [threading.Thread(target=client) for _ in range(16)]
        for thread in threads:
            thread.start()
        # Kill once a share of the storm is acknowledged, different in every round.
        goal = accounts * (0.15 + 0.15 * round_)
        deadline = time.monotonic() + 20
        while len(acknowledged) < goal and time.monotonic() < deadline:
            time.sleep(0.001)
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait()
        for thread in threads:
            thread.join()
        killed_with = set(acknowledged)
        assert 0 < len(killed_with) < accounts, "the kill must land in the middle of the storm"

        with testing.serve_existing(db_url, token, port=port):
            exported = ControlClient(f"http://127.0.0.1:{port}", token).export()
            on = {a["name"] for a in exported["accounts"] if a["state"]["multiAssetsMargin"]}
            assert killed_with <= on, f"lost: {sorted(killed_with - on)[:5]}"
            # Over Binance's own endpoint too, for a sample.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            for name in sorted(killed_with)[:20]:
                payload = f"timestamp={now_ms()}"
                connection.request(
                    "GET",
                    f"{MODE}?{payload}&signature={sign(keys[name].secret, payload)}",
                    headers={"X-MBX-APIKEY": keys[name].api_key},
                )
                assert connection.getresponse().read() == b'{"multiAssetsMargin":true}'
            connection.close()

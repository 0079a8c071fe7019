"""The inspector page in a real headless Chromium, and the Prometheus metrics."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ...support import Server, now_ms, running_server, sign

ARTIFACTS = Path(__file__).resolve().parents[3] / "docs"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("ui"), "--weight-limit", "1000000") as server:
        yield server


def get(srv: Server, path: str, token: str | None = None) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    result = response.status, response.getheader("content-type") or "", response.read().decode()
    connection.close()
    return result


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return found


def browse(url: str, tmp: Path, *extra: str) -> str:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}",
        "--virtual-time-budget=4000",
        "--window-size=1280,900",
        *extra,
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return result.stdout


def test_metrics_count_requests_refusals_and_faults(srv: Server) -> None:
    srv.request("GET", "/fapi/v1/ping")
    srv.request("GET", "/fapi/v1/multiAssetsMargin")  # -2014
    srv.control.add_fault(kind="internal_error", path="/fapi/v1/time", times=1)
    srv.request("GET", "/fapi/v1/time")
    status, content_type, text = get(srv, "/_multiassets/metrics", srv.admin_token)
    assert status == 200 and content_type.startswith("text/plain")
    assert (
        'multiassets_requests_total{code="0",method="GET",path="/fapi/v1/ping",status="200"}'
        in text
    )
    assert (
        'multiassets_requests_total{code="-2014",method="GET",path="/fapi/v1/multiAssetsMargin",status="401"} 1.0'
        in text
    )
    assert 'multiassets_injected_faults_total{kind="internal_error"} 1.0' in text
    assert (
        "multiassets_request_seconds_bucket" in text and "multiassets_request_seconds_count" in text
    )
    assert get(srv, "/_multiassets/metrics")[0] == 401


def test_inspector_page_lists_accounts_and_explains_a_refusal(srv: Server, tmp_path: Path) -> None:
    payload = f"timestamp={now_ms()}"
    srv.request(
        "GET",
        "/fapi/v1/multiAssetsMargin",
        f"{payload}&signature={sign('x' * 64, payload)}",
        headers={"X-MBX-APIKEY": srv.demo.api_key},
    )
    url = f"{srv.base_url}/_multiassets/ui#token={srv.admin_token}"
    dom = browse(url, tmp_path, "--dump-dom")
    assert "<td>demo</td><td>Single-Asset</td>" in dom
    assert "wrong secret, or the string changed on the way" in dom
    assert 'id="status" class="ok">live<' in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "inspector.png"
    browse(url, tmp_path, f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000


def test_inspector_page_shows_nothing_without_the_token(srv: Server, tmp_path: Path) -> None:
    dom = browse(f"{srv.base_url}/_multiassets/ui", tmp_path, "--dump-dom")
    assert "A valid token is required." in dom
    assert "<td>demo</td>" not in dom
    dom = browse(f"{srv.base_url}/_multiassets/ui#token=wrong", tmp_path, "--dump-dom")
    assert "A valid token is required." in dom

"""Names in paths: every account the control plane creates is reachable by every route that
names it, and so is an account whose name needs percent-encoding (made before names had an
alphabet): routing splits the path as sent, then decodes each segment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from multiassets.admin import AdminError
from multiassets.store import CreateAccount, open_store

from ...support import Server, running_server

#: Each route of the control plane that names an account, and a body it accepts.
ACCOUNT_ROUTES: tuple[tuple[str, str, Any], ...] = (
    ("GET", "accounts/{}/state", None),
    ("PATCH", "accounts/{}/state", {"multiAssetsMargin": True}),
    ("PUT", "accounts/{}/state", {"balances": {"USDT": "10"}}),
    ("POST", "accounts/{}/keys", {"permissions": ["USER_DATA"]}),
    ("GET", "accounts/{}/keys", None),
    ("DELETE", "accounts/{}", None),
)


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("names")) as server:
        yield server


def walk(srv: Server, name: str, encode: bool) -> list[int]:
    """The status of each account route for ``name``, its path encoded or sent as it is."""
    segment = quote(name, safe="") if encode else name
    token = {"Authorization": f"Bearer {srv.admin_token}", "Content-Type": "application/json"}
    statuses = []
    for method, template, body in ACCOUNT_ROUTES:
        document = b"" if body is None else json.dumps(body).encode()
        reply = srv.request(
            method, "/_multiassets/" + template.format(segment), body=document, headers=token
        )
        statuses.append(reply.status)
    return statuses


@pytest.mark.parametrize("name", ["a/b", "a b", "ünï", "a%2Fb", "?#", "..", "a;b"])
def test_an_account_whose_name_needs_encoding_is_reachable_by_every_route(
    srv: Server, name: str
) -> None:
    """Found by an outside probe: "a/b" was created, then every route answered 404 (the path
    was decoded before it was split). Such names can't be made any more, but a database made
    before may hold them."""
    store = open_store(srv.db_url)
    try:
        store.apply([CreateAccount(name)])
    finally:
        store.close()
    assert walk(srv, name, encode=True) == [200] * len(ACCOUNT_ROUTES)
    with pytest.raises(AdminError) as caught:
        srv.control.state(name)
    assert (caught.value.status, str(caught.value)) == (404, f"no account named {name!r}")


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        st.text(max_size=70),
        st.text("abcXYZ019._-/%? ", min_size=1, max_size=66),
    )
)
def test_every_name_the_control_plane_accepts_is_reachable_by_every_route(
    srv: Server, name: str
) -> None:
    try:
        srv.control.create_account(name)
    except AdminError as error:
        assert error.status == 400, (name, error)
        assert srv.control.list_accounts() == [{"name": "demo", "multiAssetsMargin": False}]
        return
    # Sent as it is: the alphabet needs no encoding in a path.
    assert walk(srv, name, encode=False) == [200] * len(ACCOUNT_ROUTES)
    srv.control.create_account(name)
    assert walk(srv, name, encode=True) == [200] * len(ACCOUNT_ROUTES)

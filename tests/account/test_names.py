"""Account names: the alphabet, held by creating an account and by importing one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from multiassets.admin import DEMO_ACCOUNT, Admin, AdminError
from multiassets.store import open_store

RULE = (
    'an account name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'
)


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[Admin]:
    store = open_store(f"sqlite:///{tmp_path / 'names.db'}")
    try:
        yield Admin(store)
    finally:
        store.close()


def refusal(admin: Admin, name: Any) -> tuple[int, str]:
    with pytest.raises(AdminError) as caught:
        admin.create_account(name)
    return caught.value.status, str(caught.value)


@pytest.mark.parametrize(
    "name",
    [DEMO_ACCOUNT, "a", "7", "Alice.B_c-9", "x" * 64, "bot-2024.v1", "a..b", "z_"],
)
def test_a_name_of_the_alphabet_is_taken(admin: Admin, name: str) -> None:
    assert admin.create_account(name) == {"name": name, "multiAssetsMargin": False}
    assert [account["name"] for account in admin.list_accounts()] == [name]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("a/b", id="slash"),
        pytest.param("a b", id="space"),
        pytest.param("", id="empty"),
        pytest.param("x" * 65, id="65-characters"),
        pytest.param(".", id="dot-segment"),
        pytest.param("..", id="dot-dot-segment"),
        pytest.param(".hidden", id="leading-dot"),
        pytest.param("-x", id="leading-dash-an-option"),
        pytest.param("_x", id="leading-underscore"),
        pytest.param("a~b", id="tilde"),
        pytest.param("a%2Fb", id="percent"),
        pytest.param("a?b", id="question-mark"),
        pytest.param("ünï", id="non-ascii-letters"),
        pytest.param("a\n", id="trailing-newline"),
    ],
)
def test_a_name_outside_the_alphabet_is_refused_with_the_rule(admin: Admin, name: str) -> None:
    assert refusal(admin, name) == (400, f"{RULE}, not {name!r}")
    assert admin.list_accounts() == []


@pytest.mark.parametrize("name", [5, None, True, ["demo"], {"name": "demo"}])
def test_a_name_that_is_not_a_string_is_refused_not_coerced(admin: Admin, name: Any) -> None:
    assert refusal(admin, name) == (400, f"{RULE}, not {name!r}")
    assert admin.list_accounts() == []


def test_a_long_refused_name_is_quoted_cut_short(admin: Admin) -> None:
    name = "/" * 1000
    assert refusal(admin, name) == (400, f"{RULE}, not '{'/' * 69}…")


def export_of(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"format": "multiassets/state@1", "accounts": list(entries)}


@pytest.mark.parametrize(
    ("name", "shown"),
    [("a/b", "'a/b'"), (5, "5"), ("..", "'..'")],
    ids=["slash", "number", "dot-dot"],
)
def test_an_import_with_a_name_outside_the_alphabet_changes_nothing(
    admin: Admin, name: Any, shown: str
) -> None:
    admin.create_account("kept")
    document = export_of({"name": "fine", "keys": [], "state": {}}, {"name": name})
    with pytest.raises(AdminError) as caught:
        admin.import_(document)
    assert (caught.value.status, str(caught.value)) == (400, f"{RULE}, not {shown}")
    assert [account["name"] for account in admin.list_accounts()] == ["kept"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            export_of({"keys": []}),
            "invalid state document: an account needs its name",
            id="no-name",
        ),
        pytest.param(
            export_of({"name": "x", "keys": None}),
            "invalid state document: keys must be a list",
            id="null-keys",
        ),
        pytest.param(
            export_of({"name": "x", "owner": "me"}),
            "invalid state document: an account is {name, keys, state}",
            id="unknown-field",
        ),
        pytest.param(
            {"format": "multiassets/state@1"},
            "invalid state document: accounts must be a list",
            id="no-accounts",
        ),
        pytest.param(
            {**export_of(), "version": 2},
            "invalid state document: unknown fields: version",
            id="unknown-top-field",
        ),
    ],
)
def test_an_import_of_another_shape_is_refused(
    admin: Admin, document: dict[str, Any], message: str
) -> None:
    with pytest.raises(AdminError) as caught:
        admin.import_(document)
    assert (caught.value.status, str(caught.value)) == (400, message)


def test_an_import_leaving_out_keys_and_state_makes_an_empty_account(admin: Admin) -> None:
    admin.import_(export_of({"name": "bare"}))
    assert admin.export()["accounts"] == [
        {"name": "bare", "keys": [], "state": admin.state("bare")}
    ]
    assert admin.state("bare")["balances"] == {}

from __future__ import annotations

import pytest

from multiassets.protocol.keys import PERMISSIONS, is_api_key, new_token


def test_a_new_token_is_64_letters_and_digits_and_new() -> None:
    tokens = {new_token() for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert len(token) == 64 and token.isascii() and token.isalnum()
        assert is_api_key(token)
    assert len(new_token(16)) == 16


@pytest.mark.parametrize(
    "text",
    ["a" * 63, "a" * 65, "a" * 63 + "-", "a" * 63 + "é", " " + "a" * 63, "", None, 64],
    ids=["63", "65", "dash", "non-ascii", "space", "empty", "none", "int"],
)
def test_what_is_not_an_api_key(text: object) -> None:
    assert not is_api_key(text)


def test_an_api_key_is_exactly_64_ascii_letters_and_digits() -> None:
    assert is_api_key("aZ09" * 16)


def test_the_permissions_are_the_signed_security_types() -> None:
    assert PERMISSIONS == ("USER_DATA", "TRADE")

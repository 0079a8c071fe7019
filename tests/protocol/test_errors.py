from __future__ import annotations

from multiassets.protocol import categories, errors
from multiassets.protocol.errors import Category


def test_catalogue_names_are_unique_and_match_their_constants() -> None:
    names = [spec.name for spec in errors.CATALOGUE]
    assert len(names) == len(set(names))
    for spec in errors.CATALOGUE:
        assert getattr(errors, spec.name) is spec


def test_every_code_is_negative_and_every_status_an_http_error() -> None:
    for spec in errors.CATALOGUE:
        assert spec.code < 0
        assert 400 <= spec.status < 600


def test_by_code_lists_every_variant() -> None:
    assert {spec.name for spec in errors.by_code(-1021)} == {
        "TIMESTAMP_OUTSIDE_RECV_WINDOW",
        "TIMESTAMP_AHEAD",
    }
    assert errors.by_code(-9999) == ()


def test_api_error_fills_the_template() -> None:
    error = errors.ApiError(errors.REJECTED_MBX_KEY, ip="10.0.0.1")
    assert (error.code, error.status) == (-2015, 401)
    assert error.msg == "Invalid API-key, IP, or permissions for action, request ip: 10.0.0.1"


def test_binance_s_unauthorized_and_unexpected_response_are_recognised() -> None:
    assert errors.by_code(-1002) == (errors.UNAUTHORIZED,)
    assert (errors.UNAUTHORIZED.status, errors.UNAUTHORIZED.category) == (401, Category.AUTH)
    assert errors.UNAUTHORIZED.template == "You are not authorized to execute this request."
    assert errors.by_code(-1006) == (errors.UNEXPECTED_RESP,)
    assert errors.UNEXPECTED_RESP.category is Category.UNKNOWN_STATUS


def test_every_entry_keeps_its_category_at_its_own_status() -> None:
    for spec in errors.CATALOGUE:
        assert spec.category.holds_at(spec.status), spec.name
        assert categories.category_for(spec.code, spec.status, spec.template) is spec.category


def test_the_catch_all_entries_mean_what_their_status_and_message_say() -> None:
    # -1000's code says nothing: another message at the same status reads as the status.
    for spec in errors.by_code(categories.CATCH_ALL):
        assert categories.category_for(0, spec.status, spec.template) is spec.category, spec.name
        assert categories.category_for(spec.code, 400, spec.template) is None


def test_the_stronger_of_code_and_status_holds() -> None:
    assert categories.category_for(-2015, 503, "x") is Category.AUTH
    assert categories.category_for(-1003, 503, "x") is Category.RATE_LIMIT
    assert categories.category_for(-1102, 429, "x") is Category.RATE_LIMIT
    assert categories.category_for(-1102, 418, "x") is Category.BANNED
    assert categories.category_for(-4171, 500, "x") is Category.UNKNOWN_STATUS
    assert categories.category_for(-1001, 500, "x") is Category.SERVER
    assert categories.category_for(-1001, 400, "x") is None  # a certain failure needs a 5xx


def test_codes_outside_the_catalogue_take_their_range() -> None:
    assert categories.category_for(-1104, 400, "x") is Category.REQUEST
    assert categories.category_for(-4003, 400, "x") is Category.ACCOUNT_RULE
    assert categories.category_for(-2010, 400, "x") is None
    assert categories.category_for(0, 404, "x") is None

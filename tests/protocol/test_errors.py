from __future__ import annotations

from multiassets.protocol import errors


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

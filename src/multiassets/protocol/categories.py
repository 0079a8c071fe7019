"""Reading an answer back: what a Binance error's code, HTTP status and message say about the
request (the client's exceptions, ``multiassets._exceptions``, are chosen by it)."""

from __future__ import annotations

from .errors import IP_BANNED, TOO_MANY_REQUESTS, UNKNOWN, Category, by_code, failing

__all__ = ["CATCH_ALL", "RANGES", "category_for"]

_REQUEST, _ACCOUNT_RULE = Category.REQUEST, Category.ACCOUNT_RULE
_UNKNOWN, _SERVER = Category.UNKNOWN_STATUS, Category.SERVER

#: Binance's catch-all code: what a -1000 means is said by its status and message, not by it.
CATCH_ALL = UNKNOWN.code
#: Binance numbers its errors by kind: 11xx request issues, 4xxx order and account rules.
#: Codes outside the catalogue take the category of their range.
RANGES: tuple[tuple[range, Category], ...] = (
    (range(-1199, -1099), _REQUEST),
    (range(-4999, -3999), _ACCOUNT_RULE),
)
#: Messages that say a failure is certain whatever code carries them: the catch-all's.
_CERTAIN_FAILURES = frozenset(
    spec.template for spec in by_code(CATCH_ALL) if spec.category is _SERVER
)
#: What an HTTP status says by itself (a 5xx or a 408: see :func:`~.errors.failing`).
_STATUS_SAYS = {IP_BANNED.status: Category.BANNED, TOO_MANY_REQUESTS.status: Category.RATE_LIMIT}


def _code_says(code: int, status: int) -> Category | None:
    entries = by_code(code)
    if not entries:
        return next((category for codes, category in RANGES if code in codes), None)
    if code == CATCH_ALL:
        return None
    held = [entry.category for entry in entries if entry.category.holds_at(status)]
    return max(held, key=lambda category: category.strength, default=None)


def _status_says(status: int) -> Category | None:
    return _UNKNOWN if failing(status) else _STATUS_SAYS.get(status)


def category_for(code: int, status: int, message: str) -> Category | None:
    """What an answer Binance gave says about the request: the stronger of what its code says
    (its catalogue entries', else its range's) and what its HTTP status says; an unknown
    status becomes a certain failure when the message is one. None: nothing more than an
    error."""
    said = [category for category in (_code_says(code, status), _status_says(status)) if category]
    if not said:
        return None
    category = max(said, key=lambda category: category.strength)
    if category is _UNKNOWN and message in _CERTAIN_FAILURES:
        return _SERVER
    return category

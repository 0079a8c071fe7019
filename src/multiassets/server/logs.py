"""Logging for the server: what reaches a log never carries a signature."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

__all__ = ["LEVELS", "LOGGING", "RedactSignature", "logging_config", "redact"]

# A query parameter: its name (perhaps percent-encoded) and value, up to the next & or space.
_PARAMETER = re.compile(r"([?&])([^=&\s\"]*)=([^&\s\"]*)")


def redact(text: str) -> str:
    """``text`` with the value of every ``signature`` parameter blanked, however its name is
    encoded (the server decodes names, so ``%73ignature`` is a signature too)."""

    def blank(match: re.Match[str]) -> str:
        if unquote_plus(match.group(2)).lower() != "signature":
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}=<redacted>"

    return _PARAMETER.sub(blank, text)


class RedactSignature(logging.Filter):
    """Blanks ``signature=…`` in a record's message and arguments (uvicorn's access log
    prints the whole request target)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


#: Logs go to stderr; stdout carries only what a user may want to capture (the demo key).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": RedactSignature}},
    "formatters": {
        "generic": {"format": "%(asctime)s [%(levelname)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "formatter": "generic",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["redact"],
        },
    },
    "loggers": {
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "multiassets": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

#: The levels `multiassets serve --log-level` offers. Not uvicorn's "trace": it logs every ASGI
#: message whole, headers (API keys, bearer tokens) and bodies (signatures) included.
LEVELS = ("debug", "info", "warning", "error")


def logging_config(level: str = "info") -> dict[str, Any]:
    """:data:`LOGGING` at ``level`` for the server's and uvicorn's loggers."""
    config = copy.deepcopy(LOGGING)
    for logger in config["loggers"].values():
        logger["level"] = level.upper()
    return config

"""Logging for the server: what reaches a log never carries a signature."""

from __future__ import annotations

import logging
import re

__all__ = ["LOGGING", "RedactSignature"]

_SIGNATURE = re.compile(r"(signature=)[^&\s\"]*", re.IGNORECASE)


class RedactSignature(logging.Filter):
    """Blanks ``signature=…`` in a record's message and arguments (uvicorn's access log
    prints the whole request target)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _SIGNATURE.sub(r"\1<redacted>", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SIGNATURE.sub(r"\1<redacted>", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


#: Logs go to stderr; stdout carries only what a user may want to capture (the demo key).
LOGGING = {
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

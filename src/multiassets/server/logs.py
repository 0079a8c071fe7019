"""Logging for the server: what reaches a log never carries a credential whole."""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

__all__ = ["LEVELS", "LOGGING", "SHOWN", "RedactCredentials", "logging_config", "redact"]

#: How much of a credential a log keeps: enough to tell keys apart, as the CLI and the request
#: log show API keys.
SHOWN = 8

# A query parameter: its name (perhaps percent-encoded) and value, up to the next & or space.
_PARAMETER = re.compile(r"([?&])([^=&\s\"]*)=([^&\s\"]*)")

# A credential's shape: listenKeys, API keys, HMAC secrets and control-plane tokens are 64
# letters and digits (``protocol.keys.new_token``). A longer run counts too, so a key glued to
# other letters (after an escape such as ``%2F``) is still caught; shortening a long run that
# is no key costs nothing.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64,}")

# The password in a URL's user part, e.g. ``redis://:password@host``: the errors logged when
# Redis is down name its URL. A scheme starts only where a run of its characters does, so a
# long run of letters is tried once, not from each of its characters.
_URL_PASSWORD = re.compile(r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)[^\s/@]*@")

# Formats a record's traceback the way the console handler's formatter would, so the text can
# be redacted before that formatter (which reuses ``exc_text``) prints it.
_TRACEBACKS = logging.Formatter()


def _blank_signature(match: re.Match[str]) -> str:
    if unquote_plus(match.group(2)).lower() != "signature":
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}=<redacted>"


def _shorten(match: re.Match[str]) -> str:
    return match.group(0)[:SHOWN] + "…"


def redact(text: str) -> str:
    """``text`` with every credential in it cut down: the value of each ``signature``
    parameter blanked, however its name is encoded (the server decodes names, so
    ``%73ignature`` is a signature too); a URL's password blanked; and every credential-shaped
    token (64 or more letters and digits) shortened to its first :data:`SHOWN` characters and
    "…"."""
    text = _PARAMETER.sub(_blank_signature, text)
    text = _URL_PASSWORD.sub(r"\1<redacted>@", text)
    return _TOKEN.sub(_shorten, text)


def _whole(arg: object) -> object:
    """``arg``, or, for a WebSocket frame, the frame with its payload redacted.

    The websockets library logs every frame at debug level, printed elided to its first 48
    and last 24 characters: a listenKey cut there is no longer whole, so no pattern would
    know it. Redacting the whole payload first leaves only the prefix to elide. The module is
    looked up rather than imported: the CLI imports this module without the server's extras,
    and a frame can only be logged once the library is loaded.
    """
    frames = sys.modules.get("websockets.frames")
    if frames is None or not isinstance(arg, frames.Frame):
        return arg
    text = bytes(arg.data).decode("utf-8", "surrogateescape")  # any bytes, and back unchanged
    redacted = redact(text)
    if redacted == text:
        return arg
    # The length printed is then the redacted payload's, not the sent frame's: a small lie
    # in a debug line, against a key in the log.
    return dataclasses.replace(arg, data=redacted.encode("utf-8", "surrogateescape"))


class RedactCredentials(logging.Filter):
    """Redacts (see :func:`redact`) a record's whole text: its message with its arguments
    (uvicorn prints request targets, the websockets library frames; the server prints
    exceptions, whose text may hold anything), and its traceback.

    The message is formatted here, once, and the arguments dropped: redacting only the
    arguments that are strings would miss a credential in any other object's text. This runs
    only for records that are logged, so its cost is one formatting and three regular
    expression passes per line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_whole(arg) for arg in record.args)
        try:
            message = record.getMessage()
        except Exception:
            # A malformed record: leave its formatting to fail where logging reports it, but
            # with nothing in it unredacted (the report prints the arguments).
            if isinstance(record.msg, str):
                record.msg = redact(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(redact(str(arg)) for arg in record.args)
            elif isinstance(record.args, Mapping):
                record.args = {name: redact(str(arg)) for name, arg in record.args.items()}
        else:
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


#: Logs go to stderr; stdout carries only what a user may want to capture (the demo key).
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": RedactCredentials}},
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

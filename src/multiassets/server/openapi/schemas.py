"""JSON Schema building blocks for the OpenAPI document (``document.py``)."""

from __future__ import annotations

import re
from typing import Any

from ...account.model import MARGIN_TYPES
from ...market import SYMBOLS

__all__ = [
    "BOOLEAN",
    "EMPTY",
    "INTEGER",
    "JSON",
    "LONG",
    "MARGIN_TYPE",
    "NULLABLE_INTEGER",
    "NULLABLE_STRING",
    "STRING",
    "SYMBOL",
    "any_case",
    "array",
    "enum",
    "obj",
    "operation_id",
    "schema_ref",
]

JSON = dict[str, Any]
STRING: JSON = {"type": "string"}
BOOLEAN: JSON = {"type": "boolean"}
INTEGER: JSON = {"type": "integer"}
LONG: JSON = {"type": "integer", "format": "int64"}
NULLABLE_STRING: JSON = {"type": ["string", "null"]}
NULLABLE_INTEGER: JSON = {"type": ["integer", "null"]}
EMPTY: JSON = {"type": "object", "maxProperties": 0}


def obj(properties: JSON, optional: tuple[str, ...] | bool = ()) -> JSON:
    """A closed object; every property required but those ``optional`` names (True: all)."""
    skip = properties if optional is True else optional or ()
    required = [name for name in properties if name not in skip]
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    return {**schema, "required": required} if required else schema


def array(items: JSON) -> JSON:
    return {"type": "array", "items": items}


def enum(values: tuple[str, ...]) -> JSON:
    return {"type": "string", "enum": list(values)}


def schema_ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def any_case(*words: str) -> JSON:
    """One of ``words`` in any letter case, as the server reads it: an enum would declare
    ``TRUE`` invalid, which the server accepts."""
    pattern = "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in word) for word in words)
    return {"type": "string", "pattern": f"^({pattern})$", "examples": list(words)}


SYMBOL: JSON = {"type": "string", "enum": [symbol.name for symbol in SYMBOLS]}
MARGIN_TYPE = enum(MARGIN_TYPES)


def operation_id(method: str, path: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", path)
    return method.lower() + "".join(word[:1].upper() + word[1:] for word in words)

"""The inspector page, ``/_multiassets/ui`` (``inspector.html`` beside this module): accounts
and their modes, and the live request log with why each refusal happened. One static page, no
build step; its data comes from the control plane with the same bearer token, which the page
asks for (or takes from ``#token=…``) and keeps in the tab's sessionStorage."""

from __future__ import annotations

from importlib.resources import files

__all__ = ["PAGE"]

PAGE = files(__package__).joinpath("inspector.html").read_bytes()

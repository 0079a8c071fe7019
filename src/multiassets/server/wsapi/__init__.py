"""Binance's WebSocket API (``ws-fapi``) on the same server: ``/ws-fapi/v1``.

``envelope.py`` reads the request frames and writes their answers, ``methods.py`` is the
method table, ``session.py`` the connection.
"""

from .session import WSAPI_PATH, serve_wsapi

__all__ = ["WSAPI_PATH", "serve_wsapi"]

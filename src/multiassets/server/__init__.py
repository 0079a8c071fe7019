"""The Binance-compatible HTTP server (a raw ASGI application)."""

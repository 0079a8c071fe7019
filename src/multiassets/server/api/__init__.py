"""Binance's API: the endpoints' handlers (``handlers.py``, each declared with what it serves),
the ordered checks (``checks.py``), the route table (``routes.py``), one request's pipeline
(``pipeline.py``) and the weight limiter (``ratelimit.py``)."""

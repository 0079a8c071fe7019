"""HTTP as Binance's edge speaks it: what is not readable HTTP (``edge.py``), responses
(``responses.py``), trusted proxies (``proxies.py``)."""

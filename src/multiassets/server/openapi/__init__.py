"""The OpenAPI 3.1 document (``document.py``), the control plane's declared routes
(``control.py``) and JSON Schema building blocks (``schemas.py``)."""

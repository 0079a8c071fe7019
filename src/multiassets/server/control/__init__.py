"""The control plane and the testing tools: its routes (``plane.py``), the clock and faults
shared by every process (``runtime.py``, ``faults.py``), the request log (``inspector.py``),
the inspector page (``ui.py``) and metrics (``metrics.py``)."""

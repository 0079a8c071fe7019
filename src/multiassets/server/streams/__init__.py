"""The user data stream: listenKeys (``listen_keys.py``), the streams of this process
(``hub.py``) and the WebSocket in every URL form (``websocket.py``)."""

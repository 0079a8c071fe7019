"""Many processes as one server: what they share through Redis (``shared.py``) and this
process's place among them: catching up, counting changes (``node.py``)."""

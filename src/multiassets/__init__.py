"""multiassets: a faithful local Binance USD-M Futures Multi-Assets Mode API.

The client lands here in a later release; importing this package never imports the server.
"""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]

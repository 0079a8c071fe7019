"""python-binance, unmodified: only its base URLs point at the server."""

import os

from binance import Client

base_url = os.environ["MULTIASSETS_BASE_URL"]


class LocalClient(Client):
    # python-binance keeps its hosts in class attributes; its constructor pings /api/v3/ping.
    API_URL = f"{base_url}/api"
    FUTURES_URL = f"{base_url}/fapi"


client = LocalClient(os.environ["MULTIASSETS_API_KEY"], os.environ["MULTIASSETS_API_SECRET"])
try:
    print(client.futures_get_multi_assets_mode())
    client.futures_change_multi_assets_mode(multiAssetsMargin=True)
    print(client.futures_get_multi_assets_mode())
    client.futures_change_multi_assets_mode(multiAssetsMargin=False)
finally:
    client.close_connection()

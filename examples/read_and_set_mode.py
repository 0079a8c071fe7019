"""Read the account's mode, switch it, and see a refused change as a typed exception."""

from multiassets import AccountRuleError, Client

# Key, secret and base URL come from MULTIASSETS_API_KEY, MULTIASSETS_API_SECRET and
# MULTIASSETS_BASE_URL (without a base URL the client talks to Binance itself).
with Client(time_sync=True) as client:
    print("multi-assets mode:", client.get_mode())
    client.set_mode(True)
    print("after the switch:", client.get_mode())
    try:
        client.set_mode(True)  # already in that mode
    except AccountRuleError as refused:
        print(f"refused: {refused.code} {refused.msg}")
    print("ensure_mode(False) changed it:", client.ensure_mode(False))

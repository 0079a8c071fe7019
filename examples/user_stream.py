"""The user data stream: each committed mode change arrives as ACCOUNT_CONFIG_UPDATE."""

import asyncio

from multiassets import AccountConfigUpdate, AsyncClient


async def main() -> None:
    async with AsyncClient() as client:
        stream = client.user_stream()  # opens a listenKey, connects, keeps the key alive
        first_event = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.5)  # let it connect: events are for connected streams only
        await client.set_mode(not await client.get_mode())
        event = await asyncio.wait_for(first_event, 10)
        if isinstance(event, AccountConfigUpdate):
            print("ACCOUNT_CONFIG_UPDATE, multi-assets mode:", event.multi_assets_margin)
        await stream.aclose()  # closes the listenKey
        await client.set_mode(False)


asyncio.run(main())

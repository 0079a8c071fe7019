"""The cluster (``server/cluster/node.py``): each commit is counted in Redis as its writes declare
(``Write.counted``) before it is acknowledged, and the process passes over its own counts
without reading the database again."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import redis

from multiassets.server.cluster.node import RedisCluster
from multiassets.server.cluster.shared import Changes
from multiassets.server.config import ServerConfig
from multiassets.server.state import ServerState
from multiassets.store import CreateAccount, Reset, SetMarginType, SetMode

from ...support import redis_url


def test_each_commit_is_counted_as_its_writes_declare(tmp_path: Path) -> None:
    url, prefix = redis_url(), f"multiassets-test:{uuid.uuid4().hex[:12]}:"
    state = ServerState(
        ServerConfig(f"sqlite:///{tmp_path / 'c.db'}", redis_url=url, redis_prefix=prefix)
    )
    cluster = state.cluster
    assert isinstance(cluster, RedisCluster) and state.shared is not None
    shared = state.shared
    [account_id] = state.store.apply([CreateAccount("alice")])
    assert isinstance(account_id, int)

    async def scenario() -> tuple[list[Changes | None], int]:
        await state.writer.commit(SetMode(account_id, True, 0, 1_800_000_000_123))
        await state.writer.commit(SetMarginType(account_id, "BTCUSDT", "ISOLATED", 1))
        await cluster.count_writes([SetMode(account_id, False), Reset()])
        counted = [await shared.changed_accounts(n, n + 1) for n in range(3)]
        seen = cluster.changes_seen
        await state.aclose()
        return counted, seen

    try:
        counted, seen = asyncio.run(scenario())
    finally:
        client = redis.Redis.from_url(url)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
    # A mode change decided on version 0 tells the new version, mode and time; a margin-type
    # change, only the account (read it again); a commit with a reset in it, that anything did.
    assert counted == [{account_id: (1, True, 1_800_000_000_123)}, {account_id: None}, None]
    assert seen == 3  # all three were this process's own

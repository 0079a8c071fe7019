"""This process among the others serving the same database (the CLI, other servers): keeping
what it holds current with what they commit, and, with Redis, telling them what it commits and
sharing one set of runtime settings (clock, fault rules).

Without Redis (:class:`Cluster`), other processes' commits reach this one through the database:
the app polls the store (PostgreSQL's notifications, SQLite's data_version) and calls
:meth:`Cluster.reload`, and a change decided on an old copy of an account is refused as Stale
and read again (:meth:`Cluster.refresh_account`). With Redis (:class:`RedisCluster`), every
request's charge also brings the shared change counter and runtime-settings version
(``shared.py``), so the process catches up before it answers anything.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

from ...account.prices import Market
from ...store import Account, Store, Write
from ...store.base import ModeChange
from ..clock import Clock
from ..control.faults import FaultInjector
from ..registry import Registry
from ..streams.hub import StreamHub, config_update
from ..writer import CommitQueue
from .shared import CHANGES_KEPT, Changes, Shared, SharedUnavailable

__all__ = ["Cluster", "RedisCluster"]

log = logging.getLogger("multiassets.server")


class Cluster:
    """A process with no Redis: it learns of others' commits from the database, and has no
    one to tell of its own or share its runtime settings with."""

    # Each part has its own type: mypy finds them given out of order.
    def __init__(
        self,
        store: Store,
        writer: CommitQueue,
        registry: Registry,
        streams: StreamHub,
        clock: Clock,
        faults: FaultInjector,
        market: Market,
    ) -> None:
        self.store = store
        self.writer = writer
        self.registry = registry
        self.streams = streams
        self.clock = clock
        self.faults = faults
        self.market = market

    # -- what the database says other processes committed --------------------------------------

    def reload(self, modes: list[ModeChange] | None = None) -> None:
        """Read accounts and keys again; the mode changes committed meanwhile (a control-plane
        write, another process) are announced on the accounts' streams like any committed
        change: those in ``modes``, each once and in order, when the database told them;
        on SQLite, those seen by comparing before and after (on PostgreSQL, the notifications
        will tell them). Call it holding every account's lock."""
        before = {a.id: a.state.multi_assets_margin for a in self.registry.accounts()}
        self.registry.reload()
        if modes is not None:
            self.announce(modes)
        elif not self.store.notifies_modes:
            self._announce_differences(before)

    def announce(self, modes: list[ModeChange]) -> None:
        """Announce committed mode changes, in the order given; one this process committed
        only to the streams opened before it did."""
        for account_id, mode, committed_at in modes:
            event = config_update(mode, self.clock.now_ms())
            self.streams.publish(account_id, event, opened_before=committed_at)

    def _announce_differences(self, before: dict[int, bool]) -> None:
        for account_id, mode_before in before.items():
            account = self.registry.get(account_id)
            mode = account.state.multi_assets_margin if account is not None else mode_before
            if mode != mode_before:
                self.streams.publish(account_id, config_update(mode, self.clock.now_ms()))

    async def refresh_account(self, account: Account) -> None:
        """Read ``account`` again from the database, in place (another process changed it).
        Call it holding the account's lock."""
        fresh = await self.writer.run(lambda: self.store.account(account.name))
        if fresh is None or fresh.id != account.id:
            self.registry.forget(account.id)
            return
        if (
            fresh.state.multi_assets_margin != account.state.multi_assets_margin
            and not self.store.notifies_modes
        ):
            self.streams.publish(
                account.id, config_update(fresh.state.multi_assets_margin, self.clock.now_ms())
            )
        account.state, account.version = fresh.state, fresh.version
        account.updated_ms = fresh.updated_ms

    # -- the runtime settings (clock, faults, market) --------------------------------------------

    def runtime_document(self) -> dict[str, Any]:
        clock = self.clock
        return {
            "clock": {"offsetMs": clock.offset_ms, "frozenMs": clock.frozen_ms},
            "faults": self.faults.snapshot(),
            "market": self.market.to_json(),
        }

    def apply_runtime(self, document: dict[str, Any] | None) -> None:
        """Run on ``document``'s clock, faults and market (None: the defaults)."""
        clock = (document or {}).get("clock", {})
        self.clock.offset_ms = clock.get("offsetMs", 0)
        self.clock.frozen_ms = clock.get("frozenMs")
        faults = (document or {}).get("faults")
        if faults is None:
            self.faults.clear()
        else:
            self.faults.restore(faults)
        market = Market.from_json((document or {}).get("market", {}))
        self.market.mark_prices, self.market.asset_index = market.mark_prices, market.asset_index

    async def join(self, faults_file: str | None) -> None:
        """At start: take the settings the other processes run on (none here)."""

    async def catch_up_runtime(self) -> None:
        """Take the runtime settings other processes published (none here)."""

    async def publish_runtime(self) -> bool:
        """Publish this process's runtime settings: False if another process changed them
        since this one took them (never here)."""
        return True

    # -- telling the others ----------------------------------------------------------------------

    async def count_writes(self, writes: list[Write]) -> None:
        """Tell the other processes what these committed writes changed (no one here)."""

    async def count_change(self, changes: Changes | None = None) -> None:
        """Tell the other processes this one committed ``changes`` (no one here)."""


class RedisCluster(Cluster):
    """A process sharing Redis with the others: each committed change is counted there before
    it is acknowledged, and each request catches up with the counter and the runtime settings
    its charge's reply brings (:class:`~multiassets.server.cluster.shared.SharedLimiter`)."""

    def __init__(
        self,
        shared: Shared,
        store: Store,
        writer: CommitQueue,
        registry: Registry,
        streams: StreamHub,
        clock: Clock,
        faults: FaultInjector,
        market: Market,
    ) -> None:
        super().__init__(store, writer, registry, streams, clock, faults, market)
        self.shared = shared
        #: The version of the shared runtime settings (clock, faults, market) this process runs on.
        self.runtime_version = 0
        #: The shared change counter as of this process's last look at the database.
        self.changes_seen = 0
        #: Counter values of this process's own changes, not yet passed by changes_seen.
        self._own_changes: set[int] = set()
        #: This process's counts in flight: a catch-up waits for them, so as not to read the
        #: database again for a change that is its own.
        self._counting: set[asyncio.Future[None]] = set()
        self._catching_up: asyncio.Lock | None = None

    # -- the runtime settings ----------------------------------------------------------------

    async def join(self, faults_file: str | None) -> None:
        """At start: run on the shared runtime settings; a faults file given to this process
        replaces the shared rules (ids continuing the shared ones)."""
        while True:
            await self.catch_up_runtime()
            if faults_file is None:
                return
            self.faults.load(json.loads(Path(faults_file).read_text()))
            if await self.publish_runtime():
                return

    async def catch_up_runtime(self) -> None:
        version, document = await self.shared.runtime()
        if version != self.runtime_version:
            self.apply_runtime(document)
            self.runtime_version = version

    async def publish_runtime(self) -> bool:
        """Publish this process's runtime settings, unless another process changed them since
        this one last took them (then take theirs and return False: the caller redoes its
        change on them)."""
        version = await self.shared.publish_runtime(self.runtime_version, self.runtime_document())
        if version is None:
            await self.catch_up_runtime()
            return False
        self.runtime_version = version
        return True

    # -- catching up with the others' changes --------------------------------------------------

    async def catch_up_changes(self, counter: int, carried: Changes | None = None) -> None:
        """Another process committed a change (the shared counter moved): take it before
        answering, so no request sees less than what was acknowledged. ``carried``: what the
        changes since the count this process had seen did, when the charge's reply brought
        them (else they are fetched)."""
        if counter == self.changes_seen:
            return
        if self._counting:
            await asyncio.wait(list(self._counting))
        self._pass_own_changes()
        if counter == self.changes_seen:
            return
        if self._catching_up is None:
            self._catching_up = asyncio.Lock()
        async with self._catching_up:
            if counter != self.changes_seen:
                await self._catch_up_to(counter, carried)

    async def _catch_up_to(self, counter: int, carried: Changes | None) -> None:
        seen = self.changes_seen
        changed = carried
        if counter < seen:
            if seen - counter <= CHANGES_KEPT:
                return  # a reply read before this process's own count: nothing to take
            # The counter went far back: Redis lost its data. Read everything again, and
            # forget which counts were this process's own.
            changed = None
            self._own_changes.clear()
        elif changed is None:
            changed = await self.shared.changed_accounts(seen, counter)
        if changed is None:
            async with self.registry.all_locked():
                self.reload()
        else:
            async with self.registry.locked(sorted(changed)):
                self._take_changes(changed)
        self.changes_seen = counter
        self._own_changes = {n for n in self._own_changes if n > counter}

    def _take_changes(self, changed: Changes) -> None:
        """Apply mode changes whose version follows the one held here; read the rest again.
        On SQLite, announce the modes that changed (PostgreSQL's notifications do there)."""
        again: set[int] = set()
        before: dict[int, bool] = {}
        for account_id, change in changed.items():
            account = self.registry.get(account_id)
            if account is None:
                again.add(account_id)
                continue
            before[account_id] = account.state.multi_assets_margin
            if change is None or change[0] > account.version + 1:
                again.add(account_id)
            elif change[0] == account.version + 1:
                account.version, account.state.multi_assets_margin, at_ms = change
                if at_ms is not None:
                    account.updated_ms = at_ms
        if again:
            self.registry.refresh(again)
        if not self.store.notifies_modes:
            self._announce_differences(before)

    def _pass_own_changes(self) -> None:
        while self.changes_seen + 1 in self._own_changes:
            self.changes_seen += 1
            self._own_changes.discard(self.changes_seen)

    # -- telling the others ------------------------------------------------------------------

    async def count_writes(self, writes: list[Write]) -> None:
        """Count what committed writes changed, as each declares it (``Write.counted``)."""
        changes: Changes = {}
        for write in writes:
            counted = write.counted()
            if counted is None:
                await self.count_change(None)
                return
            account_id, change = counted
            changes[account_id] = change
        await self.count_change(changes)

    async def count_change(self, changes: Changes | None = None) -> None:
        """Tell the other processes this one committed ``changes`` (None: to anything),
        before acknowledging them."""
        counted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._counting.add(counted)
        try:
            counter = await self.shared.count_change(changes)
        except SharedUnavailable as error:
            # Committed all the same: the others learn of it from the database's notifications.
            log.warning("could not count a committed change in Redis: %s", error)
            return
        finally:
            self._counting.discard(counted)
            counted.set_result(None)
        self._own_changes.add(counter)
        self._pass_own_changes()

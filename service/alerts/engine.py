"""The alert engine: fires due alerts and delivers their messages, at least once.

It runs an asyncio loop in a thread of its own. APScheduler (service/alerts/scheduler.py) only
wakes it; each round claims its work in the database, so a crash at any moment loses nothing:
unclaimed work stays pending, and claimed work comes back when its lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.alerts.delivery import Sender, SendPolicy
from service.alerts.dispatcher import Lateness, fire_due
from service.alerts.guard import Network, Resolver, system_resolver
from service.alerts.planner import Planner
from service.alerts.scheduler import Wakeups
from service.alerts.telemetry import EngineTelemetry
from service.clock import Clock, utc_now
from service.domain import UNSUBSCRIBED
from service.errors import StoreError
from service.store import Claimed, Outcome, Store

log = logging.getLogger(__name__)

_MAINTENANCE_LOCK = 0x7472_6561_7479  # "treaty": one replica does maintenance at a time
_REPLAN_BATCH = 500
_RETRY_AFTER_ERROR = 5.0
_HELD_ELSEWHERE = timedelta(milliseconds=500)
"""How soon to look again at work that is due but was not claimable: another worker's
transaction holds it, and will have fired or released it by then."""


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """What the engine needs of the settings, and no more."""

    late_after: timedelta
    late_alert_grace: timedelta
    webhook_allow: Sequence[Network]
    webhook_timeout: timedelta
    delivery_concurrency: int
    batch: int
    lease: timedelta
    give_up_after: timedelta
    safety_interval: timedelta
    listening_safety_interval: timedelta
    """The safety poll where writes wake the engine at once (PostgreSQL's LISTEN/NOTIFY)."""
    maintenance_interval: timedelta

    @property
    def lateness(self) -> Lateness:
        return Lateness(self.late_after, self.late_alert_grace)

    @property
    def policy(self) -> SendPolicy:
        return SendPolicy(
            self.webhook_allow, self.webhook_timeout, self.delivery_concurrency, self.late_after
        )

    @property
    def claim_size(self) -> int:
        """Deliveries per claim: no more than can be sent inside the lease if every receiver
        takes the whole timeout, with a round to spare. A claim that outlives its lease is
        claimed again by another worker while the first still sends it, and the first
        one's answers are then refused."""
        rounds = max(1, int(self.lease / self.webhook_timeout) - 1)
        return min(self.batch, self.delivery_concurrency * rounds)


class Engine:
    """Fire alerts and deliver messages whenever the database says work is due."""

    def __init__(
        self,
        store: Store,
        planner: Planner,
        settings: EngineSettings,
        clock: Clock = utc_now,
        resolve: Resolver = system_resolver,
    ) -> None:
        self.store = store
        self.planner = planner
        self.lateness = settings.lateness
        self.policy = settings.policy
        self.tuning = settings
        self.clock = clock
        self.resolve = resolve
        self.telemetry = EngineTelemetry()
        self.notices = store.work_notices(self.poke)
        """Another process's writes wake this engine at once (PostgreSQL); else it polls."""
        safety = (
            settings.safety_interval if self.notices is None else settings.listening_safety_interval
        )
        self.wakeups = Wakeups(self.poke, self.maintain, safety, settings.maintenance_interval)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._ready = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(
            target=self._thread_main, name="treatycal-engine", daemon=True
        )

    # ------------------------------------------------------------------ control

    def start(self) -> None:
        """Re-plan if the alert settings changed, then start waking; returns once it runs."""
        self._thread.start()
        self._ready.wait()
        self.wakeups.start()
        if self.notices is not None:
            self.notices.start()
        log.info("alert engine started", extra={"action": "engine_started"})

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        if self.notices is not None:
            self.notices.stop()
        self.wakeups.shutdown()
        self.poke()
        self._thread.join(timeout)
        log.info("alert engine stopped", extra={"action": "engine_stopped"})

    @property
    def running(self) -> bool:
        """Started, not stopped, and its loop has not died."""
        return self._thread.is_alive() and not self._stopping

    def poke(self) -> None:
        """Look for work now (thread-safe; called after commits and by APScheduler)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def maintain(self) -> None:
        """Return lapsed leases to the queue, and settle what no one will send; one replica."""
        try:
            with self.store.transaction() as tx:
                if not tx.try_lock(_MAINTENANCE_LOCK):
                    return
                released = tx.deliveries.release_expired(self.clock(), self.tuning.lease)
                tx.deliveries.cancel_orphaned(UNSUBSCRIBED, self.clock())
        except StoreError:
            log.exception("maintenance failed", extra={"action": "maintenance_failed"})
            return
        if released:
            log.warning(
                "%d deliveries were held by a sender that stopped; queued again",
                released,
                extra={"action": "leases_released"},
            )
        self.poke()

    # ------------------------------------------------------------------ the loop

    def _thread_main(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        try:
            await asyncio.to_thread(self._replan_on_start)
        finally:
            self._ready.set()
        async with Sender(
            self.policy, self.clock, self.resolve, telemetry=self.telemetry
        ) as sender:
            while not self._stopping:
                self._wake.clear()
                await self._round(sender)
                await self._wake.wait()

    def _replan_on_start(self) -> None:
        """Re-plan only if the settings plans depend on changed while nothing ran.

        Every write plans its commitment in its own transaction, and a subscription's offsets
        re-plan all when they change, so plans made under the same rules are current. When the
        rules did change, commitments are re-planned a batch at a time, each batch's rows locked
        while it is planned, so an edit made meanwhile is never overwritten by a stale plan. The
        new rules are recorded last: a start that is cut short re-plans again next time.
        """
        rules = self.planner.rules.fingerprint()
        try:
            with self.store.transaction() as tx:
                if tx.alerts.planned_with() == rules:
                    log.info("alert plans are current", extra={"action": "plans_current"})
                    return
            count = self._replan_everything()
            with self.store.transaction() as tx:
                tx.alerts.all_planned_with(rules, self.clock())
            log.info("re-planned %d commitments", count, extra={"action": "replanned"})
        except StoreError:
            log.exception("could not re-plan at start", extra={"action": "replan_failed"})

    def _replan_everything(self) -> int:
        after, count = "", 0
        while True:
            with self.store.transaction() as tx:
                batch = tx.commitments.locked_after(after, _REPLAN_BATCH)
                self.planner.replan(
                    tx, batch, "re-planned: the alert settings changed", self.clock()
                )
            if not batch:
                return count
            after, count = batch[-1].id, count + len(batch)
            log.info("re-planned %d commitments so far", count, extra={"action": "replanning"})

    async def _round(self, sender: Sender) -> None:
        """One pass over due work; an error is logged and retried, never the end of the engine."""
        try:
            await self._work(sender)
            self.wakeups.arm(await asyncio.to_thread(self._next_wakeup))
        except Exception:
            log.exception("an engine round failed; retrying", extra={"action": "engine_error"})
            self.wakeups.arm(self.clock() + timedelta(seconds=_RETRY_AFTER_ERROR))

    async def _work(self, sender: Sender) -> None:
        while not self._stopping:
            fired = await asyncio.to_thread(
                fire_due, self.store, self.planner.rules, self.lateness, self.clock()
            )
            sent = await self._deliver_batch(sender)
            if not fired and not sent:
                return

    async def _deliver_batch(self, sender: Sender) -> int:
        batch = await asyncio.to_thread(self._claim)
        if not batch:
            return 0
        answered: asyncio.Queue[Outcome | None] = asyncio.Queue()
        settling = asyncio.create_task(self._settle_as_answered(answered))
        try:
            async for outcome in sender.send_each(batch):
                answered.put_nowait(outcome)
        finally:
            answered.put_nowait(None)
            await settling
        return len(batch)

    async def _settle_as_answered(self, answered: asyncio.Queue[Outcome | None]) -> None:
        """Settle answers while the rest of the claim is still out, in one transaction for
        whatever has arrived since the last: a fast answer is never held for a slow one."""
        finished = False
        while not finished:
            group = [await answered.get()]
            while not answered.empty():
                group.append(answered.get_nowait())
            finished = None in group
            outcomes = [outcome for outcome in group if outcome is not None]
            if outcomes:
                await asyncio.to_thread(self._settle, outcomes)
                for outcome in outcomes:
                    _log_outcome(outcome)

    def _claim(self) -> list[Claimed]:
        with self.store.transaction() as tx:
            claimed = tx.deliveries.claim(self.clock(), self.tuning.claim_size, self.tuning.lease)
        self.telemetry.claimed(len(claimed))
        return claimed

    def _settle(self, outcomes: Sequence[Outcome]) -> None:
        with self.store.transaction() as tx:
            tx.deliveries.settle(outcomes, self.tuning.give_up_after)

    def _next_wakeup(self) -> datetime | None:
        """The next moment work falls due. A round ends only when it could claim nothing, so
        work already due is held by another worker: waking at once for it would spin, a
        transaction after another, until that worker commits."""
        with self.store.read() as tx:
            moments = [tx.alerts.next_fire_at(), tx.deliveries.next_due()]
        soonest = min((m for m in moments if m is not None), default=None)
        return None if soonest is None else max(soonest, self.clock() + _HELD_ELSEWHERE)


def _log_outcome(outcome: Outcome) -> None:
    if outcome.succeeded:
        log.debug(
            "delivered %s (HTTP %s, %.0f ms)",
            outcome.delivery_id,
            outcome.status_code,
            outcome.latency_ms,
            extra={"action": "webhook_delivered"},
        )
    else:
        log.warning(
            "delivery %s failed: %s; next attempt %s",
            outcome.delivery_id,
            outcome.error,
            outcome.retry_at.isoformat() if outcome.retry_at else "none (failed)",
            extra={"action": "webhook_failed"},
        )

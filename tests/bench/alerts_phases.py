"""Where the engine's time goes: one burst with the engine in this process, its steps timed.

The engine's loop is sequential: fire_due (claim due alerts, build payloads, queue
deliveries: one transaction), claim (lease a batch of deliveries), Sender.send_all (sign and
post the batch, `delivery_concurrency` at a time), settle (log attempts, mark deliveries).
Each step is wrapped with mock.patch for the run (no service code changes) and timed in the
thread that runs it: wall seconds and that thread's CPU seconds. With --profile each step is
also run under its own cProfile.Profile. Last, Sender.send_all alone, on made-up claims, as it
is, to split the send step.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import io
import pstats
import time
import timeit
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any
from unittest import mock

from standardwebhooks import Webhook

from service.alerts import Engine
from service.alerts.delivery import Sender, SendPolicy
from service.alerts.dispatcher import fire_due
from service.alerts.guard import check_url, check_url_async
from service.clock import utc_now
from service.store import Claimed
from tests.bench import alerts_setup as fixtures
from tests.bench.alerts_setup import Arrivals, Receiver, Tuning
from tests.bench.support import progress

STEPS = ("fire_due", "claim", "send_all", "settle")


@dataclass(frozen=True)
class Span:
    step: str
    started: float  # time.time()
    wall: float
    cpu: float
    items: int


@dataclass
class Steps:
    """Wall and thread-CPU seconds of each step that starts at or after `since`."""

    since: float = float("inf")
    spans: list[Span] = field(default_factory=list)
    profiles: dict[str, cProfile.Profile] | None = None

    def timed(self, step: str, call: Callable[..., Any], items: Callable[..., int]) -> Any:
        """`call`, timed in the thread that runs it; items(args, value) counts its work."""

        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started, wall, cpu = time.time(), time.perf_counter(), time.thread_time()
            with self._profiled(step, started):
                value = call(*args, **kwargs)
            self._add(step, started, wall, cpu, items(args, value))
            return value

        return timed_call

    def timed_send_all(self, call: Any) -> Any:
        """Sender.send_all, timed: its CPU is the event loop thread's, the sends included."""

        async def timed_call(sender: Sender, batch: Sequence[Any]) -> Any:
            started, wall, cpu = time.time(), time.perf_counter(), time.thread_time()
            with self._profiled("send_all", started):
                value = await call(sender, batch)
            self._add("send_all", started, wall, cpu, len(batch))
            return value

        return timed_call

    @contextlib.contextmanager
    def _profiled(self, step: str, started: float) -> Iterator[None]:
        if self.profiles is None or started < self.since:
            yield
            return
        self.profiles[step].enable()
        try:
            yield
        finally:
            self.profiles[step].disable()

    def _add(self, step: str, started: float, wall: float, cpu: float, items: int) -> None:
        if started >= self.since:
            spent = Span(step, started, time.perf_counter() - wall, time.thread_time() - cpu, items)
            self.spans.append(spent)

    def summary(self) -> dict[str, dict[str, float]]:
        found = {}
        for step in STEPS:
            spans = [s for s in self.spans if s.step == step]
            found[step] = {
                "calls": len(spans),
                "items": sum(s.items for s in spans),
                "wall_s": round(sum(s.wall for s in spans), 4),
                "thread_cpu_s": round(sum(s.cpu for s in spans), 4),
            }
        return found

    def first_start(self) -> float:
        return min((s.started for s in self.spans), default=float("nan"))

    def last_end(self) -> float:
        return max((s.started + s.wall for s in self.spans), default=float("nan"))

    def hot_spots(self, top: int = 12) -> dict[str, str]:
        texts = {}
        for step, profile in (self.profiles or {}).items():
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(top)
            texts[step] = out.getvalue()
        return texts


@contextlib.contextmanager
def _steps_timed(steps: Steps) -> Iterator[None]:
    """Wrap the engine's four steps in timers for the duration, without touching service code.

    claim and settle are the engine's own methods, each one transaction (args[0] is the engine).
    """
    with (
        mock.patch(
            "service.alerts.engine.fire_due",
            steps.timed("fire_due", fire_due, lambda _, fired: fired),
        ),
        mock.patch.object(
            Engine, "_claim", steps.timed("claim", Engine._claim, lambda _, got: len(got))
        ),
        mock.patch.object(
            Engine, "_settle", steps.timed("settle", Engine._settle, lambda args, _: len(args[1]))
        ),
        mock.patch.object(Sender, "send_all", steps.timed_send_all(Sender.send_all)),
    ):
        yield


@dataclass
class Breakdown:
    tuning: Tuning
    count: int
    lateness: list[float]
    arrivals: Arrivals
    woke_after_s: float
    busy_until_s: float
    steps: dict[str, dict[str, float]]
    process_cpu_s: float
    micro_us: dict[str, float]
    hot_spots: dict[str, str]
    problems: list[str]

    @property
    def seconds(self) -> float:
        return max(self.lateness, default=float("nan"))

    def figures(self) -> dict[str, Any]:
        return {
            "batch": self.tuning.batch,
            "concurrency": self.tuning.concurrency,
            "alerts": self.count,
            "received_distinct": len(self.lateness),
            "seconds_from_t": round(self.seconds, 3),
            "lateness_s": fixtures.quantiles(self.lateness),
            "requests": self.arrivals.requests,
            "signatures_verified": self.arrivals.verified,
            "signatures_failed": self.arrivals.failed,
            "first_step_after_t_s": round(self.woke_after_s, 4),
            "last_step_ended_after_t_s": round(self.busy_until_s, 3),
            "steps": self.steps,
            "process_cpu_s": round(self.process_cpu_s, 3),
            "per_call_us": self.micro_us,
            "profiled": bool(self.hot_spots),
        }


def breakdown(
    folder: Path, receiver: Receiver, tuning: Tuning, count: int, per_item: float, profile: bool
) -> Breakdown:
    """A burst of `count` alerts at T with the engine in this process and its steps timed."""
    name = f"in-process-b{tuning.batch}-c{tuning.concurrency}"
    opened = fixtures.open_database(folder, name, tuning, receiver.url)
    steps = Steps(profiles={s: cProfile.Profile() for s in STEPS} if profile else None)
    try:
        receiver.expect(opened.secret, fixtures.VERIFY_EVERY)
        with _steps_timed(steps):
            engine = opened.app.engine()
            engine.start()
            try:
                t = fixtures.choose_t(count, per_item, tuning)
                steps.since = t.timestamp()
                extra = " under cProfile" if profile else ""
                progress(f"{name}: {tuning.label}, engine in this process{extra}; T = {t:%X}")
                problems = fixtures.prepare(opened, tuning, t, [t] * count, name)
                watched = fixtures.watch(receiver, None, t.timestamp(), count, 300.0)
                arrivals = Arrivals.read(receiver, folder / f"{name}.arrivals.json")
            finally:
                engine.stop()
        payload = fixtures.payloads(opened)[0]
    finally:
        opened.app.close()
    lateness = sorted(at - t.timestamp() for at in arrivals.first.values())
    progress(f"{name}: {len(lateness):,} delivered in {max(lateness):.2f} s from T")
    return Breakdown(
        tuning,
        count,
        lateness,
        arrivals,
        steps.first_start() - t.timestamp(),
        steps.last_end() - t.timestamp(),
        steps.summary(),
        watched.bench_cpu_s,
        _micro(receiver.url, opened.secret, payload),
        steps.hot_spots(),
        problems + arrivals.problems(f"{name} engine", count),
    )


def _micro(url: str, secret: str, payload: str, number: int = 2000) -> dict[str, float]:
    """Microseconds per call of per-delivery steps the engine adds to a bare client."""
    allow = (IPv4Network(fixtures.LOOPBACK),)

    async def checks() -> None:
        for _ in range(number):
            await check_url_async(url, allow)

    started = time.perf_counter()
    asyncio.run(checks())
    hop = (time.perf_counter() - started) / number
    check = timeit.timeit(lambda: check_url(url, allow), number=number) / number
    sign = timeit.timeit(
        lambda: Webhook(secret).sign("msg_0123456789abcdef01234567", datetime.now(UTC), payload),
        number=number,
    )
    return {
        "guard: check_url, in the calling thread": round(1e6 * check, 1),
        "guard: check_url_async (a thread hop each)": round(1e6 * hop, 1),
        "signing: Webhook(secret).sign": round(1e6 * sign / number, 1),
    }


# ---------------------------------------------------------------------------- sending alone

SEND_BATCH = 200


def send_alone(
    receiver: Receiver, secret: str, payload: str, concurrencies: Sequence[int], count: int
) -> list[dict[str, Any]]:
    """Sender.send_all on `count` made-up claims, SEND_BATCH at a time: the send step alone."""
    results = []
    progress(f"Sender.send_all alone, {count:,} made-up claims, {SEND_BATCH} to a batch")
    for concurrency in concurrencies:
        receiver.expect(secret, fixtures.VERIFY_EVERY)
        seconds, cpu, failed = asyncio.run(
            _send_claims(receiver.url, secret, payload, concurrency, count)
        )
        distinct, _ = receiver.count()
        results.append(
            {
                "variant": "Sender as is",
                "concurrency": concurrency,
                "deliveries": count,
                "received_distinct": distinct,
                "failed": failed,
                "deliveries_per_s": round(count / seconds, 1),
                "cpu_ms_per_delivery": round(1000 * cpu / count, 3),
            }
        )
        progress(f"  concurrency {concurrency}: {count / seconds:,.0f}/s")
    return results


async def _send_claims(
    url: str, secret: str, payload: str, concurrency: int, count: int
) -> tuple[float, float, int]:
    policy = SendPolicy((IPv4Network(fixtures.LOOPBACK),), timedelta(seconds=15), concurrency)
    failed = 0
    async with Sender(policy, utc_now) as sender:
        started, cpu = time.perf_counter(), time.process_time()
        for first in range(0, count, SEND_BATCH):
            claims = [
                Claimed(
                    id=i,
                    message_id=f"msg_alone_{i:07d}",
                    subscription_id="sub_bench",
                    url=url,
                    secret=secret,
                    payload=payload,
                    attempt_count=0,
                    lease_token="bench",
                )
                for i in range(first, min(first + SEND_BATCH, count))
            ]
            failed += sum(not o.succeeded for o in await sender.send_all(claims))
        return time.perf_counter() - started, time.process_time() - cpu, failed

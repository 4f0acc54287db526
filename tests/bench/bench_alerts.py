"""Bench 4: the alert engine, as `treatycal worker`, delivering to a loopback receiver.

A. A burst: N alerts due at the same instant T (10,000; --quick 1,000), one subscription, one
   fast receiver in its own process (tests/bench/alerts_receiver.py). Measured from T until the
   receiver holds every distinct webhook-id: seconds, deliveries/s, lateness (arrival - T).
   Repeated for a few TREATYCAL_DELIVERY_BATCH / _CONCURRENCY settings, and set against bare
   clients posting the same bodies, signed the same way, to the same receiver. Two more bursts
   run the engine in this process with its steps timed, and Sender.send_all is timed alone,
   as it is and with one thing changed at a time (tests/bench/alerts_phases.py).
B. A steady stream: 1,000 alerts a second for 10 s (--quick 2 s), fire times 1 ms apart, and
   the same at 100 a second, a rate the engine keeps up with. Lateness is each message's
   arrival minus its own alert's fire_at, split where the engine claimed the alert
   (alerts.late_seconds): noticing it, then queueing, signing and sending.

How the data is made, and why T is never missed, is in tests/bench/alerts_setup.py.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select
from standardwebhooks import Webhook

from service.alerts.delivery import USER_AGENT
from service.settings import Settings
from service.store.tables import alerts, deliveries
from tests.bench import alerts_phases
from tests.bench import alerts_setup as fixtures
from tests.bench.alerts_phases import Breakdown
from tests.bench.alerts_setup import (
    VERIFY_EVERY,
    Arrivals,
    Opened,
    Receiver,
    Tuning,
    Watched,
    difference,
    quantile,
    quantiles,
    rounded,
)
from tests.bench.loadgen import cpu_seconds
from tests.bench.support import (
    Options,
    Outcome,
    progress,
    show,
    table,
    terminated_like_interrupted,
    write_result,
)

NAME = "alerts"
SAFETY_INTERVAL = 2.0
STEADY_RATES = (1000, 100)  # alerts a second: the rate asked about, and one the engine can keep
_BATCH = Settings.model_fields["delivery_batch"].default
_CONCURRENCY = Settings.model_fields["delivery_concurrency"].default


@dataclass(frozen=True)
class Plan:
    burst: int
    tunings: tuple[Tuning, ...]
    steady_rates: tuple[int, ...]
    steady_seconds: int
    wait_limit: float
    alone: int  # made-up claims for Sender.send_all alone

    @classmethod
    def for_options(cls, options: Options) -> Plan:
        default = Tuning(_BATCH, _CONCURRENCY, SAFETY_INTERVAL)
        fewer = Tuning(_BATCH, 8, SAFETY_INTERVAL)
        if options.quick:
            return cls(1000, (default, fewer), STEADY_RATES, 2, 120.0, 1000)
        bigger = Tuning(1000, 8, SAFETY_INTERVAL)
        return cls(10_000, (default, fewer, bigger), STEADY_RATES, 10, 300.0, 3000)


def run(options: Options) -> Outcome:
    plan = Plan.for_options(options)
    with (
        terminated_like_interrupted(),
        tempfile.TemporaryDirectory(prefix="treatycal-alerts-") as name,
        fixtures.receiver() as receiver,
    ):
        folder = Path(name)
        progress(f"receiver listening on 127.0.0.1:{receiver.port} (own process)")
        per_item = fixtures.timed_trial(folder, plan.tunings[0])
        progress(f"writing a commitment with its alert planned takes {1000 * per_item:.2f} ms")
        bursts = [
            _burst(folder, receiver, plan, tuning, per_item, f"burst-{index}")
            for index, tuning in enumerate(plan.tunings, 1)
        ]
        baselines = _baselines(folder, receiver, plan, bursts[0])
        alone = alerts_phases.send_alone(
            receiver, bursts[0].secret, bursts[0].payloads[0], _concurrencies(plan), plan.alone
        )
        breakdowns = [
            alerts_phases.breakdown(folder, receiver, tuning, plan.burst, per_item, options.profile)
            for tuning in plan.tunings[:2]
        ]
        steady = [_steady(folder, receiver, plan, rate, per_item) for rate in plan.steady_rates]
    return _report(options, plan, bursts, baselines, alone, breakdowns, steady)


# ---------------------------------------------------------------------------- A: a burst


@dataclass
class Burst:
    tuning: Tuning
    count: int
    arrivals: Arrivals
    watched: Watched
    t: float
    counts: dict[str, Any]
    problems: list[str]
    payloads: list[str] = field(repr=False)
    secret: str = field(repr=False)

    @property
    def label(self) -> str:
        return f"engine: {self.tuning.label}"

    @property
    def lateness(self) -> list[float]:
        return sorted(at - self.t for at in self.arrivals.first.values())

    @property
    def seconds(self) -> float:
        return max(self.lateness, default=float("nan"))

    @property
    def rate(self) -> float:
        return len(self.arrivals.first) / self.seconds

    def figures(self) -> dict[str, Any]:
        return {
            "batch": self.tuning.batch,
            "concurrency": self.tuning.concurrency,
            "alerts": self.count,
            "received_distinct": len(self.arrivals.first),
            "requests": self.arrivals.requests,
            "seconds_from_t": round(self.seconds, 3),
            "deliveries_per_s": round(self.rate, 1),
            "lateness_s": quantiles(self.lateness),
            "signatures_verified": self.arrivals.verified,
            "signatures_failed": self.arrivals.failed,
            "engine_cpu_s": rounded(self.watched.engine_cpu_s),
            "receiver_cpu_s": rounded(self.watched.receiver_cpu_s),
            "database": self.counts,
        }


def _burst(
    folder: Path, receiver: Receiver, plan: Plan, tuning: Tuning, per_item: float, name: str
) -> Burst:
    opened = fixtures.open_database(folder, name, tuning, receiver.url)
    try:
        receiver.expect(opened.secret, VERIFY_EVERY)
        with fixtures.worker(folder, opened.url, tuning, name) as running:
            t = fixtures.choose_t(plan.burst, per_item, tuning)
            progress(f"{name}: {tuning.label}: worker {running.pid} armed; T = {t:%X} UTC")
            problems = fixtures.prepare(opened, tuning, t, [t] * plan.burst, name)
            watched = fixtures.watch(
                receiver, running.pid, t.timestamp(), plan.burst, plan.wait_limit
            )
            arrivals = Arrivals.read(receiver, folder / f"{name}.arrivals.json")
        problems += arrivals.problems(f"engine: {tuning.label}", plan.burst)
        burst = Burst(
            tuning=tuning,
            count=plan.burst,
            arrivals=arrivals,
            watched=watched,
            t=t.timestamp(),
            counts=fixtures.database_counts(opened),
            problems=problems,
            payloads=fixtures.payloads(opened),
            secret=opened.secret,
        )
    finally:
        opened.app.close()
    progress(f"{name}: {len(arrivals.first):,} delivered in {burst.seconds:.2f} s from T")
    return burst


# ---------------------------------------------------------------------------- A: baselines


def _baselines(folder: Path, receiver: Receiver, plan: Plan, burst: Burst) -> list[Baseline]:
    """Bare clients posting the engine's own bodies, at every concurrency tried."""
    # General clients, for scale: httpx, and httpx2 (a fork with a reworked pool) when it is
    # installed. The engine has its own (service/alerts/http.py) since they cost ~1 ms a request.
    clients: list[tuple[str, Any]] = [("httpx", httpx)]
    if importlib.util.find_spec("httpx2") is not None:
        clients.append(("httpx2", importlib.import_module("httpx2")))
    found = []
    for name, module in clients:
        for concurrency in _concurrencies(plan):
            found.append(_baseline(folder, receiver, burst, name, module, concurrency))
    return found


def _concurrencies(plan: Plan) -> list[int]:
    return sorted({t.concurrency for t in plan.tunings}, reverse=True)


@dataclass
class Baseline:
    client: str
    concurrency: int
    seconds: float
    figures: dict[str, Any]

    @property
    def label(self) -> str:
        return f"bare {self.client}, concurrency {self.concurrency}"


def _baseline(
    folder: Path, receiver: Receiver, burst: Burst, name: str, module: Any, concurrency: int
) -> Baseline:
    progress(f"baseline: bare {name}.AsyncClient ({module.__version__}), concurrency {concurrency}")
    receiver.expect(burst.secret, VERIFY_EVERY)
    started_cpu, receiver_cpu = time.process_time(), cpu_seconds(receiver.process.pid)
    seconds, statuses = asyncio.run(
        _post_all(module, receiver.url, burst.secret, burst.payloads, concurrency)
    )
    bench_cpu = time.process_time() - started_cpu
    receiver_used = difference(receiver_cpu, cpu_seconds(receiver.process.pid))
    arrivals = Arrivals.read(receiver, folder / f"baseline-{name}-{concurrency}.json")
    count = len(burst.payloads)
    progress(f"  {count / seconds:,.0f} requests/s")
    return Baseline(
        name,
        concurrency,
        seconds,
        {
            "client": f"{name} {module.__version__}",
            "concurrency": concurrency,
            "requests": count,
            "received_distinct": len(arrivals.first),
            "seconds": round(seconds, 3),
            "requests_per_s": round(count / seconds, 1),
            "statuses": statuses,
            "client_cpu_s": round(bench_cpu, 3),
            "receiver_cpu_s": rounded(receiver_used),
            "signatures_verified": arrivals.verified,
            "signatures_failed": arrivals.failed,
            "body_bytes_mean": round(sum(map(len, burst.payloads)) / count),
        },
    )


def _baseline_problems(baselines: list[Baseline]) -> list[str]:
    problems = []
    for base in baselines:
        figures = base.figures
        if figures["statuses"] != {"204": figures["requests"]}:
            problems.append(f"{base.label}: answered {figures['statuses']}")
        if figures["received_distinct"] != figures["requests"] or figures["signatures_failed"]:
            problems.append(f"{base.label}: not every request arrived, or a signature failed")
    return problems


def _bare(baselines: list[Baseline], concurrency: int) -> Baseline:
    """The httpx baseline at this concurrency: the same client the engine uses."""
    return next(b for b in baselines if b.client == "httpx" and b.concurrency == concurrency)


async def _post_all(
    module: Any, url: str, secret: str, payloads: Sequence[str], concurrency: int
) -> tuple[float, dict[str, int]]:
    """Sign and post every body over `concurrency` keep-alive connections."""
    signer = Webhook(secret)
    statuses: dict[str, int] = {}
    work = iter(enumerate(payloads))
    limits = module.Limits(max_connections=concurrency)
    async with module.AsyncClient(limits=limits, trust_env=False, timeout=15.0) as client:

        async def post_some() -> None:
            for index, payload in work:
                message_id = f"msg_baseline_{index:06d}"
                now = datetime.now(UTC)
                headers = {
                    "content-type": "application/json",
                    "user-agent": USER_AGENT,
                    "webhook-id": message_id,
                    "webhook-timestamp": str(int(now.timestamp())),
                    "webhook-signature": signer.sign(message_id, now, payload),
                }
                response = await client.post(url, content=payload.encode(), headers=headers)
                key = str(response.status_code)
                statuses[key] = statuses.get(key, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(post_some() for _ in range(concurrency)))
        return time.perf_counter() - started, statuses


# ---------------------------------------------------------------------------- B: steady


@dataclass
class Steady:
    tuning: Tuning
    rate: int
    seconds: int
    count: int
    lateness: list[float]
    claimed: list[float]
    after_claim: list[float]
    by_second: list[dict[str, float]]
    watched: Watched
    arrivals: Arrivals
    problems: list[str]

    @property
    def label(self) -> str:
        return f"{self.rate:,}/s for {self.seconds} s, {self.tuning.label}"

    @property
    def late(self) -> int:
        return sum(1 for x in self.lateness if x > 1.0)

    def figures(self) -> dict[str, Any]:
        return {
            "rate_per_s": self.rate,
            "seconds": self.seconds,
            "batch": self.tuning.batch,
            "concurrency": self.tuning.concurrency,
            "alerts": self.count,
            "received_distinct": len(self.lateness),
            "requests": self.arrivals.requests,
            "lateness_ms": quantiles(self.lateness, 1000),
            "later_than_1s": self.late,
            "claimed_after_fire_at_ms": quantiles(self.claimed, 1000),
            "arrival_after_claim_ms": quantiles(self.after_claim, 1000),
            "by_second_ms": self.by_second,
            "signatures_verified": self.arrivals.verified,
            "signatures_failed": self.arrivals.failed,
            "engine_cpu_s": rounded(self.watched.engine_cpu_s),
            "receiver_cpu_s": rounded(self.watched.receiver_cpu_s),
        }


def _steady(folder: Path, receiver: Receiver, plan: Plan, rate: int, per_item: float) -> Steady:
    tuning, name = plan.tunings[0], f"steady-{rate}"
    count = rate * plan.steady_seconds
    opened = fixtures.open_database(folder, name, tuning, receiver.url)
    try:
        receiver.expect(opened.secret, VERIFY_EVERY)
        with fixtures.worker(folder, opened.url, tuning, name) as running:
            t = fixtures.choose_t(count, per_item, tuning)
            step = timedelta(seconds=1 / rate)
            fire_at = [t + i * step for i in range(count)]
            fixtures.plan_exactly(opened.app, fire_at)
            progress(
                f"{name}: {tuning.label}: {count:,} alerts, one every "
                f"{step.total_seconds() * 1000:g} ms from T = {t:%X} UTC"
            )
            problems = fixtures.prepare(opened, tuning, t, fire_at, name)
            limit = plan.steady_seconds + plan.wait_limit
            watched = fixtures.watch(receiver, running.pid, t.timestamp(), count, limit)
            arrivals = Arrivals.read(receiver, folder / f"{name}.arrivals.json")
        rows = _lateness_rows(arrivals, _fired(opened))
    finally:
        opened.app.close()
    by_second = []
    for second in range(plan.steady_seconds):
        late = sorted(r[1] for r in rows if int(r[0] - t.timestamp()) == second)
        by_second.append({"second": second, **quantiles(late, 1000)})
    steady = Steady(
        tuning, rate, plan.steady_seconds, count,
        sorted(r[1] for r in rows), sorted(r[2] for r in rows), sorted(r[1] - r[2] for r in rows),
        by_second, watched, arrivals, problems + arrivals.problems(name, count),
    )  # fmt: skip
    progress(f"{name}: p99 lateness {1000 * quantile(steady.lateness, 0.99):,.0f} ms")
    return steady


def _fired(opened: Opened) -> dict[str, tuple[float, float]]:
    """webhook-id -> (its alert's fire_at, how late the engine claimed it), from the database."""
    with opened.app.context.store.db.read() as conn:
        rows = conn.execute(select(alerts.c.id, alerts.c.fire_at, alerts.c.late_seconds))
        by_key = {f"alert:{r.id}": (r.fire_at.timestamp(), r.late_seconds or 0.0) for r in rows}
        sent = conn.execute(select(deliveries.c.message_id, deliveries.c.source_key)).all()
    return {r.message_id: by_key[r.source_key] for r in sent if r.source_key in by_key}


def _lateness_rows(
    arrivals: Arrivals, fired: dict[str, tuple[float, float]]
) -> list[tuple[float, float, float]]:
    """(fire_at, arrival - fire_at, claimed - fire_at) for each message that arrived."""
    return [
        (fired[mid][0], at - fired[mid][0], fired[mid][1])
        for mid, at in arrivals.first.items()
        if mid in fired
    ]


# ---------------------------------------------------------------------------- reporting


def _report(
    options: Options,
    plan: Plan,
    bursts: list[Burst],
    baselines: list[Baseline],
    alone: list[dict[str, Any]],
    breakdowns: list[Breakdown],
    steady: list[Steady],
) -> Outcome:
    show(_burst_table(bursts, baselines, breakdowns))
    for breakdown in breakdowns:
        show("\n" + _breakdown_table(breakdown))
    show("\n" + _micro_table(breakdowns[0]))
    show("\n" + _alone_table(alone))
    show("\n" + _steady_table(steady))
    for breakdown in breakdowns:
        for step, text in breakdown.hot_spots.items():
            show(f"\ncProfile of {step}, {breakdown.tuning.label}, by own time:\n{text.strip()}")
    notes = _notes(bursts, breakdowns, steady)
    for note in notes:
        show("note: " + note)
    parameters = {
        "burst_alerts": plan.burst,
        "tunings": [t.label for t in plan.tunings],
        "steady_rates_per_s": plan.steady_rates,
        "steady_seconds": plan.steady_seconds,
        "wait_limit_s": plan.wait_limit,
        "engine": "`treatycal worker` subprocess (and in-process bursts, steps timed)",
        "worker_settings": _worker_settings(),
        "receiver": "raw asyncio HTTP/1.1, keep-alive, answers 204, own process",
        "database": "SQLite file (WAL), fresh for each run",
        "signatures_checked": f"every {VERIFY_EVERY}th request, by the receiver",
    }
    figures = {
        "bursts": [b.figures() for b in bursts],
        "baselines": [b.figures for b in baselines],
        "send_all_alone": alone,
        "in_process_breakdowns": [b.figures() for b in breakdowns],
        "steady": [s.figures() for s in steady],
    }
    path = write_result(NAME, options, parameters, figures, notes)
    problems = [p for b in bursts for p in b.problems] + _baseline_problems(baselines)
    problems += [p for b in breakdowns for p in b.problems]
    problems += [
        f"send_all alone, {a['variant'].strip()}: {a['failed']} failed, "
        f"{a['received_distinct']:,}/{a['deliveries']:,} arrived"
        for a in alone
        if a["failed"] or a["received_distinct"] != a["deliveries"]
    ]
    problems += [p for s in steady for p in s.problems]
    return Outcome(NAME, path, _headline(bursts, baselines, steady), problems)


def _worker_settings() -> dict[str, str]:
    return {
        "TREATYCAL_WEBHOOK_ALLOW": fixtures.LOOPBACK,
        "TREATYCAL_ENGINE_SAFETY_INTERVAL": f"PT{SAFETY_INTERVAL:g}S (default 2 s)",
        "TREATYCAL_DELIVERY_BATCH, _CONCURRENCY": f"per run (defaults {_BATCH}, {_CONCURRENCY})",
        "everything else": "defaults",
    }


def _headline(bursts: list[Burst], baselines: list[Baseline], steady: list[Steady]) -> list[str]:
    lines = []
    for burst in bursts:
        bare = _bare(baselines, burst.tuning.concurrency)
        lines.append(
            f"{burst.count:,} due at once, {burst.tuning.label}: {burst.seconds:.2f} s, "
            f"{burst.rate:,.0f}/s, p99 lateness {quantile(burst.lateness, 0.99):.2f} s "
            f"(bare httpx {burst.count / bare.seconds:,.0f}/s: engine takes "
            f"{burst.seconds / bare.seconds:.1f}x as long)"
        )
    for run in steady:
        late = quantiles(run.lateness, 1000)
        lines.append(
            f"{run.label}: lateness p50 {late['p50']:,.0f} ms, p99 {late['p99']:,.0f} ms, "
            f"max {late['max']:,.0f} ms; {run.late:,} of {len(run.lateness):,} later than 1 s"
        )
    return lines


def _burst_table(
    bursts: list[Burst], baselines: list[Baseline], breakdowns: list[Breakdown]
) -> str:
    rows: list[tuple[object, ...]] = []
    for b in bursts:
        ratio = f"{b.seconds / _bare(baselines, b.tuning.concurrency).seconds:.1f}x"
        watched = b.watched
        rows.append(
            _lateness_row(b.label, b.lateness, watched.engine_cpu_s, watched.receiver_cpu_s, ratio)
        )
    for d in breakdowns:
        label = f"in-process, steps timed: {d.tuning.label}"
        rows.append(_lateness_row(label, d.lateness, d.process_cpu_s, None, ""))
    for base in baselines:
        f = base.figures
        rows.append(
            (
                base.label, f["received_distinct"], base.seconds, f["requests_per_s"],
                "", "", "", "", "", f["client_cpu_s"], _dash(f["receiver_cpu_s"]),
                f"{base.seconds / _bare(baselines, base.concurrency).seconds:.1f}x",
            )
        )  # fmt: skip
    headers = ("A: all due at T", "delivered", "s from T", "per s", "first s", "p50 s", "p90 s")
    more = ("p99 s", "max s", "sender CPU s", "receiver CPU s", "time / bare httpx")
    return table((*headers, *more), rows)


def _lateness_row(
    label: str,
    lateness: Sequence[float],
    cpu: float | None,
    receiver_cpu: float | None,
    ratio: str,
) -> tuple[object, ...]:
    q, seconds = quantiles(lateness), max(lateness, default=float("nan"))
    return (
        label, len(lateness), seconds, len(lateness) / seconds, min(lateness, default="-"),
        q["p50"], q["p90"], q["p99"], q["max"], _dash(cpu), _dash(receiver_cpu), ratio,
    )  # fmt: skip


def _breakdown_table(breakdown: Breakdown) -> str:
    busy = breakdown.busy_until_s
    rows: list[tuple[object, ...]] = [
        ("T to the first step (wake-up)", "", "", breakdown.woke_after_s, "", "", "")
    ]
    for step, f in breakdown.steps.items():
        per_item = 1e6 * f["wall_s"] / f["items"] if f["items"] else float("nan")
        rows.append(
            (
                step, int(f["calls"]), int(f["items"]), f["wall_s"], f"{f['wall_s'] / busy:.0%}",
                f["thread_cpu_s"], per_item,
            )
        )  # fmt: skip
    between = busy - breakdown.woke_after_s - sum(f["wall_s"] for f in breakdown.steps.values())
    rows.append(
        ("between steps (hops, wake-ups)", "", "", between, f"{between / busy:.0%}", "", "")
    )
    rows.append(
        ("T to the end of the last step", "", "", busy, "100%", breakdown.process_cpu_s, "")
    )
    title = f"in-process, {breakdown.tuning.label}"
    return table((title, "calls", "items", "wall s", "share", "CPU s", "wall us/item"), rows)


def _micro_table(breakdown: Breakdown) -> str:
    return table(("per delivery, timed alone", "us per call"), list(breakdown.micro_us.items()))


def _alone_table(alone: list[dict[str, Any]]) -> str:
    rows = [
        (a["variant"], a["concurrency"], a["deliveries_per_s"], a["cpu_ms_per_delivery"])
        for a in alone
    ]
    title = f"Sender.send_all alone, {alone[0]['deliveries']:,} made-up claims"
    return table((title, "concurrency", "per s", "CPU ms each"), rows)


def _steady_table(steady: list[Steady]) -> str:
    rows: list[tuple[object, ...]] = []
    for run in steady:
        for label, values in (
            (f"{run.label}: arrival - fire_at", run.lateness),
            ("  claimed by the engine - fire_at", run.claimed),
            ("  arrival - claimed", run.after_claim),
        ):
            q = quantiles(values, 1000)
            rows.append((label, len(values), q["p50"], q["p90"], q["p99"], q["max"], ""))
        rows[-3] = (*rows[-3][:-1], run.late)
    headers = ("B: steady, fire times evenly spaced", "alerts", "p50 ms", "p90 ms", "p99 ms")
    text = table((*headers, "max ms", "> 1 s late"), rows)
    lines = [
        f"p99 lateness (ms) by second of fire_at, {run.rate:,}/s: "
        + ", ".join(f"{s['p99']:,.0f}" for s in run.by_second)
        for run in steady
    ]
    return "\n".join([text, *lines])


def _dash(value: float | None) -> object:
    return "-" if value is None else value


def _notes(bursts: list[Burst], breakdowns: list[Breakdown], steady: list[Steady]) -> list[str]:
    arrivals = [b.arrivals for b in bursts] + [b.arrivals for b in breakdowns]
    arrivals += [s.arrivals for s in steady]
    verified, failed = sum(a.verified for a in arrivals), sum(a.failed for a in arrivals)
    duplicates = sum(a.requests - len(a.first) for a in arrivals)
    notes = [
        f"this machine has {os.cpu_count()} CPU(s), shared by the receiver, the engine and "
        "this bench process (which also runs the bare clients): rates are lower bounds",
        "the worker runs as `treatycal worker` with TREATYCAL_WEBHOOK_ALLOW=127.0.0.1/32, "
        f"TREATYCAL_ENGINE_SAFETY_INTERVAL=PT{SAFETY_INTERVAL:g}S (default 2 s; the only way a "
        "worker learns of alerts another process wrote) and the batch and concurrency "
        "shown; every other setting at its default",
        "each run: a fresh SQLite file; the worker started on it holding only the subscription; "
        "then the commitments written through the store (500 to a transaction), T chosen from a "
        "timed trial so that writing and a safety round end before T; setup is not timed",
        f"the receiver checked {verified:,} signatures itself (hmac + base64, every "
        f"{VERIFY_EVERY}th request): {failed} failed; duplicate deliveries: {duplicates}",
        "steady: lateness is arrival minus the alert's own fire_at (webhook-id -> "
        "deliveries.source_key -> alerts.fire_at), split where the engine claimed the alert "
        "(alerts.late_seconds)",
    ]
    for d in breakdowns:
        s = d.steps
        notes.append(
            f"in-process, {d.tuning.label}, wall s: fire_due {s['fire_due']['wall_s']:.2f}, "
            f"claim {s['claim']['wall_s']:.2f}, send_all {s['send_all']['wall_s']:.2f}, settle "
            f"{s['settle']['wall_s']:.2f}, of {d.busy_until_s:.2f} from T to the end of the "
            f"last step; the process used {d.process_cpu_s:.2f} s of CPU"
        )
    return notes

"""Bench: a steady stream of alerts into one, two and three `treatycal worker` processes on
PostgreSQL (issue 14: 1,000 alerts a second should keep p99 lateness under 1 s with two workers).

For each worker count, a fresh database on the server (treatycal_bench_workers_<n>, made with
CREATE DATABASE and migrated by the service's own App.open) holds one subscription to the
alerts bench's receiver (tests/bench/alerts_receiver.py, a process of its own). The workers are
started on it while it holds nothing else, each until it says it runs and its LISTEN
connection is up; then 1,000 alerts a second for 10 s (--quick 2 s) are written through the
store, fire times 1 ms apart from a T chosen from a timed trial so that the writing ends
before T. The writes NOTIFY the workers, which arm their timers for T; nothing wakes them by
poll (the safety poll on PostgreSQL is 30 s).

Lateness is each message's arrival at the receiver minus its own alert's fire_at, split where
the engine fired the alert (alerts.late_seconds) and where the first attempt to send it began
(attempts.attempted_at). CPU seconds from just before T until the last arrival are read from
/proc for every process on the machine (every 0.5 s, so that processes which end inside the
window count too), and put down to the workers, the receiver, this bench, PostgreSQL's
processes for the run's database (its backends, with the server's WAL writer, checkpointer
and background writer), and everything else: the machine has two cores and is often shared,
so load averages and what the other processes used are written down too.

Every worker runs with the default tuning (TREATYCAL_DELIVERY_BATCH 200, _CONCURRENCY 32);
the engine settings are otherwise defaults as well.

python -m tests.bench --only workers           # 1, 2 and 3 workers, 1,000/s for 10 s
python -m tests.bench --only workers --quick   # the same for 2 s
The server is TREATYCAL_BENCH_POSTGRES_URL, else TREATYCAL_TEST_POSTGRES_URL, else the local
postgresql+psycopg://postgres@127.0.0.1:5432/test; the bench's databases are dropped after.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from service.app import App, engine_settings
from service.clock import utc_now
from service.domain import EventType, SubscriptionCreate
from service.settings import Settings
from service.store.notices import WORK_CHANNEL
from service.store.tables import alerts, attempts, deliveries
from tests.bench import alerts_setup as fixtures
from tests.bench.alerts_setup import (
    TRIAL,
    VERIFY_EVERY,
    Arrivals,
    Opened,
    Receiver,
    Tuning,
    quantile,
    quantiles,
)
from tests.bench.support import (
    Options,
    Outcome,
    progress,
    show,
    table,
    terminated_like_interrupted,
    write_result,
)

NAME = "workers"
RATE = 1000  # alerts a second
WORKER_COUNTS = (1, 2, 3)
GOAL_WORKERS = 2
GOAL_P99_S = 1.0
DATABASE_PREFIX = "treatycal_bench_workers_"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
AHEAD_FACTOR = 2.0  # T leaves twice the trial's estimate for writing the commitments
MARGIN_S = 5.0  # and this many seconds more (refreshing statistics, noticing)
LISTEN_TIMEOUT_S = 60.0
BEFORE_T_S = 0.2  # the CPU window opens this long before T
CLOCK_STEP_LIMIT_S = 0.5  # a larger step of the wall clock during a run spoils it
SAMPLE_EVERY_S = 0.5  # how often every process's CPU is read inside the window
_BATCH = Settings.model_fields["delivery_batch"].default
_CONCURRENCY = Settings.model_fields["delivery_concurrency"].default
_SAFETY_S = Settings.model_fields["engine_safety_interval"].default.total_seconds()
_LISTENING_SAFETY = Settings.model_fields["engine_listening_safety_interval"].default
_PG_AUX = ("walwriter", "checkpointer", "background writer")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    seconds: int
    wait_limit: float  # seconds after the stream's last fire time to wait for stragglers

    @property
    def count(self) -> int:
        return RATE * self.seconds

    @classmethod
    def for_options(cls, options: Options) -> Plan:
        return cls(2, 60.0) if options.quick else cls(10, 120.0)


def run(options: Options) -> Outcome:
    plan = Plan.for_options(options)
    tuning = Tuning(_BATCH, _CONCURRENCY, _SAFETY_S)  # every engine setting at its default
    load_before = os.getloadavg()
    progress(f"load average before: {_load(load_before)}")
    runs: list[Run] = []
    with (
        terminated_like_interrupted(),
        _server() as server,
        tempfile.TemporaryDirectory(prefix="treatycal-workers-") as name,
        fixtures.receiver() as receiver,
    ):
        folder = Path(name)
        progress(f"receiver listening on 127.0.0.1:{receiver.port} (own process)")
        progress(f"PostgreSQL: {server.label}")
        per_item = _timed_trial(server, tuning)
        progress(f"writing a commitment with its alert planned takes {1000 * per_item:.2f} ms")
        for workers in WORKER_COUNTS:
            runs.append(_run(server, folder, receiver, plan, tuning, per_item, workers))
    load_after = os.getloadavg()
    progress(f"load average after: {_load(load_after)}")
    return _report(options, plan, tuning, per_item, runs, load_before, load_after)


def _load(averages: Sequence[float]) -> str:
    return " ".join(f"{a:.2f}" for a in averages) + " (1, 5, 15 min)"


# ---------------------------------------------------------------------------- the server


class Server:
    """The PostgreSQL server, with the bench's databases made and dropped on it."""

    def __init__(self, admin_url: str) -> None:
        self.url = make_url(admin_url)
        self.admin: Engine = create_engine(
            self.url,
            isolation_level="AUTOCOMMIT",
            pool_size=1,
            connect_args={"connect_timeout": 10},
        )
        self.made: list[str] = []

    @property
    def label(self) -> str:
        return self.url.render_as_string(hide_password=True)

    def version(self) -> str:
        with self.admin.connect() as conn:
            return str(conn.scalar(text("SHOW server_version")))

    def url_for(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    @contextlib.contextmanager
    def fresh(self, database: str) -> Iterator[str]:
        """An empty database of this name (dropped first if an earlier run left it); dropped
        again on the way out, whatever happened."""
        assert database.startswith(DATABASE_PREFIX) and database.replace("_", "").isalnum()
        self._execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        self._execute(f"CREATE DATABASE {database}")
        self.made.append(database)
        try:
            yield self.url_for(database)
        finally:
            self.drop(database)

    def drop(self, database: str) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if database in self.made:
            self.made.remove(database)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(sql))

    def backends(self, database: str) -> dict[int, str]:
        """pid -> backend type of the server processes working for `database`, with the ones
        every database's writes pass through (WAL writer, checkpointer, background writer)."""
        query = text(
            "SELECT pid, backend_type FROM pg_stat_activity "
            "WHERE datname = :database OR backend_type = ANY(:aux)"
        )
        with self.admin.connect() as conn:
            rows = conn.execute(query, {"database": database, "aux": list(_PG_AUX)})
            return {int(pid): str(kind) for pid, kind in rows}

    def listeners(self, database: str) -> int:
        """Connections to `database` whose last statement was LISTEN on the work channel."""
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :database AND query = :listen"
        )
        with self.admin.connect() as conn:
            listen = f"LISTEN {WORK_CHANNEL}"
            return int(conn.scalar(query, {"database": database, "listen": listen}) or 0)

    def close(self) -> None:
        for database in list(self.made):
            with contextlib.suppress(Exception):
                self.drop(database)
        self.admin.dispose()


@contextlib.contextmanager
def _server() -> Iterator[Server]:
    admin_url = (
        os.environ.get("TREATYCAL_BENCH_POSTGRES_URL")
        or os.environ.get("TREATYCAL_TEST_POSTGRES_URL")
        or DEFAULT_SERVER
    )
    server = Server(admin_url)
    try:
        try:
            server.version()
        except OperationalError as exc:
            raise RuntimeError(f"no PostgreSQL answers at {server.label}: {exc}") from exc
        yield server
    finally:
        server.close()


def _open(url: str, tuning: Tuning, hook_url: str) -> Opened:
    """The service's App on `url` (migrating it), holding one subscription to `hook_url`."""
    app = App.open(tuning.settings(url), utc_now)
    wanted = SubscriptionCreate(
        url=hook_url, description="workers bench", event_types=(EventType.DEADLINE_REACHED,)
    )
    with app.context.transaction() as tx:
        _, secret = tx.subscriptions.create(wanted, actor="bench")
    return Opened(app, url, secret)


def _timed_trial(server: Server, tuning: Tuning) -> float:
    """Seconds per commitment written with its alert planned, in a throwaway database."""
    with server.fresh(f"{DATABASE_PREFIX}trial") as url:
        app = App.open(tuning.settings(url), utc_now)
        try:
            due = _whole_second(datetime.now(UTC) + timedelta(days=1))
            started = time.perf_counter()
            fixtures.write_commitments(app, [due] * TRIAL, "trial")
            return (time.perf_counter() - started) / TRIAL
        finally:
            app.close()


def _whole_second(moment: datetime) -> datetime:
    return datetime.fromtimestamp(math.ceil(moment.timestamp()), UTC)


# ---------------------------------------------------------------------------- CPU accounting


@dataclass(frozen=True)
class Snapshot:
    """CPU seconds used so far by the machine (busy, all cores) and by each process."""

    at: float
    machine_busy: float
    processes: dict[int, tuple[str, float]]

    @classmethod
    def take(cls) -> Snapshot:
        processes = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                found = _process_cpu(int(entry.name))
                if found is not None:
                    processes[int(entry.name)] = found
        return cls(time.time(), _machine_busy(), processes)


def _process_cpu(pid: int) -> tuple[str, float] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.find("(") + 1 : stat.rfind(")")]
    rest = stat.rsplit(")", 1)[1].split()
    return name, (int(rest[11]) + int(rest[12])) / _CLOCK_TICKS


def _machine_busy() -> float:
    """CPU seconds all cores spent on anything but idling since boot (/proc/stat)."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / _CLOCK_TICKS


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    words = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return words[:90] or "?"


@dataclass
class Usage:
    """CPU seconds in the window, put down to who used them."""

    window_s: float
    workers: list[float]
    receiver: float
    bench: float
    postgres_run: float  # this run's database's backends and the WAL/checkpoint processes
    postgres_other: float  # the same server's processes for other databases (others' tests)
    other: float  # every other process alive at the end of the window
    unattributed: float  # machine busy time no living process accounts for (exited ones)
    machine_busy: float
    other_top: list[dict[str, Any]]

    @property
    def machine_fraction(self) -> float:
        cores = os.cpu_count() or 1
        return self.machine_busy / (self.window_s * cores)

    def figures(self) -> dict[str, Any]:
        r = _r3
        return {
            "window_s": r(self.window_s),
            "workers_total": r(sum(self.workers)),
            "workers_each": [r(w) for w in self.workers],
            "receiver": r(self.receiver),
            "bench_process": r(self.bench),
            "postgresql_this_database": r(self.postgres_run),
            "postgresql_other_databases": r(self.postgres_other),
            "other_processes": r(self.other),
            "unattributed": r(self.unattributed),
            "machine_busy": r(self.machine_busy),
            "machine_busy_fraction_of_all_cores": r(self.machine_fraction),
            "other_processes_top": self.other_top,
        }


class Sampler:
    """Every process's CPU from now on, sampled every SAMPLE_EVERY_S in a thread of its own, so
    that a process which ends inside the window still counts, up to its last sample."""

    def __init__(self, server: Server, database: str) -> None:
        self.server, self.database = server, database
        self.start = Snapshot.take()
        self.latest: dict[int, tuple[str, float]] = dict(self.start.processes)
        self.commands: dict[int, str] = {}
        self.postgres: set[int] = set(server.backends(database))
        self.samples = 1
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.wait(SAMPLE_EVERY_S):
            self._sample()

    def _sample(self) -> Snapshot:
        snapshot = Snapshot.take()
        for pid in snapshot.processes.keys() - self.latest.keys():
            self.commands[pid] = _command(pid)  # while it is there to ask
        self.latest.update(snapshot.processes)
        self.samples += 1
        with contextlib.suppress(OperationalError):
            self.postgres |= set(self.server.backends(self.database))
        return snapshot

    def finish(self) -> Snapshot:
        """Stop sampling (bounded) and take the last sample: the end of the window."""
        self._stopping.set()
        self._thread.join(10.0)
        return self._sample()


def _usage(sampler: Sampler, end: Snapshot, workers: Sequence[int], receiver: int) -> Usage:
    start, postgres = sampler.start, sampler.postgres
    used: dict[int, float] = {}
    for pid, (_, cpu) in sampler.latest.items():
        before = start.processes.get(pid)
        # a process that was not there at the start began inside the window
        used[pid] = cpu - (before[1] if before is not None else 0.0)
    bench = os.getpid()
    mine = {*workers, receiver, bench, *postgres}
    postgres_other = {
        pid for pid, (name, _) in sampler.latest.items() if name == "postgres" and pid not in mine
    }
    others = sorted(
        (pid for pid in used if pid not in mine and pid not in postgres_other),
        key=lambda pid: used[pid],
        reverse=True,
    )
    machine = end.machine_busy - start.machine_busy
    return Usage(
        window_s=end.at - start.at,
        workers=[used.get(pid, 0.0) for pid in workers],
        receiver=used.get(receiver, 0.0),
        bench=used.get(bench, 0.0),
        postgres_run=sum(used.get(pid, 0.0) for pid in postgres),
        postgres_other=sum(used[pid] for pid in postgres_other),
        other=sum(used[pid] for pid in others),
        unattributed=machine - sum(used.values()),
        machine_busy=machine,
        other_top=[
            {
                "pid": pid,
                "cpu_s": _r3(used[pid]),
                "command": sampler.commands.get(pid) or _command(pid),
            }
            for pid in others[:4]
            if used[pid] >= 0.05
        ],
    )


def _r3(value: float) -> float:
    return round(value, 3)


# ---------------------------------------------------------------------------- one run


@dataclass
class Run:
    workers: int
    count: int
    t: float
    arrivals: Arrivals
    rows: list[tuple[float, float, float, float | None]]  # fire_at, late, fired, attempted
    usage: Usage
    counts: dict[str, Any]
    start_s: list[float]
    load_at_t: tuple[float, float, float]
    load_after: tuple[float, float, float]
    log_lines: dict[str, int]
    ready_before_t_s: float
    clock_step_s: float
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.workers} worker{'s' if self.workers > 1 else ''}"

    @property
    def lateness(self) -> list[float]:
        return sorted(r[1] for r in self.rows)

    @property
    def late(self) -> int:
        return sum(1 for r in self.rows if r[1] > GOAL_P99_S)

    @property
    def duplicates(self) -> int:
        return self.arrivals.requests - len(self.arrivals.first)

    @property
    def p99(self) -> float:
        return quantile(self.lateness, 0.99)

    def splits(self) -> dict[str, list[float]]:
        """Lateness cut where the engine fired the alert and where it began to send it."""
        attempted = [r for r in self.rows if r[3] is not None]
        return {
            "fired - fire_at": sorted(r[2] for r in self.rows),
            "first attempt - fired": sorted(r[3] - r[2] for r in attempted if r[3] is not None),
            "arrival - first attempt": sorted(r[1] - r[3] for r in attempted if r[3] is not None),
        }

    def by_second(self) -> list[dict[str, float]]:
        seconds = self.count // RATE
        found = []
        for second in range(seconds):
            late = sorted(r[1] for r in self.rows if int(r[0] - self.t) == second)
            found.append({"second": second, **quantiles(late, 1000)})
        return found

    def cpu_per_alert(self) -> dict[str, float]:
        """CPU milliseconds per alert received: what a rate of them costs in cores."""
        u, received = self.usage, max(1, len(self.arrivals.first))
        return {
            "workers": round(1000 * sum(u.workers) / received, 3),
            "postgresql": round(1000 * u.postgres_run / received, 3),
            "receiver": round(1000 * u.receiver / received, 3),
        }

    def figures(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "alerts": self.count,
            "received_distinct": len(self.arrivals.first),
            "requests": self.arrivals.requests,
            "duplicates_same_webhook_id": self.duplicates,
            "lateness_ms": quantiles(self.lateness, 1000),
            "later_than_1s": self.late,
            "split_ms": {name: quantiles(v, 1000) for name, v in self.splits().items()},
            "by_second_ms": self.by_second(),
            "cpu_s": self.usage.figures(),
            "cpu_ms_per_alert": self.cpu_per_alert(),
            "signatures_verified": self.arrivals.verified,
            "signatures_failed": self.arrivals.failed,
            "database": self.counts,
            "worker_start_s": [_r3(s) for s in self.start_s],
            "ready_before_t_s": _r3(self.ready_before_t_s),
            "wall_clock_step_s": _r3(self.clock_step_s),
            "worker_log_lines": self.log_lines,
            "load_average_at_t": [round(a, 2) for a in self.load_at_t],
            "load_average_after": [round(a, 2) for a in self.load_after],
            "problems": self.problems,
        }


def _run(
    server: Server,
    folder: Path,
    receiver: Receiver,
    plan: Plan,
    tuning: Tuning,
    per_item: float,
    workers: int,
) -> Run:
    database = f"{DATABASE_PREFIX}{workers}"
    with server.fresh(database) as url:
        opened = _open(url, tuning, receiver.url)
        try:
            receiver.expect(opened.secret, VERIFY_EVERY)
            return _stream(
                server, database, folder, receiver, plan, tuning, per_item, opened, workers
            )
        finally:
            opened.app.close()


def _stream(
    server: Server,
    database: str,
    folder: Path,
    receiver: Receiver,
    plan: Plan,
    tuning: Tuning,
    per_item: float,
    opened: Opened,
    workers: int,
) -> Run:
    name = f"workers-{workers}"
    clock = Clocks()
    with contextlib.ExitStack() as stack:
        pids: list[int] = []
        start_s: list[float] = []
        logs: list[Path] = []
        for index in range(1, workers + 1):
            started = time.perf_counter()
            running = stack.enter_context(
                fixtures.worker(folder, opened.url, tuning, f"{name}-{index}")
            )
            start_s.append(time.perf_counter() - started)
            pids.append(running.pid)
            logs.append(running.log)
        problems = _await_listeners(server, database, workers)
        progress(
            f"{name}: {workers} worker(s) running and listening (pids "
            f"{', '.join(map(str, pids))}; started in {', '.join(f'{s:.1f}' for s in start_s)} s)"
        )
        ahead = AHEAD_FACTOR * plan.count * per_item + MARGIN_S
        t = _whole_second(datetime.now(UTC) + timedelta(seconds=ahead))
        step = timedelta(seconds=1 / RATE)
        fire_at = [t + i * step for i in range(plan.count)]
        fixtures.plan_exactly(opened.app, fire_at)
        progress(f"{name}: {plan.count:,} alerts, one every {1000 / RATE:g} ms from T = {t:%X} UTC")
        problems += fixtures.prepare(opened, tuning, t, fire_at, name)
        opened.app.context.store.settle_after_import()
        ready_before_t = t.timestamp() - time.time()
        if ready_before_t < 1.0:
            problems.append(f"{name}: ready only {ready_before_t:.1f} s before T")
        time.sleep(max(0.0, t.timestamp() - BEFORE_T_S - time.time()))
        load_at_t = os.getloadavg()
        sampler = Sampler(server, database)
        wanted = plan.count
        received = receiver.await_count(wanted, t.timestamp() + plan.seconds + plan.wait_limit)
        end = sampler.finish()
        if received < wanted:
            progress(f"  only {received:,}/{wanted:,} arrived in time")
        arrivals = Arrivals.read(receiver, folder / f"{name}.arrivals.json")
        load_after = os.getloadavg()
    # the workers have stopped: what they left in the database is final
    usage = _usage(sampler, end, pids, receiver.process.pid)
    log_lines = _log_lines(logs)
    if log_lines["ERROR"]:
        problems.append(f"{name}: {log_lines['ERROR']} ERROR lines in the worker logs")
    run = Run(
        workers=workers,
        count=plan.count,
        t=t.timestamp(),
        arrivals=arrivals,
        rows=_rows(arrivals, _fired(opened)),
        usage=usage,
        counts=fixtures.database_counts(opened),
        start_s=start_s,
        load_at_t=load_at_t,
        load_after=load_after,
        log_lines=log_lines,
        ready_before_t_s=ready_before_t,
        clock_step_s=clock.step(),
        problems=problems + arrivals.problems(name, plan.count),
    )
    if abs(run.clock_step_s) > CLOCK_STEP_LIMIT_S:
        run.problems.append(
            f"{name}: the wall clock moved {run.clock_step_s:+.1f} s against the monotonic one "
            "during the run (the machine was paused, or its clock was set): figures not valid"
        )
    if run.duplicates:
        run.problems.append(f"{name}: {run.duplicates} messages arrived more than once")
    late = quantiles(run.lateness, 1000)
    progress(
        f"{name}: {len(arrivals.first):,}/{plan.count:,} arrived; lateness p50 "
        f"{late['p50']:,.0f} ms, p99 {late['p99']:,.0f} ms, max {late['max']:,.0f} ms; "
        f"workers used {sum(usage.workers):.1f} CPU s, PostgreSQL {usage.postgres_run:.1f} "
        f"in {usage.window_s:.1f} s"
    )
    return run


class Clocks:
    """Wall-clock time against monotonic time: fire times, arrivals and lateness are all wall
    clock, so a step in it (a paused virtual machine, a clock set) spoils a run's figures."""

    def __init__(self) -> None:
        self.wall, self.monotonic = time.time(), time.monotonic()

    def step(self) -> float:
        """How far the wall clock moved beyond the monotonic one since this was made."""
        return (time.time() - self.wall) - (time.monotonic() - self.monotonic)


def _await_listeners(server: Server, database: str, workers: int) -> list[str]:
    """Wait (bounded) until every worker's LISTEN connection is up."""
    deadline = time.monotonic() + LISTEN_TIMEOUT_S
    listening = 0
    while time.monotonic() < deadline:
        listening = server.listeners(database)
        if listening >= workers:
            return []
        time.sleep(0.1)
    return [f"only {listening}/{workers} workers listening after {LISTEN_TIMEOUT_S:g} s"]


def _log_lines(logs: Sequence[Path]) -> dict[str, int]:
    counted = {"ERROR": 0, "WARNING": 0}
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            for level in counted:
                if f" {level} " in line:
                    counted[level] += 1
    return counted


def _fired(opened: Opened) -> dict[str, tuple[float, float, float | None]]:
    """webhook-id -> (its alert's fire_at, when the engine fired it, its first attempt)."""
    with opened.app.context.store.db.read() as conn:
        rows = conn.execute(select(alerts.c.id, alerts.c.fire_at, alerts.c.late_seconds))
        by_key = {
            f"alert:{r.id}": (r.fire_at.timestamp(), r.fire_at.timestamp() + (r.late_seconds or 0))
            for r in rows
        }
        first = select(attempts.c.delivery_id, func.min(attempts.c.attempted_at).label("at"))
        tried = {
            r.delivery_id: r.at.timestamp()
            for r in conn.execute(first.group_by(attempts.c.delivery_id))
        }
        sent = conn.execute(
            select(deliveries.c.id, deliveries.c.message_id, deliveries.c.source_key)
        )
        return {
            r.message_id: (*by_key[r.source_key], tried.get(r.id))
            for r in sent
            if r.source_key in by_key
        }


def _rows(
    arrivals: Arrivals, fired: dict[str, tuple[float, float, float | None]]
) -> list[tuple[float, float, float, float | None]]:
    """(fire_at, arrival - fire_at, fired - fire_at, first attempt - fire_at) per arrival."""
    found = []
    for message_id, at in arrivals.first.items():
        if message_id in fired:
            fire_at, fired_at, tried = fired[message_id]
            found.append(
                (
                    fire_at,
                    at - fire_at,
                    fired_at - fire_at,
                    None if tried is None else tried - fire_at,
                )
            )
    return found


# ---------------------------------------------------------------------------- reporting


def _report(
    options: Options,
    plan: Plan,
    tuning: Tuning,
    per_item: float,
    runs: list[Run],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> Outcome:
    show(_main_table(runs))
    show("\n" + _cpu_table(runs))
    show("\n" + _split_table(runs))
    for run in runs:
        show(
            f"p99 lateness (ms) by second of fire_at, {run.label}: "
            + ", ".join(f"{s['p99']:,.0f}" for s in run.by_second())
        )
    goal = _goal(runs)
    notes = _notes(plan, tuning, per_item, runs, load_before, load_after, goal)
    for note in notes:
        show("note: " + note)
    claim_size = engine_settings(tuning.settings(DEFAULT_SERVER)).claim_size
    parameters = {
        "rate_per_s": RATE,
        "seconds": plan.seconds,
        "alerts_per_run": plan.count,
        "worker_counts": list(WORKER_COUNTS),
        "wait_limit_s": plan.wait_limit,
        "engine": "`treatycal worker` subprocesses, started before the alerts were written",
        "tuning": {
            "TREATYCAL_DELIVERY_BATCH": tuning.batch,
            "TREATYCAL_DELIVERY_CONCURRENCY": tuning.concurrency,
            "claim_size_effective": claim_size,
            "TREATYCAL_ENGINE_SAFETY_INTERVAL": f"PT{tuning.safety_interval:g}S (SQLite only)",
            "engine_listening_safety_interval_s": _LISTENING_SAFETY.total_seconds(),
            "note": "the defaults; every other setting at its default too",
        },
        "database": "PostgreSQL, a fresh database per worker count, migrated by App.open",
        "receiver": "raw asyncio HTTP/1.1, keep-alive, answers 204, own process",
        "signatures_checked": f"every {VERIFY_EVERY}th request, by the receiver",
        "trial_ms_per_commitment": round(1000 * per_item, 3),
    }
    figures = {
        "runs": [run.figures() for run in runs],
        "goal": goal,
        "load_average_before": [round(a, 2) for a in load_before],
        "load_average_after": [round(a, 2) for a in load_after],
    }
    path = write_result(NAME, options, parameters, figures, notes)
    problems = [p for run in runs for p in run.problems]
    return Outcome(NAME, path, _headline(runs, goal), problems)


def _goal(runs: list[Run]) -> dict[str, Any]:
    two = next((r for r in runs if r.workers == GOAL_WORKERS), None)
    if two is None:
        return {"holds": None}
    complete = len(two.arrivals.first) == two.count
    p99 = two.p99
    return {
        "statement": f"{RATE:,} alerts/s, p99 lateness < {GOAL_P99_S:g} s with "
        f"{GOAL_WORKERS} workers",
        "p99_ms": round(1000 * p99, 3),
        "all_delivered": complete,
        "holds": bool(complete and p99 < GOAL_P99_S),
    }


def _main_table(runs: list[Run]) -> str:
    rows: list[tuple[object, ...]] = []
    for run in runs:
        late = quantiles(run.lateness, 1000)
        rows.append(
            (
                f"{run.label}, {RATE:,}/s for {run.count // RATE} s", run.count,
                len(run.arrivals.first), run.duplicates, late["p50"], late["p90"], late["p99"],
                late["max"], run.late,
            )
        )  # fmt: skip
    headers = ("PostgreSQL, default tuning", "alerts", "received", "duplicates", "p50 ms")
    return table((*headers, "p90 ms", "p99 ms", "max ms", "> 1 s late"), rows)


def _cpu_table(runs: list[Run]) -> str:
    rows: list[tuple[object, ...]] = []
    for run in runs:
        u = run.usage
        each = "/".join(f"{w:.1f}" for w in u.workers)
        rows.append(
            (
                run.label, u.window_s, f"{sum(u.workers):.2f} ({each})",
                f"{max(u.workers) / u.window_s:.0%}", run.cpu_per_alert()["workers"],
                u.receiver, u.postgres_run, run.cpu_per_alert()["postgresql"],
                u.postgres_other, u.other + max(0.0, u.unattributed),
                f"{u.machine_fraction:.0%}", " ".join(f"{a:.1f}" for a in run.load_at_t),
            )
        )  # fmt: skip
    headers = ("CPU s, T to last arrival", "window s", "workers (each)", "busiest worker")
    more = ("workers ms/alert", "receiver", "PostgreSQL", "PG ms/alert", "PG, other DBs")
    rest = ("other procs", "machine busy", "load at T")
    return table((*headers, *more, *rest), rows)


def _split_table(runs: list[Run]) -> str:
    rows: list[tuple[object, ...]] = []
    for run in runs:
        for name, values in run.splits().items():
            q = quantiles(values, 1000)
            rows.append(
                (f"{run.label}: {name}", len(values), q["p50"], q["p90"], q["p99"], q["max"])
            )
    return table(
        ("where the lateness goes", "alerts", "p50 ms", "p90 ms", "p99 ms", "max ms"), rows
    )


def _headline(runs: list[Run], goal: dict[str, Any]) -> list[str]:
    lines = []
    for run in runs:
        late = quantiles(run.lateness, 1000)
        u = run.usage
        lines.append(
            f"{run.label}, {RATE:,}/s: p50 {late['p50']:,.0f} ms, p99 {late['p99']:,.0f} ms, "
            f"max {late['max']:,.0f} ms; {run.late:,} of {len(run.lateness):,} later than 1 s; "
            f"CPU s workers {sum(u.workers):.1f}, PostgreSQL {u.postgres_run:.1f}, receiver "
            f"{u.receiver:.1f}, machine busy {u.machine_fraction:.0%}"
        )
    if goal.get("holds") is not None:
        verdict = "holds" if goal["holds"] else "does NOT hold"
        lines.append(f"goal ({goal['statement']}): {verdict} (p99 {goal['p99_ms']:,.0f} ms)")
    return lines


def _notes(
    plan: Plan,
    tuning: Tuning,
    per_item: float,
    runs: list[Run],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    goal: dict[str, Any],
) -> list[str]:
    notes = [
        f"this machine has {os.cpu_count()} CPU(s), shared by the workers, PostgreSQL, the "
        "receiver, this bench and whatever else runs (other tests): figures are noisy",
        f"load average before the bench {_load(load_before)}, after {_load(load_after)}",
        f"every worker: `treatycal worker`, TREATYCAL_DELIVERY_BATCH={tuning.batch}, "
        f"TREATYCAL_DELIVERY_CONCURRENCY={tuning.concurrency} (the defaults), "
        "TREATYCAL_WEBHOOK_ALLOW=127.0.0.1/32, every other setting at its default; on "
        "PostgreSQL writes wake workers by LISTEN/NOTIFY and the safety poll is "
        f"{_LISTENING_SAFETY.total_seconds():g} s",
        "each run: a fresh database, the workers started on it holding only the subscription "
        "(each until it printed that it runs and its LISTEN connection showed in "
        "pg_stat_activity), then the commitments written through the store (500 to a "
        f"transaction; {1000 * per_item:.2f} ms each in a timed trial), statistics refreshed "
        "(Store.settle_after_import, as after a bulk import), T at least "
        f"{min((r.ready_before_t_s for r in runs), default=float('nan')):.1f} s after all that",
        f"CPU: /proc, every process read every {SAMPLE_EVERY_S:g} s from just before T to the "
        "last arrival; 'PostgreSQL' is the backends connected to the run's database (seen in "
        "pg_stat_activity at any sample) plus the server's WAL writer, checkpointer and "
        "background writer; 'other procs' is every other process, plus machine busy time "
        "(/proc/stat) that no sampled process accounts for (processes too short-lived to sample)",
        "lateness: arrival at the receiver minus the alert's own fire_at (webhook-id -> "
        "deliveries.source_key -> alerts.fire_at); split at alerts.late_seconds (when a "
        "worker's fire_due claimed it) and at the delivery's first attempts.attempted_at",
    ]
    for run in runs:
        top = "; ".join(f"{p['cpu_s']:.1f} s {p['command']}" for p in run.usage.other_top[:3])
        notes.append(
            f"{run.label}: load average at T {_load(run.load_at_t)}, after {_load(run.load_after)}"
            f"; other processes used {run.usage.other:.1f} CPU s in the window"
            + (f" (most: {top})" if top else "")
        )
    if goal.get("holds") is not None:
        notes.append(
            f"goal, {goal['statement']}: {'holds' if goal['holds'] else 'does not hold'} "
            f"(p99 {goal['p99_ms']:,.0f} ms, all delivered: {goal['all_delivered']})"
        )
    return notes

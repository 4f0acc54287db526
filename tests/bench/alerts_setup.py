"""The alerts bench's fixtures: receiver and worker processes, prepared databases, measuring.

Every database is a fresh SQLite file written through the service's own store. The worker is
started on it first, while it holds only the subscription, so that its start-up re-plan is
instant; the commitments are written afterwards and the worker learns of them at its next
safety-interval round (it is another process, so nothing pokes it). Their fire time T is
chosen before they are written, from a timed trial, far enough ahead that writing them and
that round both end before T; `Prepared.problems` says if they did not.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from service.alerts import Planner
from service.app import App, changes
from service.clock import utc_now
from service.domain import (
    Change,
    ChangeNote,
    CommitmentFields,
    EventType,
    PlannedAlert,
    SubscriptionCreate,
    due_key,
)
from service.settings import Settings
from service.store import Tx
from service.store.tables import alerts, attempts, deliveries
from tests.bench.loadgen import cpu_seconds
from tests.bench.support import REPO, progress

LOOPBACK = "127.0.0.1/32"
VERIFY_EVERY = 20  # the receiver checks every 20th signature itself
CHUNK = 500  # commitments per transaction while preparing
TRIAL = 200  # commitments written to time the preparation
SAFETY_MARGIN = 3.0  # seconds between the end of preparation and T, beyond the safety round
WORKER_READY = "treatycal worker running"


@dataclass(frozen=True)
class Tuning:
    """Engine settings under test; the worker gets them as TREATYCAL_* variables."""

    batch: int
    concurrency: int
    safety_interval: float

    @property
    def label(self) -> str:
        return f"batch {self.batch}, concurrency {self.concurrency}"

    def settings(self, url: str) -> Settings:
        return Settings(
            _env_file=None,
            database_url=url,
            load_feeds_on_start=False,
            webhook_allow=(IPv4Network(LOOPBACK),),
            delivery_batch=self.batch,
            delivery_concurrency=self.concurrency,
            engine_safety_interval=timedelta(seconds=self.safety_interval),
        )

    def environment(self, url: str) -> dict[str, str]:
        """The process environment less any TREATYCAL_* of the developer's, plus these."""
        kept = {k: v for k, v in os.environ.items() if not k.startswith("TREATYCAL_")}
        return kept | {
            "TREATYCAL_DATABASE_URL": url,
            "TREATYCAL_WEBHOOK_ALLOW": LOOPBACK,
            "TREATYCAL_LOAD_FEEDS_ON_START": "false",
            "TREATYCAL_DELIVERY_BATCH": str(self.batch),
            "TREATYCAL_DELIVERY_CONCURRENCY": str(self.concurrency),
            "TREATYCAL_ENGINE_SAFETY_INTERVAL": f"PT{self.safety_interval:g}S",
            "PYTHONUNBUFFERED": "1",
        }


# ---------------------------------------------------------------------------- processes


class Receiver:
    """alerts_receiver.py in a subprocess, driven by one-line commands on its stdin."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/treatycal"

    def ask(self, command: str) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        if not answer or answer.startswith("ERROR"):
            raise RuntimeError(f"receiver: {command.split()[0]!r} answered {answer!r}")
        return answer

    def expect(self, secret: str, verify_every: int) -> None:
        """Forget what came before; check every n-th signature against `secret` from now on."""
        self.ask(f"secret {secret} {verify_every}")
        self.ask("reset")

    def count(self) -> tuple[int, int]:
        _, distinct, requests = self.ask("count").split()
        return int(distinct), int(requests)

    def await_count(self, wanted: int, deadline: float) -> int:
        """Poll until `wanted` distinct ids have arrived or time.time() passes `deadline`."""
        distinct = 0
        while time.time() < deadline:
            distinct, _ = self.count()
            if distinct >= wanted:
                break
            time.sleep(0.02)
        return distinct

    def dump(self, path: Path) -> Path:
        self.ask(f"dump {path}")
        return path


@contextlib.contextmanager
def receiver() -> Iterator[Receiver]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.alerts_receiver"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "READY":
            raise RuntimeError(f"the receiver did not start (said {ready!r})")
        yield Receiver(process, int(ready[1]))
    finally:
        _stop(process, signal.SIGTERM)


@dataclass(frozen=True)
class Worker:
    pid: int
    log: Path


@contextlib.contextmanager
def worker(folder: Path, url: str, tuning: Tuning, name: str) -> Iterator[Worker]:
    """`treatycal worker` in a subprocess; returns once it says it is running."""
    log = folder / f"{name}.worker.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            _worker_command(),
            cwd=folder,  # no .env there: the settings are exactly the environment given
            env=tuning.environment(url),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            _await_line(process, log, WORKER_READY, timeout=120.0)
            yield Worker(process.pid, log)
        finally:
            _stop(process, signal.SIGINT)


def _worker_command() -> list[str]:
    script = Path(sys.executable).with_name("treatycal")
    if script.exists():
        return [str(script), "worker"]
    run = "import sys; from service.cli import main; sys.argv[0] = 'treatycal'; sys.exit(main())"
    return [sys.executable, "-c", run, "worker"]


def _await_line(process: subprocess.Popen[bytes], log: Path, wanted: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if wanted in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:]
    raise RuntimeError(f"the worker did not start (exit code {process.poll()}):\n{tail}")


def _stop(process: subprocess.Popen[Any], signum: signal.Signals) -> None:
    if process.poll() is None:
        process.send_signal(signum)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


# ---------------------------------------------------------------------------- databases


@dataclass(frozen=True)
class Opened:
    app: App
    url: str
    secret: str


def open_database(folder: Path, name: str, tuning: Tuning, hook_url: str) -> Opened:
    """A fresh, migrated SQLite file holding one subscription to `hook_url`."""
    path = folder / f"{name}.db"
    if path.exists():
        raise FileExistsError(f"{path} exists: each run needs a fresh database")
    url = f"sqlite:///{path}"
    app = App.open(tuning.settings(url), utc_now)
    wanted = SubscriptionCreate(
        url=hook_url, description="alerts bench", event_types=(EventType.DEADLINE_REACHED,)
    )
    with app.context.transaction() as tx:
        _, secret = tx.subscriptions.create(wanted, actor="bench")
    return Opened(app, url, secret)


def fields(index: int, due: datetime) -> CommitmentFields:
    """A deadline due at `due` (UTC, whole seconds) with one alert, at the moment itself."""
    return CommitmentFields.model_validate(
        {
            "title": f"Declaration {index:05d} due under New START",
            "description": "Each party notifies the other of changes in its declared data. "
            "Officials said the date could still move if the delegations failed to agree.",
            "kind": "deadline",
            "due": {"value": due.strftime("%Y-%m-%dT%H:%M:%S"), "tz": "UTC"},
            "parties": ["US", "RU"],
            "tags": ["new-start", "verification"],
            "sources": [
                {"url": f"https://news.example.org/2026/{index:05d}", "title": "Talks in Geneva"}
            ],
            "alerts": ["PT0S"],
        }
    )


def write_commitments(app: App, dues: Sequence[datetime], label: str) -> tuple[float, float]:
    """Store one commitment per due through the app's write path, CHUNK to a transaction.

    Returns when the first chunk and the last one committed (time.time()).
    """
    note = ChangeNote(effective=utc_now().date())
    started, first_done = time.perf_counter(), 0.0
    for offset in range(0, len(dues), CHUNK):
        chunk = {
            f"alerts-bench-{i:05d}": fields(i, dues[i])
            for i in range(offset, min(offset + CHUNK, len(dues)))
        }
        with app.context.transaction() as tx:
            for commitment_id, stated in chunk.items():
                changes.record(tx, app.context.planner, commitment_id, None, stated, note, "bench")
        first_done = first_done or time.time()
        done = min(offset + CHUNK, len(dues))
        if done % 2000 == 0 or done == len(dues):
            elapsed = time.perf_counter() - started
            progress(f"  {label}: stored {done:,}/{len(dues):,} commitments ({elapsed:.1f} s)")
    return first_done, time.time()


def timed_trial(folder: Path, tuning: Tuning) -> float:
    """Seconds per commitment written with its alert planned, from a throwaway database."""
    opened = open_database(folder, "trial", tuning, "http://127.0.0.1:9/unused")
    try:
        due = _whole_second(datetime.now(UTC) + timedelta(days=1))
        started = time.perf_counter()
        write_commitments(opened.app, [due] * TRIAL, "trial")
        return (time.perf_counter() - started) / TRIAL
    finally:
        opened.app.close()


def choose_t(count: int, per_item: float, tuning: Tuning) -> datetime:
    """A whole second far enough ahead to write `count` commitments and then be noticed."""
    ahead = 1.5 * count * per_item + tuning.safety_interval + SAFETY_MARGIN
    return _whole_second(datetime.now(UTC) + timedelta(seconds=ahead))


def timeline_problems(
    t: datetime, first_done: float, last_done: float, tuning: Tuning
) -> list[str]:
    """Preparation must end before T, and a safety round must fall between the first write and T."""
    problems = []
    if last_done > t.timestamp() - 1.0:
        problems.append(f"preparation ended {last_done - t.timestamp():+.1f} s from T")
    if first_done + tuning.safety_interval > t.timestamp() - 0.5:
        problems.append("the worker may not have had a safety round between the writes and T")
    return problems


def _whole_second(moment: datetime) -> datetime:
    return datetime.fromtimestamp(math.ceil(moment.timestamp()), UTC)


# ---------------------------------------------------------------------------- plans


def plan_exactly(app: App, fire_at: Sequence[datetime]) -> None:
    """From now on, writes plan commitment i's one alert at fire_at[i] instead of the planner."""
    app.context.planner = _ExactFireTimes(app.context.planner.rules, tuple(fire_at))


@dataclass(frozen=True, slots=True)
class _ExactFireTimes(Planner):
    """A planner that plans commitment i's one alert at fire_at[i], to the microsecond.

    Dues have one-second resolution, so the service's own planner cannot spread alerts at
    1 ms; this one writes the same row it would (offset PT0S, the due's key) through
    tx.alerts.replan, in the same transaction, with the fire time we want. A worker's re-plan
    at start would keep such rows: the (offset, due key) is the one it plans, and it never
    moves a pending alert.
    """

    fire_at: tuple[datetime, ...]

    def plan(self, tx: Tx, change: Change) -> None:
        commitment = change.after
        assert commitment.due is not None
        index = int(commitment.id.rsplit("-", 1)[1])
        planned = PlannedAlert(
            commitment_id=commitment.id,
            offset="PT0S",
            due_key=due_key(commitment.due),
            fire_at=self.fire_at[index],
        )
        tx.alerts.replan(commitment.id, [planned], change.revision.recorded_at, "bench")


def fire_times(app: App) -> list[datetime]:
    """Every pending alert's fire time."""
    with app.context.store.db.read() as conn:
        return list(conn.scalars(select(alerts.c.fire_at).where(alerts.c.status == "pending")))


# ---------------------------------------------------------------------------- measuring


def prepare(
    opened: Opened, tuning: Tuning, t: datetime, fire_at: Sequence[datetime], name: str
) -> list[str]:
    """Write one commitment per fire time, each due that second; check the plan and timeline."""
    dues = [datetime.fromtimestamp(int(f.timestamp()), UTC) for f in fire_at]
    first_done, last_done = write_commitments(opened.app, dues, name)
    problems = timeline_problems(t, first_done, last_done, tuning)
    planned = sorted(fire_times(opened.app))
    if planned != sorted(fire_at):
        problems.append(f"{name}: the planned fire times are not the ones meant")
    wait = t.timestamp() - time.time()
    progress(f"{name}: {len(planned):,} alerts planned as meant; T in {wait:.1f} s")
    return problems


@dataclass
class Arrivals:
    """What the receiver recorded: first arrival per webhook-id, duplicates, signature checks."""

    first: dict[str, float]
    requests: int
    verified: int
    failed: int

    @classmethod
    def read(cls, receiver: Receiver, path: Path) -> Arrivals:
        document = json.loads(receiver.dump(path).read_text())
        first: dict[str, float] = {}
        for message_id, at in document["arrivals"]:
            first.setdefault(message_id, at)
        return cls(first, len(document["arrivals"]), document["verified"], document["failed"])

    def problems(self, label: str, count: int) -> list[str]:
        found = []
        if len(self.first) < count:
            found.append(f"{label}: {len(self.first):,}/{count:,} delivered within the limit")
        if self.failed:
            found.append(f"{label}: {self.failed} signatures did not verify")
        if not self.verified:
            found.append(f"{label}: no signature was checked")
        return found


@dataclass
class Watched:
    """CPU seconds used between T and the last arrival by the worker, receiver and bench."""

    engine_cpu_s: float | None
    receiver_cpu_s: float | None
    bench_cpu_s: float


def watch(
    receiver: Receiver, worker_pid: int | None, t: float, count: int, wait_limit: float
) -> Watched:
    """Sleep until T, then wait (bounded) for `count` distinct ids; CPU used meanwhile."""
    time.sleep(max(0.0, t - time.time()))
    receiver_pid = receiver.process.pid
    engine0 = None if worker_pid is None else cpu_seconds(worker_pid)
    receiver0, bench0 = cpu_seconds(receiver_pid), time.process_time()
    received = receiver.await_count(count, t + wait_limit)
    if received < count:
        progress(f"  only {received:,}/{count:,} arrived within {wait_limit:g} s of T")
    engine1 = None if worker_pid is None else cpu_seconds(worker_pid)
    return Watched(
        difference(engine0, engine1),
        difference(receiver0, cpu_seconds(receiver_pid)),
        time.process_time() - bench0,
    )


def difference(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def payloads(opened: Opened) -> list[str]:
    """The bodies the engine queued, in order."""
    with opened.app.context.store.db.read() as conn:
        return list(conn.scalars(select(deliveries.c.payload).order_by(deliveries.c.id)))


def quantile(ordered: Sequence[float], q: float) -> float:
    """Nearest rank on sorted values; nan when there are none."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def quantiles(ordered: Sequence[float], scale: float = 1.0) -> dict[str, float]:
    marks = {"p50": 0.5, "p90": 0.9, "p99": 0.99, "max": 1.0}
    return {name: round(scale * quantile(ordered, q), 3) for name, q in marks.items()}


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def database_counts(opened: Opened) -> dict[str, Any]:
    """Alerts and deliveries by status, and attempts, as the run left them."""
    store = opened.app.context.store
    with store.db.read() as conn:
        attempt_count = conn.scalar(select(func.count()).select_from(attempts))
    with store.read() as tx:
        return {
            "alerts": tx.alerts.counts(),
            "deliveries": tx.deliveries.counts(),
            "attempts": attempt_count,
        }

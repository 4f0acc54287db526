"""Two API replicas and two workers on one PostgreSQL, as real processes (issue 14).

Three faults were seen with several processes on one database: a worker re-planning at start
while dues were edited left alerts for old dues pending and cancelled those for the current
ones; a receiver slower than a claim's lease got the same message again and again while the
deliveries stayed pending; processes started together on an empty database crashed while
migrating or loading the shipped feeds. Each test here sets one of them up and checks it is
gone; the last checks that the replicas work as one service.
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.pool import NullPool

from service.app import App, planning_rules
from service.domain import ChangeNote, CommitmentCreate, Kind, Status, due_key, plan_alerts
from service.feeds import read_catalog
from service.settings import Settings
from service.store.engine import MIGRATION_LOCK
from service.store.tables import alerts, deliveries
from tests.support.databases import PostgresServer
from tests.support.processes import ROOT
from tests.support.receiver import Received, Receiver, verify_signature
from tests.support.replicas import ADMIN, Cluster, Replica, cluster, replica_env

pytestmark = [pytest.mark.acceptance, pytest.mark.postgres]


def _subscribe(base: str, url: str, event_types: list[str]) -> str:
    """A webhook subscription made through `base`; its secret."""
    body = {"url": url, "event_types": event_types}
    answer = httpx.post(f"{base}/api/v1/subscriptions", json=body, headers=ADMIN, timeout=10)
    assert answer.status_code == 201, answer.text
    secret: str = answer.json()["secret"]
    return secret


def _no_trouble(replicas: Cluster) -> None:
    trouble = replicas.trouble()
    assert not trouble, f"errors in the logs: {json.dumps(trouble, indent=1)[:4000]}"


# ------------------------------------------------------------ 1. edits during a start re-plan

COMMITMENTS = 2000
EDITORS = 16  # threads, each editing its own share of the commitments through one replica
EDITS_EACH = 1500  # a bound: the edits stop when the re-plan ends, long before this
OLD_ALERTS = ("P30D", "P7D", "P1D", "PT0S")  # the built-in offsets of a deadline
NEW_ALERTS = ("P60D", "P14D", "PT0S")
FIRST_DAY, DAYS = 100, 800  # dues between 100 and 900 days ahead: no alert falls due here
PROGRESS = re.compile(
    r"^(\S+ \S+) INFO service\.alerts\.engine: re-planned (\d+) commitments( so far)?$", re.M
)
OVERLAPPING = 50  # edits made wholly inside the re-plan, at the least


@dataclass(frozen=True)
class Edit:
    commitment_id: str
    due: str
    sent: float
    done: float
    status_code: int


def _commitment_id(n: int) -> str:
    return f"deadline-{n:05d}"


def _settings(url: str, offsets: tuple[str, ...]) -> Settings:
    return Settings(
        _env_file=None,
        database_url=url,
        load_feeds_on_start=False,
        default_alerts={Kind.DEADLINE: offsets},
    )


def _load_under_old_rules(url: str, today: date) -> None:
    """The commitments, planned with the built-in offsets, which a start has recorded."""
    app = App.open(_settings(url, OLD_ALERTS))
    try:
        engine = app.engine()
        engine.start()  # on an empty database: records the rules, re-plans nothing
        engine.stop()
        items = [
            CommitmentCreate.model_validate(
                {
                    "id": _commitment_id(n),
                    "title": f"Deadline {n}",
                    "kind": "deadline",
                    "due": (today + timedelta(days=FIRST_DAY + n % DAYS)).isoformat(),
                }
            )
            for n in range(COMMITMENTS)
        ]
        app.commitments.create_many(items, ChangeNote(), "test")
    finally:
        app.close()


def _editor(
    base: str, mine: list[int], today: date, seed: int, stop: threading.Event, out: list[Edit]
) -> None:
    """PATCH the due of random commitments of `mine` through `base` until told to stop."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=ADMIN, timeout=60) as client:
        for _ in range(EDITS_EACH):
            if stop.is_set():
                return
            commitment_id = _commitment_id(rng.choice(mine))
            due = (today + timedelta(days=FIRST_DAY + rng.randrange(DAYS))).isoformat()
            sent = time.time()
            answer = client.patch(
                f"/api/v1/commitments/{commitment_id}",
                json={"due": {"value": due}, "change": {"reason": "moved during a re-plan"}},
            )
            out.append(Edit(commitment_id, due, sent, time.time(), answer.status_code))


def _edit_until_replanned(
    worker: Replica, bases: list[str], today: date, seed: int, timeout: float = 60
) -> list[Edit]:
    """Edit dues through every replica from when the worker opens the database until its
    re-plan is over."""
    stop = threading.Event()
    found: list[list[Edit]] = [[] for _ in range(EDITORS)]
    editors = [
        threading.Thread(
            target=_editor,
            args=(
                bases[k % len(bases)],
                list(range(k, COMMITMENTS, EDITORS)),
                today,
                seed + k,
                stop,
                found[k],
            ),
        )
        for k in range(EDITORS)
    ]
    deadline = time.monotonic() + timeout
    _await_log(worker, deadline, lambda log: "transactional DDL" in log)  # alembic: connected
    for editor in editors:
        editor.start()
    try:
        _await_log(
            worker, deadline, lambda log: any(m.group(3) is None for m in PROGRESS.finditer(log))
        )
    finally:
        stop.set()
        for editor in editors:
            editor.join(90)
    return [edit for mine in found for edit in mine]


def _await_log(replica: Replica, deadline: float, says: Callable[[str], bool]) -> None:
    """Until its log says so, it exits, or the deadline passes (the checks after tell which)."""
    while time.monotonic() < deadline and replica.alive() and not says(replica.text()):
        time.sleep(0.05)


@dataclass(frozen=True)
class Replan:
    """When the worker's re-plan was seen under way (its first progress line) and ended."""

    started: float
    ended: float
    count: int
    progress_lines: int


def _local(stamp: str) -> float:
    """A log line's time (logging's asctime: local time, milliseconds) as a Unix time."""
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").astimezone().timestamp()


def _replan(log: str) -> Replan:
    lines = [(_local(m.group(1)), int(m.group(2)), m) for m in PROGRESS.finditer(log)]
    progress = [at for at, _, m in lines if m.group(3)]
    finals = [(at, count) for at, count, m in lines if not m.group(3)]
    assert progress and finals, f"the worker did not re-plan in batches:\n{log[-3000:]}"
    return Replan(progress[0], finals[0][0], finals[0][1], len(progress))


def _plan_problems(settings: Settings) -> tuple[dict[str, str], list[str]]:
    """Each commitment's current due, and how its pending alerts differ from the plan for it."""
    rules = planning_rules(settings)
    app = App.open(settings, create=False)
    try:
        with app.context.store.read() as tx:
            everything = tx.commitments.with_statuses(Status)
        with app.context.store.db.read() as conn:
            rows = conn.execute(
                select(alerts.c.commitment_id, alerts.c.offset, alerts.c.due_key).add_columns(
                    alerts.c.status, alerts.c.note
                )
            ).all()
    finally:
        app.close()
    pending: dict[str, set[tuple[str, str]]] = defaultdict(set)
    settled: dict[tuple[str, str, str], str] = {}
    for commitment_id, offset, key, status, note in rows:
        if status == "pending":
            pending[commitment_id].add((offset, key))
        else:
            settled[(commitment_id, offset, key)] = f"{status} ({note})"
    problems = []
    for commitment in everything:
        offsets = rules.offsets_for(commitment, [], set())
        planned = plan_alerts(commitment, offsets, rules.all_day_zone)
        wanted = {(p.offset, p.due_key) for p in planned}
        have = pending[commitment.id]
        for offset, key in sorted(have - wanted):
            problems.append(f"{commitment.id}: {offset} for {key} pending, not wanted")
        for offset, key in sorted(wanted - have):
            state = settled.get((commitment.id, offset, key), "never planned")
            problems.append(f"{commitment.id}: {offset} for its due {key} is {state}")
    dues = {c.id: due_key(c.due) for c in everything if c.due is not None}
    return dues, problems


def test_edits_during_a_workers_start_replan_keep_their_alerts(postgres_url: str, tmp_path: Path):
    seed = int(time.time())
    today = datetime.now(UTC).date()
    env = replica_env(
        postgres_url,
        load_feeds_on_start="false",
        default_alerts=json.dumps({Kind.DEADLINE.value: list(NEW_ALERTS)}),
    )
    with cluster(tmp_path) as replicas:
        bases = [replicas.launch_api(env).base or "", replicas.launch_api(env).base or ""]
        _load_under_old_rules(postgres_url, today)  # while the replicas start
        replicas.wait_ready()
        for base in bases:  # waits for the feed warm-up, which edits under way would outrun
            assert httpx.get(f"{base}/feeds/all.ics", timeout=60).status_code == 200
        worker = replicas.launch_worker(env)  # the alert settings changed: it must re-plan
        edits = _edit_until_replanned(worker, bases, today, seed)
        replicas.wait_ready([worker])

        refused = Counter(e.status_code for e in edits if e.status_code != 200)
        assert not refused, f"edits refused: {dict(refused)}"
        dues, problems = _plan_problems(_settings(postgres_url, NEW_ALERTS))
        assert len(dues) == COMMITMENTS
        last = {e.commitment_id: e.due for e in sorted(edits, key=lambda e: e.done)}
        lost = {i: (due, dues[i]) for i, due in last.items() if dues[i] != due}
        assert not lost, f"{len(lost)} edits lost (sent, stored): {list(lost.items())[:5]}"
        assert not problems, (
            f"{len({p.split(':')[0] for p in problems})} of {COMMITMENTS} commitments have "
            f"alerts that do not follow their current due (seed {seed}): {problems[:10]}"
        )

        replan = _replan(worker.text())
        assert replan.count == COMMITMENTS
        inside = [e for e in edits if replan.started <= e.sent and e.done <= replan.ended]
        print(
            f"\nre-plan of {COMMITMENTS} in {replan.progress_lines} batches, "
            f"{replan.ended - replan.started:.1f} s after the first; {len(edits)} edits, "
            f"{len(inside)} wholly inside it, to {len(last)} commitments (seed {seed})"
        )
        assert len(inside) >= OVERLAPPING, "the edits did not overlap the re-plan"
        _no_trouble(replicas)


# ------------------------------------------------------------ 2. a receiver slower than a batch

AT_ONCE = 200
RECEIVER_DELAY = 2.0  # seconds the receiver takes to answer each request
# seconds: TREATYCAL_WEBHOOK_TIMEOUT and TREATYCAL_DELIVERY_LEASE. The timeout leaves the
# receiver 1.5 s to spare: with 0.5 s, a loaded CI machine timed 9 of 200 requests out, and
# their retries came after the test stopped waiting.
TIMEOUT, LEASE = 3.5, 8.0
BATCH, CONCURRENCY = 200, 32  # TREATYCAL_DELIVERY_BATCH and TREATYCAL_DELIVERY_CONCURRENCY


def _answer_slowly(_received: Received) -> tuple[int, dict[str, str]]:
    time.sleep(RECEIVER_DELAY)
    return 204, {}


def _deadlines_at(due: datetime) -> list[dict[str, object]]:
    value = due.strftime("%Y-%m-%dT%H:%M:%S")
    return [
        {
            "id": f"slow-{n:03d}",
            "title": f"Deadline {n}",
            "kind": "deadline",
            "due": {"value": value, "tz": "UTC"},
            "alerts": ["PT0S"],
        }
        for n in range(AT_ONCE)
    ]


def _deliveries(url: str) -> list[tuple[str, str, int]]:
    """(message id, status, attempts) of every delivery."""
    app = App.open(Settings(_env_file=None, database_url=url), create=False)
    try:
        with app.context.store.db.read() as conn:
            query = select(deliveries.c.message_id, deliveries.c.status, deliveries.c.attempt_count)
            return [(str(m), str(s), int(a)) for m, s, a in conn.execute(query)]
    finally:
        app.close()


def _await_settled(url: str, timeout: float) -> list[tuple[str, str, int]]:
    """Every delivery, once all of them are queued and none is pending (or at the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        found = _deliveries(url)
        settled = len(found) == AT_ONCE and all(s != "pending" for _, s, _ in found)
        if settled or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def _sent_again(received: list[Received], due: datetime) -> dict[str, list[float]]:
    """The messages that arrived more than once, with each arrival in seconds after due."""
    arrivals: dict[str, list[float]] = defaultdict(list)
    for got in received:
        arrivals[got.message_id].append(round(got.at - due.timestamp(), 2))
    return {message_id: at for message_id, at in arrivals.items() if len(at) > 1}


def test_a_receiver_slower_than_a_batch_gets_each_message_once(postgres_url: str, tmp_path: Path):
    # The fault's conditions: a claim of a whole batch, sent CONCURRENCY at a time to this
    # receiver, would outlive its lease; a claim of what the lease covers does not.
    assert math.ceil(min(BATCH, AT_ONCE) / CONCURRENCY) * RECEIVER_DELAY > LEASE
    assert RECEIVER_DELAY < TIMEOUT < LEASE
    env = replica_env(
        postgres_url,
        load_feeds_on_start="false",
        webhook_timeout=f"PT{TIMEOUT}S",
        delivery_lease=f"PT{LEASE}S",
        delivery_batch=str(BATCH),
        delivery_concurrency=str(CONCURRENCY),
    )
    with Receiver(_answer_slowly).running() as receiver, cluster(tmp_path) as replicas:
        a, b = replicas.launch_api(env), replicas.launch_api(env)
        replicas.launch_worker(env)
        replicas.launch_worker(env)
        replicas.wait_ready()
        assert a.base is not None and b.base is not None
        secret = _subscribe(a.base, receiver.url, ["deadline.reached"])
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
        created = httpx.post(
            f"{b.base}/api/v1/commitments/bulk",
            json={"items": _deadlines_at(due)},
            headers=ADMIN,
            timeout=30,
        )
        assert created.status_code == 201, created.text
        assert datetime.now(UTC) < due, "creating them took longer than the margin before due"

        found = _await_settled(postgres_url, timeout=60)
        took = (datetime.now(UTC) - due).total_seconds()
        received = list(receiver.received)
        statuses = Counter(status for _, status, _ in found)
        assert statuses == {"succeeded": AT_ONCE}, f"deliveries by status: {dict(statuses)}"
        assert {got.message_id for got in received} == {m for m, _, _ in found}
        twice = _sent_again(received, due)
        print(
            f"\n{len(received)} requests for {AT_ONCE} deliveries, {len(twice)} sent again, "
            f"all settled {took:.1f} s after due"
        )
        assert not twice, (
            f"{len(twice)} of {AT_ONCE} messages arrived more than once (seconds after due): "
            f"{list(twice.items())[:5]}"
        )
        assert all(attempts == 1 for _, _, attempts in found)
        assert all(verify_signature(secret, got) for got in received)
        _no_trouble(replicas)


# ------------------------------------------------------------ 3. started together on an empty db


STARTED_TOGETHER = 4  # two API replicas and two workers


@dataclass(frozen=True)
class Together:
    url: str
    replicas: Cluster
    met: int
    """How many of them were waiting to migrate the empty database when it was let go."""


@contextmanager
def _migrations_held(url: str) -> Iterator[Callable[[], int]]:
    """The migration lock held until the block ends, so that processes started together meet
    at the empty database before any of them migrates; yields how many wait for it."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            yield lambda: _waiting_for_locks(conn)
    finally:
        engine.dispose()  # the lock goes with the session


def _waiting_for_locks(conn: Connection) -> int:
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    return int(conn.execute(query).scalar_one())


def _migrating(replicas: Cluster) -> bool:
    """Whether a process got to its migrations (alembic says so) without waiting for the lock."""
    return any("transactional DDL" in replica.text() for replica in replicas.everyone)


@pytest.fixture(scope="module")
def started_together(
    postgres_server: PostgresServer | str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Together]:
    """Two API replicas and two workers let loose at the same moment on an empty database."""
    if isinstance(postgres_server, str):
        pytest.skip(postgres_server)
    folder = tmp_path_factory.mktemp("together")
    with postgres_server.fresh(migrated=False) as url, cluster(folder) as replicas:
        env = replica_env(url)
        with _migrations_held(url) as waiting:
            for _ in range(2):
                replicas.launch_api(env)
            for _ in range(2):
                replicas.launch_worker(env)
            deadline = time.monotonic() + 60
            while waiting() < STARTED_TOGETHER and not _migrating(replicas):
                if time.monotonic() > deadline or not all(r.alive() for r in replicas.everyone):
                    break
                time.sleep(0.05)
            met = waiting()
        yield Together(url, replicas, met)


def test_replicas_started_together_on_an_empty_database_all_come_up(started_together: Together):
    replicas = started_together.replicas
    with replicas.logs_on_failure():
        print(f"\n{started_together.met} of {STARTED_TOGETHER} met at the migration lock")
        replicas.wait_ready(timeout=90)
        time.sleep(1)  # a process that crashed right after saying it was ready is seen too
        for replica in replicas.everyone:
            assert replica.alive(), f"{replica.name} exited with {replica.process.poll()}"
        for api in replicas.apis:
            assert httpx.get(f"{api.base}/readyz", timeout=5).status_code == 200
        _no_trouble(replicas)
        catalog = read_catalog(sorted((ROOT / "feeds").glob("*.yaml")), datetime.now(UTC).date())
        app = App.open(Settings(_env_file=None, database_url=started_together.url), create=False)
        try:
            for commitment_id, versions in catalog.commitments.items():
                history = app.commitments.history(commitment_id)
                assert len(history) == len(versions), f"{commitment_id} loaded more than once"
        finally:
            app.close()


def test_replicas_serve_as_one(started_together: Together):
    replicas = started_together.replicas
    with replicas.logs_on_failure(), Receiver().running() as receiver:
        replicas.wait_ready(timeout=90)
        a, b = (api.base for api in replicas.apis)
        assert a is not None and b is not None
        secret = _subscribe(a, receiver.url, ["commitment.created"])
        commitment = {
            "id": "replicated-summit",
            "title": "A summit written on one replica",
            "kind": "summit",
            "due": {"value": (datetime.now(UTC).date() + timedelta(days=90)).isoformat()},
        }
        created = httpx.post(f"{a}/api/v1/commitments", json=commitment, headers=ADMIN)
        assert created.status_code == 201, created.text
        read = httpx.get(f"{b}/api/v1/commitments/replicated-summit")
        assert read.status_code == 200, read.text
        assert read.json() == created.json()

        [hook] = receiver.wait_for(1, timeout=30)
        assert verify_signature(secret, hook)
        body = json.loads(hook.body)
        assert body["type"] == "commitment.created"
        assert body["data"]["commitment"]["id"] == "replicated-summit"
        time.sleep(1.5)  # a second worker sending it too would be seen by now
        assert [got.message_id for got in receiver.received] == [hook.message_id]
        _no_trouble(replicas)

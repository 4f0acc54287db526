"""Bench: how the answers grow with what the database holds (issue 13).

For each database (SQLite always; PostgreSQL when TREATYCAL_BENCH_POSTGRES_URL or
TREATYCAL_TEST_POSTGRES_URL names a server, in a database of its own that is made afresh), the
shipped feeds are loaded and generated commitments are imported through the bulk path until
the database holds each size in turn. At each size:

- the import rate of the step (commitments/s, through `Commitments.create_many`; as in the
  import bench, the items are validated before the clock starts, as the adapters do);
- answers through the real app in-process (a TestClient, so server time): a lookup by id
  (the yardstick), upcoming now and as of 2019-05-14, text searches, a list page;
- the alert engine's start once its plans are current;
- reading the 14 May 2019 report (`App.reading.preview`: extracted, then matched against the
  commitments known on its date), when the report is here (tests.support.gold.sochi_report);
- `treatycal serve` in its own process: seconds to /healthz, CPU spent after, memory at rest.

The generated commitments are stored without alerts, so that the engine sends no backlog of
past ones. The goal is that each answer costs what it returns, not what the database holds:
the ratio to the lookup by id should not grow with the size.

python -m tests.bench --only scale            # 10,000, 100,000 and 1,000,000
python -m tests.bench --only scale --quick    # 2,000 and 10,000
TREATYCAL_BENCH_ONLY=postgresql python -m tests.bench --only scale   # one database alone

Each database's figures go to results/scale-<database>.json.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.clock import utc_now
from service.domain import ArticleIn, CommitmentCreate
from service.settings import Settings
from tests.bench import corpus, scale_process
from tests.bench.databases import benched
from tests.bench.serve_app import store
from tests.bench.support import REPO, Options, Outcome, progress, show, table, write_result
from tests.support.gold import sochi_report

NAME = "scale"
QUERIES = (
    ("by id (yardstick)", "/api/v1/commitments/new-start-expiry"),
    ("upcoming P90D, a page of 50", "/api/v1/upcoming?within=P90D"),
    ("upcoming P90D as of 2019-05-14", "/api/v1/upcoming?within=P90D&as_of=2019-05-14"),
    ("upcoming P7D as of 2019-05-14", "/api/v1/upcoming?within=P7D&as_of=2019-05-14"),
    ("list, a page of 50 at offset 500", "/api/v1/commitments?limit=50&offset=500"),
    ("list kind=summit, 50", "/api/v1/commitments?kind=summit&limit=50"),
    ("search q=treaty, 50", "/api/v1/commitments?q=treaty&limit=50"),
    ("search q=helsinki, 50", "/api/v1/commitments?q=helsinki&limit=50"),
    ("search q=nothing-like-it", "/api/v1/commitments?q=nothing-like-it"),
)
BENCH_DATABASE = "treatycal_bench"
NOTES = [
    "answers: server time through an in-process TestClient, no network",
    "served: `treatycal serve` in its own process, default settings but the database",
    "imports through Commitments.create_many, 50,000 per transaction, no alerts planned; "
    "validating the items is not counted",
]


def run(options: Options) -> Outcome:
    sizes = (2_000, 10_000) if options.quick else (10_000, 100_000, 1_000_000)
    repeats = 5 if options.quick else 11
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="treatycal-bench-") as folder:
        for backend, url in benched(Path(folder), BENCH_DATABASE):
            rows += _grow(backend, url, sizes, repeats)
    return _report(options, sizes, repeats, rows)


def _grow(backend: str, url: str, sizes: tuple[int, ...], repeats: int) -> list[dict[str, Any]]:
    settings = Settings(_env_file=None, database_url=url, feeds_dir=REPO / "feeds")
    filling = App.open(settings)
    filling.feeds.load(sorted((REPO / "feeds").glob("*.yaml")), complete=True)
    with filling.context.transaction() as tx:
        tx.alerts.all_planned_with(filling.context.planner.rules.fingerprint(), utc_now())
    generated = _generated()
    rows: list[dict[str, Any]] = []
    held = 0
    for size in sizes:
        progress(f"{backend}: importing {size - held:,} more, to hold {size:,}")
        before, importing = held, 0.0
        while held < size:
            step = min(50_000, size - held)
            items = list(itertools.islice(generated, step))
            started = time.perf_counter()
            store(filling, items, plan=False)
            importing += time.perf_counter() - started
            held += step
        rate = (size - before) / importing
        progress(f"{backend} {size:,}: imported at {rate:,.0f} commitments/s")
        rows += _measure_size(backend, settings, size, repeats, rate)
    filling.close()
    return rows


def _generated() -> Iterator[CommitmentCreate]:
    for cid, data in corpus.stream():
        yield CommitmentCreate.model_validate(data | {"id": cid})


def _measure_size(
    backend: str, settings: Settings, size: int, repeats: int, rate: float
) -> list[dict[str, Any]]:
    base = {"db": backend, "size": size}
    rows = [base | {"what": "bulk import, commitments/s", "value": round(rate)}]
    quiet = settings.model_copy(update={"load_feeds_on_start": False})
    rows.append(base | {"what": "engine start, plans current, ms", "value": _engine_start(quiet)})
    read = _reading(quiet)
    if read is not None:
        rows.append(base | {"what": "read an article, matched, ms", "value": read})
    with TestClient(create_app(quiet)) as client:
        # Up to 20,000 events, the start renders the feeds in a thread of its own: measured
        # while it ran, every answer at 10,000 took ten times what it takes at a million.
        client.app.state.services.warmed.wait()  # type: ignore[attr-defined]
        answers = [_answer(client, label, url, repeats) for label, url in QUERIES]
    yardstick = answers[0]["p50_ms"]
    for answer in answers:
        rows.append(base | answer | {"x_by_id": round(answer["p50_ms"] / yardstick, 1)})
    started = scale_process.measure(settings.database_url)
    progress(f"{backend} {size:,}: served process {started}")
    rows += [base | {"what": f"served: {k}", "value": v} for k, v in asdict(started).items()]
    return rows


def _engine_start(settings: Settings) -> float:
    started = time.perf_counter()
    app = App.open(settings)
    engine = app.engine()
    engine.start()
    seconds = time.perf_counter() - started
    engine.stop()
    app.close()
    return round(seconds * 1000, 1)


def _reading(settings: Settings, repeats: int = 3) -> float | None:
    """p50 ms of reading the Sochi report in this process: extracting its proposals, then
    matching them against what was known on 14 May 2019."""
    found = sochi_report()
    if found is None:
        progress("the Sochi report is not here: reading an article is not measured")
        return None
    article = ArticleIn(text=found.read_text(encoding="utf-8"), published=date(2019, 5, 14))
    app = App.open(settings)
    seconds = []
    try:
        for _ in range(repeats):
            began = time.perf_counter()
            app.reading.preview(article)
            seconds.append(time.perf_counter() - began)
    finally:
        app.close()
    p50 = round(statistics.median(seconds) * 1000, 1)
    progress(f"  read an article, matched: p50 {p50} ms")
    return p50


def _answer(client: TestClient, label: str, url: str, repeats: int) -> dict[str, Any]:
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code, first.text[:300])
    seconds = []
    for _ in range(repeats):
        began = time.perf_counter()
        answer = client.get(url)
        seconds.append(time.perf_counter() - began)
        assert answer.status_code == 200
    p50 = round(statistics.median(seconds) * 1000, 1)
    progress(f"  {label}: p50 {p50} ms, {len(first.content):,} bytes")
    return {"what": label, "p50_ms": p50, "bytes": len(first.content)}


def _report(
    options: Options, sizes: tuple[int, ...], repeats: int, rows: list[dict[str, Any]]
) -> Outcome:
    show(
        table(
            ["db", "commitments", "what", "p50 ms / value", "times by id", "bytes"],
            [
                [
                    r["db"],
                    f"{r['size']:,}",
                    r["what"],
                    r.get("p50_ms", r.get("value")),
                    r.get("x_by_id", ""),
                    r.get("bytes", ""),
                ]
                for r in rows
            ],
        )
    )
    paths = [
        write_result(
            f"{NAME}-{db}",
            options,
            {"sizes": list(sizes), "repeats": repeats},
            {"rows": [r for r in rows if r["db"] == db]},
            NOTES,
        )
        for db in dict.fromkeys(r["db"] for r in rows)
    ]
    largest = [r for r in rows if r["size"] == sizes[-1]]
    headline = [f"also written: {path}" for path in paths[1:]] + [
        f"{r['db']} {sizes[-1]:,}: {r['what']} {r.get('p50_ms', r.get('value'))}" for r in largest
    ]
    return Outcome(NAME, paths[0], headline, [])

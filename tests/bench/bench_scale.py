"""Bench: how the answers grow with what the database holds (issue 13).

For each size, a SQLite file holds the shipped feeds plus that many generated commitments. The
real app (create_app) answers in-process through a TestClient, so each figure is server time.
Measured per size: a lookup by id (the yardstick), upcoming now and as of 2019-05-14 over 90
days, a text search, and the start of the alert engine once its plans are current (the
generated commitments are stored without alerts, so no backlog of past ones is sent). The goal
is that each answer costs what it returns, not what the database holds: the ratio to the
lookup by id should not grow with the size.

python -m tests.bench --only scale            # 10,000 and 100,000 commitments
python -m tests.bench --only scale --quick    # 2,000
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.clock import utc_now
from service.settings import Settings
from tests.bench.serve_app import fill
from tests.bench.support import REPO, Options, Outcome, progress, show, table, write_result

NAME = "scale"
QUERIES = (
    ("by id (yardstick)", "/api/v1/commitments/new-start-expiry"),
    ("upcoming P90D", "/api/v1/upcoming?within=P90D"),
    ("upcoming P90D as of 2019-05-14", "/api/v1/upcoming?within=P90D&as_of=2019-05-14"),
    ("upcoming P7D as of 2019-05-14", "/api/v1/upcoming?within=P7D&as_of=2019-05-14"),
    ("search q=treaty, 50", "/api/v1/commitments?q=treaty&limit=50"),
)


def run(options: Options) -> Outcome:
    sizes = (2_000,) if options.quick else (10_000, 100_000)
    repeats = 5 if options.quick else 11
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="treatycal-bench-") as folder:
        for size in sizes:
            rows += _one_size(Path(folder) / f"scale-{size}.db", size, repeats)
    return _report(options, sizes, repeats, rows)


def _one_size(path: Path, size: int, repeats: int) -> list[dict[str, Any]]:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{path}", feeds_dir=REPO / "feeds")
    progress(f"storing {size:,} generated commitments beside the shipped feeds")
    filling = App.open(settings)
    filling.feeds.load(sorted((REPO / "feeds").glob("*.yaml")), complete=True)
    fill(filling, size)  # plans no alerts, so that no backlog of past alerts is sent below
    with filling.context.transaction() as tx:
        tx.alerts.all_planned_with(filling.context.planner.rules.fingerprint(), utc_now())
    filling.close()
    quiet = settings.model_copy(update={"load_feeds_on_start": False})
    rows = [_engine_start(quiet, size)]
    with TestClient(create_app(quiet)) as client:
        client.app.state.services.warmed.wait()  # type: ignore[attr-defined]
        rows += [_measure(client, size, label, url, repeats) for label, url in QUERIES]
    yardstick = rows[1]["p50_ms"]
    for row in rows[1:]:
        row["x_by_id"] = round(row["p50_ms"] / yardstick, 1)
    return rows


def _engine_start(settings: Settings, size: int) -> dict[str, Any]:
    started = time.perf_counter()
    app = App.open(settings)
    engine = app.engine()
    engine.start()
    seconds = time.perf_counter() - started
    engine.stop()
    app.close()
    progress(f"{size:,}: the engine started in {seconds:.2f} s")
    return {"size": size, "what": "engine start, plans current", "p50_ms": round(seconds * 1000, 1)}


def _measure(client: TestClient, size: int, label: str, url: str, repeats: int) -> dict[str, Any]:
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code, first.text[:300])
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        answer = client.get(url)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200
    p50 = round(statistics.median(seconds) * 1000, 1)
    progress(f"{size:,}: {label}: p50 {p50} ms, {len(first.content):,} bytes")
    return {"size": size, "what": label, "p50_ms": p50, "bytes": len(first.content)}


def _report(
    options: Options, sizes: tuple[int, ...], repeats: int, rows: list[dict[str, Any]]
) -> Outcome:
    show(
        table(
            ["commitments", "what", "p50 ms", "times by id", "bytes"],
            [
                [f"{r['size']:,}", r["what"], r["p50_ms"], r.get("x_by_id", ""), r.get("bytes", "")]
                for r in rows
            ],
        )
    )
    path = write_result(
        NAME,
        options,
        {"sizes": list(sizes), "repeats": repeats},
        {"rows": rows},
        ["server time: an in-process TestClient, no network; SQLite; the shipped feeds loaded"],
    )
    largest = [r for r in rows if r["size"] == sizes[-1]]
    headline = [f"{sizes[-1]:,}: {r['what']} p50 {r['p50_ms']} ms" for r in largest]
    return Outcome(NAME, path, headline, [])

"""Bench: how long the pages take to answer with 10,000 commitments tracked.

The real app (create_app) over a SQLite file holding the shipped feeds plus 10,000 generated
commitments, driven in-process by a TestClient so the figure is server time: routing, the use
case, the template and the middleware, with no network in between. Target (issue 10): the
home page under 200 ms.
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
from service.settings import Settings
from tests.bench.serve_app import fill
from tests.bench.support import REPO, Options, Outcome, progress, show, table, write_result

NAME = "pages"
TARGET_MS = 200.0
PAGES = (
    ("home, next 12 months", "/"),
    ("home, next 90 days of one kind", "/?kind=treaty_expiry&window=90d"),
    ("home, all 20 years", "/?window=all"),
    ("home, as it looked on 2019-05-14", "/?as_of=2019-05-14"),
    ("one commitment", "/commitments/new-start-expiry"),
    ("feeds", "/feeds"),
)


def run(options: Options) -> Outcome:
    count, repeats = (1_000, 5) if options.quick else (10_000, 25)
    with tempfile.TemporaryDirectory(prefix="treatycal-bench-") as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{Path(folder) / 'pages.db'}",
            feeds_dir=REPO / "feeds",
        )
        progress(f"storing {count:,} generated commitments beside the shipped feeds")
        filling = App.open(settings)
        filling.feeds.load(sorted((REPO / "feeds").glob("*.yaml")), complete=True)
        fill(filling, count)
        filling.close()
        with TestClient(
            create_app(settings.model_copy(update={"load_feeds_on_start": False}))
        ) as client:
            progress("waiting for the feed cache to warm, so it does not share the CPU")
            client.app.state.services.warmed.wait()  # type: ignore[attr-defined]
            rows = [_measure(client, label, path, repeats) for label, path in PAGES]
    return _report(options, count, repeats, rows)


def _measure(client: TestClient, label: str, path: str, repeats: int) -> dict[str, Any]:
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code, first.text[:300])
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        answer = client.get(path)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == 200
    ordered = sorted(seconds)
    figures = {
        "page": label,
        "path": path,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000, 1),
        "bytes": len(first.content),
    }
    progress(f"{label}: p50 {figures['p50_ms']} ms")
    return figures


def _report(options: Options, count: int, repeats: int, rows: list[dict[str, Any]]) -> Outcome:
    show(
        table(
            ["page", "p50 ms", "p95 ms", "bytes"],
            [[r["page"], r["p50_ms"], r["p95_ms"], r["bytes"]] for r in rows],
        )
    )
    home = rows[0]
    problems = (
        []
        if home["p50_ms"] < TARGET_MS
        else [f"the home page took {home['p50_ms']} ms (p50), over the {TARGET_MS:.0f} ms target"]
    )
    path = write_result(
        NAME,
        options,
        {"commitments": count, "repeats": repeats, "target_ms": TARGET_MS},
        {"pages": rows},
        ["server time: an in-process TestClient, no network; SQLite; the shipped feeds loaded"],
    )
    headline = [f"home page p50 {home['p50_ms']} ms with {count:,} commitments (target < 200 ms)"]
    return Outcome(NAME, path, headline, problems)

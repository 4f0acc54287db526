"""Bench: a bulk import through the use case, `App.commitments.create_many` (issue 13).

Generated commitments (tests/bench/corpus.py) go into a new SQLite file, and a new PostgreSQL
database when a server is named (tests/bench/databases.py), in one transaction,
with their revisions, alerts planned and the text index, as `treatycal import` and
POST /api/v1/commitments/bulk store them. The goal is 5,000 commitments/s or more. Parsing the
input is not counted: the items are validated before the clock starts, as the adapters do.
Each database's figures go to results/import-<database>.json, with the database's floor: the
same rows copied inside it, with no Python (tests/bench/import_floor.py).

python -m tests.bench --only import            # 100,000 commitments
TREATYCAL_BENCH_ONLY=sqlite python -m tests.bench --only import   # one database alone
python -m tests.bench --only import --quick    # 5,000
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from service.app import App
from service.domain import CommitmentCreate
from service.settings import Settings
from tests.bench import import_floor
from tests.bench.databases import benched
from tests.bench.serve_app import generated, store
from tests.bench.support import Options, Outcome, progress, show, table, write_result

NAME = "import"


def run(options: Options) -> Outcome:
    count = 5_000 if options.quick else 100_000
    items = generated(count)
    rows: list[list[Any]] = []
    paths: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="treatycal-bench-") as folder:
        for backend, url in benched(Path(folder), "treatycal_import"):
            seconds, cpu_seconds, floor = _imported(backend, url, items, Path(folder))
            rate, cpu_rate, floor_rate = (round(count / s) for s in (seconds, cpu_seconds, floor))
            rows.append([backend, count, round(seconds, 1), rate, cpu_rate, floor_rate])
            paths.append(
                write_result(
                    f"{NAME}-{backend}",
                    options,
                    {"count": count, "planned": True, "database": backend},
                    {
                        "seconds": round(seconds, 2),
                        "per_second": rate,
                        "per_cpu_second": cpu_rate,
                        "database_floor_per_second": floor_rate,
                    },
                    [
                        "one transaction; validation of the input not counted",
                        "per CPU second: this process's CPU time, not a database server's",
                        "database floor: the same rows copied inside the database "
                        "(tests/bench/import_floor.py), the most an import could reach here",
                    ],
                )
            )
    headers = ["database", "commitments", "seconds", "per second", "per CPU second", "floor"]
    show(table(headers, rows))
    said = [f"also written: {path}" for path in paths[1:]] + [
        f"{db}, {n:,} commitments: {rate:,}/s ({cpu:,}/CPU s); the database alone: {floor:,}/s"
        for db, n, _, rate, cpu, floor in rows
    ]
    return Outcome(NAME, paths[0], said)


def _imported(
    backend: str, url: str, items: Sequence[CommitmentCreate], folder: Path
) -> tuple[float, float, float]:
    """Seconds and CPU seconds to import `items` into the new database at `url`, and seconds
    for the database alone to store the same rows again (its floor)."""
    settings = Settings(_env_file=None, database_url=url)
    empty = folder / "empty.db"
    if backend == "sqlite":
        App.open(settings).close()
        shutil.copyfile(make_url(url).database or "", empty)
    app = App.open(settings)
    progress(f"{backend}: importing {len(items):,} generated commitments, alerts planned")
    started, cpu = time.perf_counter(), time.process_time()
    store(app, items, plan=True)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    app.close()
    progress(f"{backend}: copying the same rows inside the database, for its floor")
    if backend == "sqlite":
        floor = import_floor.sqlite_seconds(Path(make_url(url).database or ""), empty)
    else:
        floor = import_floor.postgresql_seconds(url)
    return seconds, cpu_seconds, floor

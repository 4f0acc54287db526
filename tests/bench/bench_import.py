"""Bench: a bulk import through the use case, `App.commitments.create_many` (issue 13).

Generated commitments (tests/bench/corpus.py) go into a new SQLite file, and a new PostgreSQL
database when a server is named (tests/bench/databases.py), in one transaction,
with their revisions, alerts planned and the text index, as `treatycal import` and
POST /api/v1/commitments/bulk store them. The goal is 5,000 commitments/s or more. Parsing the
input is not counted: the items are validated before the clock starts, as the adapters do.
Each database's figures go to results/import-<database>.json.

python -m tests.bench --only import            # 100,000 commitments
TREATYCAL_BENCH_ONLY=sqlite python -m tests.bench --only import   # one database alone
python -m tests.bench --only import --quick    # 5,000
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from service.app import App
from service.settings import Settings
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
            app = App.open(Settings(_env_file=None, database_url=url))
            progress(f"{backend}: importing {count:,} generated commitments, alerts planned")
            started = time.perf_counter()
            cpu = time.process_time()
            store(app, items, plan=True)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
            app.close()
            rate, cpu_rate = round(count / seconds), round(count / cpu_seconds)
            rows.append([backend, count, round(seconds, 1), rate, cpu_rate])
            paths.append(
                write_result(
                    f"{NAME}-{backend}",
                    options,
                    {"count": count, "planned": True, "database": backend},
                    {"seconds": round(seconds, 2), "per_second": rate, "per_cpu_second": cpu_rate},
                    [
                        "one transaction; validation of the input not counted",
                        "per CPU second: this process's CPU time, not a database server's",
                    ],
                )
            )
    show(table(["database", "commitments", "seconds", "per second", "per CPU second"], rows))
    said = [f"{db}, {n:,} commitments: {rate:,}/s ({cpu:,}/CPU s)" for db, n, _, rate, cpu in rows]
    return Outcome(NAME, paths[-1], said)

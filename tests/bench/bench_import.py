"""Bench: a bulk import through the use case, `App.commitments.create_many` (issue 13).

Generated commitments (tests/bench/corpus.py) go into a new SQLite file in one transaction,
with their revisions, alerts planned and the text index, as `treatycal import` and
POST /api/v1/commitments/bulk store them. The goal is 5,000 commitments/s or more. Parsing the
input is not counted: the items are validated before the clock starts, as the adapters do.

python -m tests.bench --only import            # 100,000 commitments
python -m tests.bench --only import --quick    # 5,000
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from service.app import App
from service.settings import Settings
from tests.bench.serve_app import generated, store
from tests.bench.support import Options, Outcome, progress, show, table, write_result

NAME = "import"


def run(options: Options) -> Outcome:
    count = 5_000 if options.quick else 100_000
    with tempfile.TemporaryDirectory(prefix="treatycal-bench-") as folder:
        settings = Settings(_env_file=None, database_url=f"sqlite:///{Path(folder) / 'i.db'}")
        app = App.open(settings)
        items = generated(count)
        progress(f"importing {count:,} generated commitments, alerts planned")
        started = time.perf_counter()
        cpu = time.process_time()
        store(app, items, plan=True)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        app.close()
    rate, cpu_rate = round(count / seconds), round(count / cpu_seconds)
    show(
        table(
            ["commitments", "seconds", "per second", "per CPU second"],
            [[count, round(seconds, 1), rate, cpu_rate]],
        )
    )
    path = write_result(
        NAME,
        options,
        {"count": count, "planned": True},
        {"seconds": round(seconds, 2), "per_second": rate, "per_cpu_second": cpu_rate},
        ["SQLite file, one transaction; validation of the input not counted"],
    )
    return Outcome(NAME, path, [f"{count:,} commitments: {rate:,}/s ({cpu_rate:,}/CPU s)"])

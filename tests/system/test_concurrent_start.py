"""Replicas started together on an empty database: one migrates and loads, the others wait."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from service.app import App
from service.clock import utc_now
from service.feeds import read_catalog
from service.settings import Settings
from tests.support.databases import PostgresServer
from tests.support.processes import ROOT, TREATYCAL, clean_env

pytestmark = pytest.mark.acceptance

SHIPPED = sorted((ROOT / "feeds").glob("*.yaml"))


def _start_together(url: str, count: int = 3) -> list[subprocess.CompletedProcess[str]]:
    """`treatycal load` (migrate, then load the feed files) in `count` processes at once."""
    processes = [
        subprocess.Popen(
            [TREATYCAL, "load"],
            cwd=ROOT,
            env=clean_env(database_url=url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    finished = []
    for process in processes:
        out, err = process.communicate(timeout=180)
        finished.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return finished


def _revisions_written(printed: str) -> int:
    found = re.search(r"(\d+) revisions written", printed)
    assert found is not None, printed
    return int(found.group(1))


def _check_loaded_once(url: str, finished: list[subprocess.CompletedProcess[str]]) -> None:
    for done in finished:
        assert done.returncode == 0, done.stderr
    written = [_revisions_written(done.stdout) for done in finished]
    catalog = read_catalog(SHIPPED, utc_now().date())
    expected = sum(len(versions) for versions in catalog.commitments.values())
    assert sorted(written) == [0] * (len(finished) - 1) + [expected]
    app = App.open(Settings(_env_file=None, database_url=url), create=False)
    try:
        for commitment_id, versions in catalog.commitments.items():
            assert len(app.commitments.history(commitment_id)) == len(versions), commitment_id
    finally:
        app.close()


@pytest.mark.postgres
def test_three_processes_on_an_empty_postgresql_load_the_feeds_once(
    postgres_server: PostgresServer | str,
):
    if isinstance(postgres_server, str):
        pytest.skip(postgres_server)
    with postgres_server.fresh(migrated=False) as url:
        _check_loaded_once(url, _start_together(url))


def test_three_processes_on_a_new_sqlite_file_load_the_feeds_once(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    _check_loaded_once(url, _start_together(url))

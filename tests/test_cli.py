"""Acceptance: the `treatycal` command in a subprocess, as a person would run it."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

from tests.support.processes import (
    ROOT,
    TREATYCAL,
    clean_env,
    free_port,
    start_server,
    wait_until_healthy,
)

pytestmark = pytest.mark.acceptance


def _env(tmp_path: Path) -> dict[str, str]:
    return clean_env(database_url=f"sqlite:///{tmp_path / 'cli.db'}")


def run(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [TREATYCAL, *args],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"treatycal {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    env = clean_env(database_url=f"sqlite:///{tmp_path / 'cli.db'}", admin_token="cli-admin-token")
    log = tmp_path / "serve.log"
    process = start_server(port, env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_serve_loads_the_shipped_feeds_and_answers(server, tmp_path: Path):
    base, process = server
    feed = httpx.get(f"{base}/feeds/arms-control.ics")
    assert feed.status_code == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert any(str(e["UID"]).startswith("new-start-expiry@") for e in events)
    again = httpx.get(
        f"{base}/feeds/arms-control.ics", headers={"If-None-Match": feed.headers["etag"]}
    )
    assert again.status_code == 304
    then = httpx.get(f"{base}/api/v1/upcoming", params={"as_of": "2019-05-14", "within": "P2Y"})
    dues = {item["id"]: item["due"]["value"] for item in then.json()["items"]}
    assert dues["new-start-expiry"] == "2021-02-05"
    listed = httpx.get(f"{base}/api/v1/feeds").json()
    assert {"arms-control", "summits", "sochi-2019", "all"} <= {f["slug"] for f in listed}
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    output = (tmp_path / "serve.log").read_text()
    assert f"{base}/docs" in output
    assert f"{base}/feeds/arms-control.ics" in output


def test_load_is_idempotent_and_refuses_a_broken_file_whole(tmp_path: Path):
    first = run(tmp_path, "load")
    assert "new commitments" in first.stdout and " 0 new commitments" not in first.stdout
    second = run(tmp_path, "load")
    assert "0 new commitments, 0 revisions written" in second.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "feed:\n  title: Broken\ncommitments:\n"
        "  - id: bad-date\n    title: Bad\n    kind: summit\n    due: '2021-02-30'\n"
    )
    failed = run(tmp_path, "load", str(broken), check=False)
    assert failed.returncode == 1
    assert "broken.yaml:" in failed.stderr and "2021-02-30" in failed.stderr


def test_upcoming_prints_a_table_and_json_as_of_a_past_day(tmp_path: Path):
    run(tmp_path, "load")
    table = run(tmp_path, "upcoming", "--as-of", "2019-05-14", "--within", "P2Y").stdout
    assert "New START" in table and "5 February 2021" in table
    document = json.loads(
        run(tmp_path, "upcoming", "--as-of", "2019-05-14", "--within", "P2Y", "--json").stdout
    )
    items = {item["id"]: item for item in document["items"]}
    assert items["new-start-expiry"]["due"]["value"] == "2021-02-05"
    assert items["new-start-expiry"]["days_left"] == 633
    bad = run(tmp_path, "upcoming", "--within", "soon", check=False)
    assert bad.returncode == 2 and "not an ISO 8601 duration" in bad.stderr


def test_export_writes_the_feed_as_served(tmp_path: Path):
    run(tmp_path, "load")
    target = tmp_path / "arms-control.ics"
    run(tmp_path, "export", "arms-control", "-o", str(target))
    calendar = Calendar.from_ical(target.read_bytes())
    assert calendar["X-WR-CALNAME"]
    missing = run(tmp_path, "export", "no-such-feed", check=False)
    assert missing.returncode == 1 and "no feed named 'no-such-feed'" in missing.stderr


def test_keys_are_shown_once_listed_without_secrets_and_revoked(tmp_path: Path):
    created = run(tmp_path, "keys", "create", "--scope", "write", "--name", "newsroom")
    token = created.stdout.strip()
    assert token.startswith("tcal_") and "cannot be shown again" in created.stderr
    listed = run(tmp_path, "keys", "list", "--json").stdout
    (key,) = json.loads(listed)
    assert key["scope"] == "write" and token not in listed
    revoked = run(tmp_path, "keys", "revoke", key["id"])
    assert "revoked" in revoked.stdout
    assert run(tmp_path, "keys", "revoke", "nope", check=False).returncode == 1


def test_migrate_reports_the_schema_is_current(tmp_path: Path):
    assert "current schema" in run(tmp_path, "migrate").stdout

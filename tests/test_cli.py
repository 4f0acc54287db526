"""Acceptance: the `treatycal` command in a subprocess, as a person would run it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar

pytestmark = pytest.mark.acceptance

ROOT = Path(__file__).resolve().parent.parent
TREATYCAL = str(Path(sys.executable).with_name("treatycal"))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREATYCAL_")}
    return env | {"TREATYCAL_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = _free_port()
    process = subprocess.Popen(
        [TREATYCAL, "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(tmp_path) | {"TREATYCAL_ADMIN_TOKEN": "cli-admin-token"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _wait_until_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"serve exited early:\n{process.stdout.read() if process.stdout else ''}"
            )
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("serve did not answer /healthz within 60 s")


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
    output = process.communicate(timeout=30)[0]
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

"""Acceptance: the `treatycal` command in a subprocess, as a person would run it."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from icalendar import Calendar

from tests.support.processes import (
    ROOT,
    TREATYCAL,
    clean_env,
    free_port,
    start_server,
    wait_until_healthy,
)
from tests.support.receiver import Receiver, verify_signature

pytestmark = pytest.mark.acceptance


def _env(tmp_path: Path) -> dict[str, str]:
    return clean_env(database_url=f"sqlite:///{tmp_path / 'cli.db'}", webhook_allow="127.0.0.1/32")


def run(
    tmp_path: Path, *args: str, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [TREATYCAL, *args],
        cwd=ROOT,
        env=_env(tmp_path),
        input=stdin,
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
    assert items["us-election-2020"]["status"] == "scheduled", "it had not happened yet"
    undated_then = {c["id"] for c in document["undated"]}
    assert {"trump-putin-next-meeting-2019", "new-start-extension-talks-2019"} <= undated_then
    undated_now = {
        c["id"] for c in json.loads(run(tmp_path, "upcoming", "--json").stdout)["undated"]
    }
    assert not undated_now & undated_then, "both were settled long ago: nothing is still pending"
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


def test_extract_prints_mentions_and_proposals_as_json_or_a_table(tmp_path: Path):
    passage = yaml.safe_load(
        (ROOT / "tests/gold/passages/snapback-triggered-2025-08-28.yaml").read_text()
    )
    article = tmp_path / "article.txt"
    article.write_text(passage["text"])
    run(tmp_path, "load")
    printed = run(
        tmp_path, "extract", str(article), "--published", "2025-08-28", "--format", "json"
    ).stdout
    document = json.loads(printed)
    assert set(document) == {"mentions", "proposals"}
    first = document["mentions"][0]
    assert {
        "text",
        "start",
        "end",
        "value",
        "precision",
        "earliest",
        "latest",
        "tense",
        "sentence",
    } <= set(first)
    assert passage["text"][first["start"] : first["end"]] == first["text"]
    deadline = next(p for p in document["proposals"] if p["kind"] == "deadline")
    assert {k: deadline["due"][k] for k in ("value", "precision", "earliest", "latest")} == {
        "value": "2025-09-27",
        "precision": "day",
        "earliest": "2025-09-27",
        "latest": "2025-09-27",
    }
    expiry = next(p for p in document["proposals"] if p["kind"] == "treaty_expiry")
    assert expiry["matches"] == "jcpoa-termination-day"
    table = run(tmp_path, "extract", "-", "--published", "2025-08-28", stdin=passage["text"]).stdout
    assert "proposed commitments" in table and "2025-09-27" in table
    missing = run(tmp_path, "extract", str(article), check=False)
    assert missing.returncode == 2 and "--published" in missing.stderr
    empty = run(tmp_path, "extract", "-", "--published", "2025-08-28", stdin=" ", check=False)
    assert empty.returncode == 2 and "text is empty" in empty.stderr


def test_subscriptions_from_the_command_line(tmp_path: Path):
    refused = run(tmp_path, "subscriptions", "create", "https://10.0.0.1/hook", check=False)
    assert refused.returncode == 1 and "private" in refused.stderr
    created = run(
        tmp_path,
        "subscriptions",
        "create",
        "http://127.0.0.1:9/hook",
        "--event",
        "deadline.reached",
    )
    assert created.stdout.startswith("whsec_") and "cannot be shown again" in created.stderr
    (listed,) = json.loads(run(tmp_path, "subscriptions", "list", "--json").stdout)
    assert listed["event_types"] == ["deadline.reached"] and "secret" not in listed
    assert created.stdout.strip() not in run(tmp_path, "subscriptions", "list").stdout
    queued = run(tmp_path, "subscriptions", "test", listed["id"]).stdout
    assert "ping queued" in queued
    (delivery,) = json.loads(
        run(tmp_path, "subscriptions", "deliveries", listed["id"], "--json").stdout
    )
    assert delivery["event_type"] == "ping" and delivery["status"] == "pending"
    assert "queued again" in run(tmp_path, "subscriptions", "retry", str(delivery["id"])).stdout
    assert "is active again" in run(tmp_path, "subscriptions", "enable", listed["id"]).stdout
    assert "deleted" in run(tmp_path, "subscriptions", "delete", listed["id"]).stdout
    assert run(tmp_path, "subscriptions", "delete", listed["id"], check=False).returncode == 1


def test_an_api_only_server_and_a_separate_worker_share_the_work(tmp_path: Path):
    env = clean_env(
        database_url=f"sqlite:///{tmp_path / 'split.db'}",
        admin_token="cli-admin-token",
        webhook_allow="127.0.0.1/32",
        engine_safety_interval="PT1S",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    admin = {"Authorization": "Bearer cli-admin-token"}
    log = tmp_path / "serve.log"
    server = start_server(port, env, log, "--no-engine", "--no-load")
    with (tmp_path / "worker.log").open("w") as worker_log:
        worker = subprocess.Popen(
            [TREATYCAL, "worker"], cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_healthy(base, server, log)
        with Receiver().running() as receiver:
            hook = {"url": receiver.url, "event_types": ["ping"]}
            created = httpx.post(f"{base}/api/v1/subscriptions", json=hook, headers=admin)
            assert created.status_code == 422, "ping is not subscribable"
            created = httpx.post(
                f"{base}/api/v1/subscriptions", json={"url": receiver.url}, headers=admin
            )
            subscription = created.json()
            httpx.post(f"{base}/api/v1/subscriptions/{subscription['id']}/test", headers=admin)
            (got,) = receiver.wait_for(1, timeout=20)
        assert json.loads(got.body)["type"] == "ping"
        assert verify_signature(subscription["secret"], got)
    finally:
        worker.send_signal(signal.SIGTERM)
        server.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        server.wait(timeout=30)
    assert "alert engine started" in (tmp_path / "worker.log").read_text()
    assert "alert engine started" not in log.read_text()

"""Acceptance: the `treatycal` command in a subprocess, as a person would run it."""

from __future__ import annotations

import json
import os
import pty
import re
import select
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


def _talks(number: int) -> str:
    item = {"id": f"talks-{number}", "title": f"Talks, round {number}", "kind": "meeting"}
    return json.dumps(item | {"due": f"2027-{1 + (number - 1) % 12:02d}-15"})


def test_import_takes_json_lines_or_an_array_and_stores_all_or_nothing(tmp_path: Path):
    lines = tmp_path / "talks.jsonl"
    lines.write_text("".join(_talks(n) + "\n" for n in (1, 2, 3)))
    done = run(tmp_path, "import", str(lines), "--reason", "from the register")
    assert re.fullmatch(r"loaded 3 commitments in \d+\.\d s \([\d,]+/s\)\n", done.stdout)
    again = run(tmp_path, "import", str(lines), check=False)
    assert again.returncode == 1 and "'talks-1'" in again.stderr
    broken = tmp_path / "broken.jsonl"
    broken.write_text(_talks(4) + "\n\n" + '{"title": "No kind", "due": "2027"}\n')
    failed = run(tmp_path, "import", str(broken), check=False)
    assert failed.returncode == 1
    assert f"{broken}:3: kind: Field required" in failed.stderr
    array = f"[{_talks(4)}, {_talks(5)}]"
    assert "loaded 2 commitments" in run(tmp_path, "import", "-", stdin=array).stdout
    found = run(tmp_path, "upcoming", "--json", "--as-of", "2027-01-01", "--within", "P1Y")
    ids = [item["id"] for item in json.loads(found.stdout)["items"]]
    assert ids == [f"talks-{n}" for n in range(1, 6)]


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
    run(tmp_path, "migrate")
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
    assert set(document) == {"mentions", "proposals", "truncated"}
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
    run(tmp_path, "migrate")
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


def _in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`treatycal` run in `folder` with no database setting, as a newcomer might."""
    return subprocess.run(
        [TREATYCAL, *args], cwd=folder, env=clean_env(), capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "args",
    [
        ("upcoming",),
        ("export", "all"),
        ("keys", "list"),
        ("keys", "create", "--scope", "write"),
        ("subscriptions", "list"),
        ("keys", "list", "--db", "typo.db"),
    ],
    ids=" ".join,
)
def test_a_command_outside_the_project_makes_no_database_and_says_which_it_wanted(
    tmp_path: Path, args: tuple[str, ...]
):
    done = _in(tmp_path, *args)
    assert done.returncode == 1, done.stdout
    wanted = tmp_path / ("typo.db" if "typo.db" in args else "treatycal.db")
    assert f"there is no database at sqlite:///{wanted}" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_was_never_migrated_is_named_and_left_alone(tmp_path: Path):
    empty = tmp_path / "empty.db"
    empty.touch()
    done = _in(tmp_path, "upcoming", "--db", str(empty))
    assert done.returncode == 1
    assert "is not at the current schema" in done.stderr and str(empty) in done.stderr
    assert empty.stat().st_size == 0
    assert "TREATYCAL_DATABASE_URL" in _in(tmp_path, "upcoming", "--help").stdout


def test_a_restart_with_private_feeds_warms_cleanly_and_keeps_them_out_of_the_banner(
    tmp_path: Path,
):
    env = clean_env(database_url=f"sqlite:///{tmp_path / 'cli.db'}", admin_token="cli-admin")
    admin = {"Authorization": "Bearer cli-admin"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    process = start_server(port, env, first_log, "--no-engine")
    try:
        wait_until_healthy(base, process, first_log)
        for slug, private in (("desk-only", True), ("iran-watch", False)):
            made = httpx.post(
                f"{base}/api/v1/feeds",
                json={
                    "slug": slug,
                    "title": slug,
                    "private": private,
                    "selection": {"parties": ["IR"]},
                },
                headers=admin,
            )
            assert made.status_code == 201, made.text
        counted = {f["slug"]: f["count"] for f in httpx.get(f"{base}/api/v1/feeds").json()}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    process = start_server(port, env, second_log, "--no-engine")
    try:
        wait_until_healthy(base, process, second_log)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    banner = second_log.read_text()
    assert "desk-only" not in banner
    assert "could not warm" not in banner and "Traceback" not in banner
    assert counted["iran-watch"] > 0
    assert f"{base}/feeds/iran-watch.ics  ({counted['iran-watch']} commitments)" in banner


def test_upcoming_counts_down_to_the_end_of_a_window_under_way(tmp_path: Path):
    run(tmp_path, "load")
    table = run(tmp_path, "upcoming", "--within", "P1Y").stdout
    (pledge,) = [line for line in table.splitlines() if "5 February 2027" in line]
    assert re.search(r"\bends in \d+ days\b", pledge), pledge
    assert not re.search(r"(^|\s)-\d", table), "no negative day counts"


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (("upcoming", "--feed", "nosuch"), 1, "no feed named 'nosuch'"),
        (("upcoming", "--kind", "nosuch"), 2, "'nosuch' is not one of"),
        (("upcoming", "--party", "XX"), 2, "unknown party 'XX'"),
        (("upcoming", "--as-of", "14/05/2019"), 2, "use YYYY-MM-DD"),
        (("upcoming", "--json", "true"), 2, "unexpected extra argument"),
        (("load", "feeds/summits.yaml"), 1, "feeds/sochi-2019.yaml defines: load that file too"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_mistakes_are_errors_that_say_what_to_do(
    tmp_path: Path, args: tuple[str, ...], code: int, said: str
):
    run(tmp_path, "load")
    done = run(tmp_path, *args, check=False)
    assert done.returncode == code, done.stdout + done.stderr
    assert said in " ".join(done.stderr.split()), done.stderr


def test_help_shows_flags_as_flags_and_whole_words(tmp_path: Path):
    for command in (("upcoming",), ("subscriptions", "create"), ("serve",), ("keys", "list")):
        shown = run(tmp_path, *command, "--help").stdout
        assert "<bool>" not in shown and "<list" not in shown, shown
    upcoming = run(tmp_path, "upcoming", "--help").stdout
    assert "treaty_in_force" in upcoming and "--json " in upcoming
    serve = run(tmp_path, "serve", "--help").stdout
    assert "The address to listen on" in serve and "The port to listen on" in serve
    deliveries = run(tmp_path, "subscriptions", "deliveries", "--help").stdout
    assert "The subscription's id" in deliveries


def test_lists_name_every_column_and_say_what_comes_next(tmp_path: Path):
    run(tmp_path, "migrate")
    run(tmp_path, "keys", "create", "--name", "desk")
    header = run(tmp_path, "keys", "list").stdout.splitlines()[0].split()
    assert header == ["id", "scope", "name", "created", "revoked"]
    run(tmp_path, "subscriptions", "create", "http://127.0.0.1:9/hook", "--party", "RU")
    listed = run(tmp_path, "subscriptions", "list").stdout
    assert "filter" in listed.splitlines()[0] and "parties: RU" in listed
    (subscription,) = json.loads(run(tmp_path, "subscriptions", "list", "--json").stdout)
    run(tmp_path, "subscriptions", "test", subscription["id"])
    deliveries = run(tmp_path, "subscriptions", "deliveries", subscription["id"]).stdout
    assert "next try" in deliveries.splitlines()[0]
    assert re.search(r"pending\s+0\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", deliveries)


def _on_a_terminal(tmp_path: Path, *args: str) -> str:
    """Run `treatycal` with its stderr on a pseudo-terminal; what it wrote there."""
    leader, follower = pty.openpty()
    done = subprocess.run(
        [TREATYCAL, *args],
        cwd=ROOT,
        env=_env(tmp_path) | {"COLUMNS": "100"},
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=120,
    )
    os.close(follower)
    written = b""
    while select.select([leader], [], [], 0.2)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        written += chunk
    os.close(leader)
    assert done.returncode == 0, written
    return written.decode(errors="replace")


def test_long_work_shows_progress_on_a_terminal_and_nothing_when_piped(tmp_path: Path):
    assert "loading" in _on_a_terminal(tmp_path, "load")
    assert "rendering" in _on_a_terminal(tmp_path, "export", "all", "-o", str(tmp_path / "a.ics"))
    piped = run(tmp_path, "load")
    assert piped.stderr == ""
    exported = run(tmp_path, "export", "all", "-o", str(tmp_path / "b.ics"))
    assert (
        exported.stderr.strip()
        == f"wrote {(tmp_path / 'b.ics').stat().st_size} bytes to {tmp_path / 'b.ics'}"
    )


def test_import_shows_progress_on_a_terminal_and_nothing_when_piped(tmp_path: Path):
    lines = tmp_path / "talks.jsonl"
    lines.write_text("".join(_talks(n) + "\n" for n in range(1, 13)))
    assert "importing" in _on_a_terminal(tmp_path, "import", str(lines), "--chunk", "5")
    piped = run(tmp_path, "import", "-", "--chunk", "5", stdin=_talks(13))
    assert piped.stderr == "" and "loaded 1 commitments" in piped.stdout


def test_extract_reads_several_articles_one_json_line_each(tmp_path: Path):
    folder = tmp_path / "articles"
    folder.mkdir()
    passages = sorted((ROOT / "tests/gold/passages").glob("*.yaml"))[:3]
    for passage in passages:
        (folder / f"{passage.stem}.txt").write_text(yaml.safe_load(passage.read_text())["text"])
    common = ("--published", "2025-08-28", "--no-match")
    lines = run(tmp_path, "extract", str(folder), *common, "--format", "jsonl").stdout.splitlines()
    documents = [json.loads(line) for line in lines]
    assert [Path(d["file"]).stem for d in documents] == [p.stem for p in passages]
    assert all(d["mentions"] for d in documents)
    two = sorted(folder.iterdir())[:2]
    array = json.loads(run(tmp_path, "extract", *map(str, two), *common, "--format", "json").stdout)
    assert [d["file"] for d in array] == [str(p) for p in two]
    assert "reading" in _on_a_terminal(tmp_path, "extract", str(folder), *common)
    assert run(tmp_path, "extract", str(folder), *common).stderr == ""


def test_an_api_replica_on_postgresql_needs_the_public_url(tmp_path: Path):
    """Issue 14: replicas with no public URL named their own host:port in the feeds, so each
    served different bytes. Calendars no longer carry it; the Atom feeds must, so a replica
    (--no-engine on PostgreSQL) refuses to start without TREATYCAL_PUBLIC_URL."""
    nowhere = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # refused before it is dialled
    env = clean_env(database_url=nowhere)
    done = subprocess.run(
        [TREATYCAL, "serve", "--no-engine"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "set TREATYCAL_PUBLIC_URL" in done.stderr


@pytest.mark.parametrize("command", [["serve", "--no-engine"], ["worker"]])
def test_with_no_migrate_a_process_refuses_a_database_that_is_not_current(
    tmp_path: Path, command: list[str]
):
    """Where a migration job is the only migrator, a replica started before it has run says
    so and exits, instead of migrating (or making an empty database) itself."""
    database = tmp_path / "not-yet.db"
    env = clean_env(database_url=f"sqlite:///{database}")
    done = subprocess.run(
        [TREATYCAL, *command, "--no-migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stdout
    assert f"there is no database at sqlite:///{database}" in done.stderr
    assert not database.exists()

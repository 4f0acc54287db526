"""Bench 2: serving feeds from the cache, against constant routes on the same app.

The real app runs under uvicorn in a subprocess (tests/bench/serve_app.py) over SQLite with
the shipped feeds plus 10,000 generated commitments. A raw asyncio client on loopback drives
each scenario with C keep-alive connections; every reply's status and length are checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench import loadgen
from tests.bench.loadgen import LoadResult, Reply, Scenario
from tests.bench.support import (
    REPO,
    SHARED_MACHINE,
    Options,
    Outcome,
    progress,
    show,
    table,
    write_result,
)

NAME = "serving"
SMALL, LARGE = "/feeds/arms-control.ics", "/feeds/all.ics"
STARTUP_TIMEOUT = 600.0


@dataclass(frozen=True)
class Plan:
    commitments: int
    concurrency: int
    duration: float
    warmup: float
    rewrites: int

    @classmethod
    def for_options(cls, options: Options) -> Plan:
        if options.quick:
            return cls(commitments=1000, concurrency=8, duration=1.0, warmup=0.3, rewrites=1)
        return cls(commitments=10_000, concurrency=8, duration=5.0, warmup=1.0, rewrites=3)


@dataclass(frozen=True)
class Server:
    pid: int
    port: int
    ready: dict[str, Any]


def run(options: Options) -> Outcome:
    return asyncio.run(_run(options))


async def _run(options: Options) -> Outcome:
    plan = Plan.for_options(options)
    with tempfile.TemporaryDirectory(prefix="treatycal-bench-") as folder:
        async with _server(Path(folder), plan.commitments) as server:
            firsts = await _first_requests(server)
            loads = await _loads(server, plan, firsts)
            rewrites = await _rewrites(server, plan.rewrites)
    return _report(options, plan, server, firsts, loads, rewrites)


@contextlib.asynccontextmanager
async def _server(folder: Path, count: int) -> AsyncIterator[Server]:
    """serve_app in a subprocess; its progress lines are echoed until it says READY."""
    progress(f"starting the app under uvicorn with {count:,} generated commitments")
    log = (folder / "server.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.bench.serve_app", str(folder), str(count)),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    echo: asyncio.Task[None] | None = None
    try:
        ready = await asyncio.wait_for(_await_ready(process), STARTUP_TIMEOUT)
        echo = asyncio.create_task(_echo(process))  # a full pipe would stall the server
        server = Server(process.pid, ready["port"], ready)
        await _await_health(server.port)
        progress(f"serving on 127.0.0.1:{server.port} ({ready['loop']} loop, {ready['http']})")
        yield server
    except BaseException:
        log.flush()
        show((folder / "server.log").read_text(errors="replace")[-4000:])
        raise
    finally:
        await _stop(process)
        if echo is not None:
            await echo
        log.close()


async def _await_ready(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    while raw := await process.stdout.readline():
        line = raw.decode().rstrip()
        if line.startswith("READY "):
            ready: dict[str, Any] = json.loads(line.removeprefix("READY "))
            return ready
        if line:
            progress(line.strip())
    raise RuntimeError(f"the server exited before it was ready (code {await process.wait()})")


async def _echo(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    while raw := await process.stdout.readline():
        progress("server: " + raw.decode().rstrip())


async def _await_health(port: int) -> None:
    for _ in range(300):
        with contextlib.suppress(OSError):
            if (await loadgen.fetch(port, "/healthz")).status == 200:
                return
        await asyncio.sleep(0.1)
    raise RuntimeError("/healthz did not answer 200 within 30 s")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


# ---------------------------------------------------------------------------- measuring


def _check(reply: Reply, status: int, what: str, etag: str | None = None) -> None:
    """Refuse to report on a reply that is not the one we meant to time."""
    if reply.status != status:
        raise AssertionError(f"{what}: status {reply.status}, expected {status}")
    if etag is not None and reply.headers.get("etag") != etag:
        raise AssertionError(f"{what}: ETag {reply.headers.get('etag')}, expected {etag}")
    if status == 200 and reply.headers.get("content-type", "").startswith("text/calendar"):
        served = '"' + hashlib.sha256(reply.body).hexdigest()[:32] + '"'
        if reply.headers.get("etag") != served:
            raise AssertionError(f"{what}: the ETag does not match the body served")


async def _first_requests(server: Server) -> dict[str, Reply]:
    """The first, uncached request of each feed: a query, a cold render and a hash."""
    ready, firsts = server.ready, {}
    for path, etag in ((SMALL, ready["small_etag"]), (LARGE, ready["large_etag"])):
        progress(f"first (uncached) GET {path}")
        reply = await loadgen.fetch(server.port, path)
        _check(reply, 200, f"first {path}", etag)
        firsts[path] = reply
    return firsts


def _scenarios(server: Server, firsts: dict[str, Reply]) -> list[Scenario]:
    small, large = server.ready["small_bytes"], server.ready["large_bytes"]
    match_small = {"If-None-Match": firsts[SMALL].headers["etag"]}
    match_large = {"If-None-Match": firsts[LARGE].headers["etag"]}
    return [
        Scenario("arms-control.ics, If-None-Match (304)", SMALL, 304, 0, match_small),
        Scenario("arms-control.ics, cached 200", SMALL, 200, small),
        Scenario("constant-small (async route)", "/bench/constant-small", 200, small),
        Scenario(
            "  breakdown: constant-small, def route", "/bench/constant-small-sync", 200, small
        ),
        Scenario("  breakdown: def route + version query", "/bench/version-small", 200, small),
        Scenario("all.ics, If-None-Match (304)", LARGE, 304, 0, match_large),
        Scenario("all.ics, cached 200", LARGE, 200, large),
        Scenario("constant-large (async route)", "/bench/constant-large", 200, large),
    ]


async def _loads(server: Server, plan: Plan, firsts: dict[str, Reply]) -> list[LoadResult]:
    results = []
    for scenario in _scenarios(server, firsts):
        progress(
            f"load: {scenario.label.strip()}: {plan.concurrency} connections, "
            f"{plan.warmup:g} s warm-up + {plan.duration:g} s"
        )
        result = await loadgen.load(
            server.port,
            scenario,
            concurrency=plan.concurrency,
            duration=plan.duration,
            warmup=plan.warmup,
            server_pid=server.pid,
        )
        if result.failures:
            progress(
                f"  FAILURES: statuses {result.statuses}, errors {result.errors}, "
                f"wrong length {result.wrong_length}"
            )
        results.append(result)
    return results


async def _rewrites(server: Server, rounds: int) -> list[dict[str, float]]:
    """After one write every cached feed is stale: time the re-render of each."""
    timings = []
    for index in range(rounds):
        progress(f"one commitment revised ({index + 1}/{rounds}): re-rendering both feeds")
        touched = await loadgen.fetch(server.port, "/bench/touch", method="POST")
        _check(touched, 200, "POST /bench/touch")
        small = await loadgen.fetch(server.port, SMALL)
        _check(small, 200, f"{SMALL} after a write")
        large = await loadgen.fetch(server.port, LARGE)
        _check(large, 200, f"{LARGE} after a write")
        read = await loadgen.fetch(server.port, "/bench/read-all")
        _check(read, 200, "GET /bench/read-all")
        timings.append(
            {
                "store_read_all_s": json.loads(read.body)["seconds"],
                "small_first_byte_s": small.first_byte_s,
                "small_total_s": small.total_s,
                "large_first_byte_s": large.first_byte_s,
                "large_total_s": large.total_s,
                "large_etag_changed": float(large.headers["etag"] != server.ready["large_etag"]),
            }
        )
    return timings


# ---------------------------------------------------------------------------- reporting


def _report(
    options: Options,
    plan: Plan,
    server: Server,
    firsts: dict[str, Reply],
    loads: list[LoadResult],
    rewrites: list[dict[str, float]],
) -> Outcome:
    problems = [f"{r.label.strip()}: {r.failures} failed requests" for r in loads if r.failures]
    if rewrites and not all(r["large_etag_changed"] for r in rewrites):
        problems.append("all.ics kept its ETag after a write")
    show(_load_table(loads))
    show(_single_table(firsts, rewrites))
    notes = [SHARED_MACHINE.format(cpus=os.cpu_count()), *_breakdown(loads)]
    for note in notes:
        show("note: " + note)
    parameters = {
        "commitments_generated": plan.commitments,
        "concurrency": plan.concurrency,
        "duration_s": plan.duration,
        "warmup_s": plan.warmup,
        "server": f"uvicorn, 1 process, {server.ready['loop']} loop, {server.ready['http']}",
        "database": "SQLite file (WAL)",
        "small_feed_bytes": server.ready["small_bytes"],
        "large_feed_bytes": server.ready["large_bytes"],
    }
    figures = {
        "load": [r.as_json() for r in loads],
        "first_requests": {
            path: {"first_byte_s": r.first_byte_s, "total_s": r.total_s, "bytes": r.length}
            for path, r in firsts.items()
        },
        "after_one_write": rewrites,
    }
    path = write_result(NAME, options, parameters, figures, notes)
    by_label = {r.label: r for r in loads}
    headline = [
        f"{label}: {by_label[label].rps:,.0f} req/s, p99 {by_label[label].p99_ms:.1f} ms"
        for label in (loads[0].label, loads[5].label, loads[6].label)
    ]
    headline.append(f"first GET {LARGE}: {firsts[LARGE].first_byte_s:.2f} s to first byte")
    return Outcome(NAME, path, headline, problems)


def _breakdown(loads: list[LoadResult]) -> list[str]:
    """Server CPU per request, step by step from a constant route to a 304 from the cache."""

    def cpu(path: str, status: int = 200) -> float | None:
        found = (r for r in loads if r.path == path and r.expected_status == status)
        return next((r.server_cpu_ms_per_request for r in found), None)

    base, sync = cpu("/bench/constant-small"), cpu("/bench/constant-small-sync")
    version, feed = cpu("/bench/version-small"), cpu(SMALL, 304)
    if base is None or sync is None or version is None or feed is None:
        return []
    return [
        f"server CPU per request: an async constant route {base:.2f} ms; a def route "
        f"{sync - base:+.2f} ms (threadpool); the data-version query {version - sync:+.2f} ms; "
        f"the rest of the feed handler {feed - version:+.2f} ms = {feed:.2f} ms for a 304"
    ]


def _load_table(loads: list[LoadResult]) -> str:
    rows = [
        (
            r.label,
            r.expected_status,
            r.requests,
            r.rps,
            r.p50_ms,
            r.p99_ms,
            r.mb_per_s,
            "-" if r.server_cpu_ms_per_request is None else r.server_cpu_ms_per_request,
            f"{r.client_cpu_s / r.seconds:.0%}",
            r.failures,
        )
        for r in loads
    ]
    headers = ("scenario", "status", "requests", "req/s", "p50 ms", "p99 ms", "MB/s")
    return table((*headers, "server CPU ms/req", "client CPU", "failed"), rows)


def _single_table(firsts: dict[str, Reply], rewrites: list[dict[str, float]]) -> str:
    rows: list[tuple[object, ...]] = [
        (f"first GET {path} after start (uncached)", r.first_byte_s, r.total_s, r.length)
        for path, r in firsts.items()
    ]
    for index, timing in enumerate(rewrites, 1):
        for path, key in ((SMALL, "small"), (LARGE, "large")):
            first, total = timing[f"{key}_first_byte_s"], timing[f"{key}_total_s"]
            rows.append((f"GET {path} after write {index}", first, total, ""))
        rows.append(
            ("  store reads every commitment (in server)", "", timing["store_read_all_s"], "")
        )
    return table(("single request", "first byte s", "total s", "bytes"), rows)

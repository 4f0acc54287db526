"""The service as deployed, over a large database: start-up time and memory at rest.

`treatycal serve` runs in a process of its own on a free loopback port, with the default
settings but for the database: it migrates, loads the shipped feeds, starts the alert engine
and warms the feed cache, as `make run` does. Measured: seconds until /healthz answers, CPU
seconds spent until it is idle, resident memory at rest, and again after a few reads.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.bench.loadgen import cpu_seconds
from tests.bench.support import REPO

READS = (
    "/api/v1/upcoming?within=P90D",
    "/api/v1/upcoming?within=P90D&as_of=2019-05-14",
    "/api/v1/commitments?q=treaty&limit=50",
    "/api/v1/commitments?limit=50&offset=500",
    "/feeds/arms-control.ics",
)
IDLE_CPU = 0.05
"""CPU seconds per second below which the server counts as idle."""
START_TIMEOUT = 300.0
SETTLE_TIMEOUT = 600.0


@dataclass(frozen=True, slots=True)
class Started:
    healthz_s: float
    busy_after_start_cpu_s: float
    settled_s: float
    rss_at_rest_mb: float
    rss_after_reads_mb: float


def measure(database_url: str) -> Started:
    port = _free_port()
    env = os.environ | {"TREATYCAL_DATABASE_URL": database_url, "TREATYCAL_PORT": str(port)}
    treatycal = Path(sys.executable).with_name("treatycal")
    command = [str(treatycal), "serve", "--feeds", str(REPO / "feeds")]
    began = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        healthz = _wait_for(port, "/healthz", began, server) - began
        cpu_at_health = cpu_seconds(server.pid) or 0.0
        settled = _settle(server.pid) - began
        at_rest = _rss_mb(server.pid)
        for path in READS:
            _get(port, path)
        return Started(
            healthz_s=round(healthz, 2),
            busy_after_start_cpu_s=round((cpu_seconds(server.pid) or 0.0) - cpu_at_health, 2),
            settled_s=round(settled, 1),
            rss_at_rest_mb=at_rest,
            rss_after_reads_mb=_rss_mb(server.pid),
        )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_for(port: int, path: str, began: float, server: subprocess.Popen[bytes]) -> float:
    while time.perf_counter() - began < START_TIMEOUT:
        if server.poll() is not None:
            error = server.stderr.read().decode()[-2000:] if server.stderr else ""
            raise RuntimeError(f"the server exited with {server.returncode}: {error}")
        try:
            _get(port, path)
            return time.perf_counter()
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"no answer on {path} after {START_TIMEOUT} s")


def _settle(pid: int) -> float:
    """When the server first spends less than IDLE_CPU of a second per second, over 2 s."""
    deadline = time.perf_counter() + SETTLE_TIMEOUT
    last = cpu_seconds(pid) or 0.0
    while time.perf_counter() < deadline:
        time.sleep(2.0)
        now = cpu_seconds(pid) or 0.0
        if now - last < 2.0 * IDLE_CPU:
            return time.perf_counter()
        last = now
    return time.perf_counter()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as answer:
        body: bytes = answer.read()
        return body


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port

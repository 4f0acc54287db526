"""API replicas and workers as real processes on one database, the way a deployment runs them.

Each process is `treatycal serve --no-engine` or `treatycal worker`, started in a folder of its
own (no .env there: its settings are exactly the environment given), writing to a log file
that is printed when the test fails.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.processes import ROOT, TREATYCAL, clean_env, free_port

ADMIN_TOKEN = "replicas-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LOOPBACK = "127.0.0.1/32"
WORKER_READY = "treatycal worker running"
TROUBLE = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b")
NOISE = re.compile(r"HTTP Request: ")  # one line per webhook sent: left out of the report
_LOG_TAIL = 6000


def replica_env(database_url: str, **settings: str) -> dict[str, str]:
    """What every process of a cluster shares: the database, an admin token, loopback hooks."""
    shared = {
        "database_url": database_url,
        "admin_token": ADMIN_TOKEN,
        "webhook_allow": LOOPBACK,
        "feeds_dir": str(ROOT / "feeds"),
        "public_url": "https://calendar.example.org",
    }
    return clean_env(**(shared | settings)) | {"PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class Replica:
    """One process of the cluster and its log; `base` is an API replica's address."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    base: str | None = None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.process.poll() is None


class Cluster:
    """API replicas and workers over one database, stopped together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.apis: list[Replica] = []
        self.workers: list[Replica] = []

    @property
    def everyone(self) -> list[Replica]:
        return [*self.apis, *self.workers]

    def launch_api(self, env: dict[str, str], *args: str) -> Replica:
        """`treatycal serve --no-engine` on a free port; returns at once (see `wait_ready`)."""
        port = free_port()
        name = f"api-{len(self.apis) + 1}"
        command = ["serve", "--no-engine", "--host", "127.0.0.1", "--port", str(port), *args]
        replica = self._launch(name, command, env, f"http://127.0.0.1:{port}")
        self.apis.append(replica)
        return replica

    def launch_worker(self, env: dict[str, str]) -> Replica:
        """`treatycal worker`; returns at once (see `wait_ready`)."""
        replica = self._launch(f"worker-{len(self.workers) + 1}", ["worker"], env, None)
        self.workers.append(replica)
        return replica

    def _launch(
        self, name: str, command: list[str], env: dict[str, str], base: str | None
    ) -> Replica:
        folder = self.folder / name
        folder.mkdir(parents=True, exist_ok=True)
        log = self.folder / f"{name}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                [TREATYCAL, *command],
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return Replica(name, process, log, base)

    def wait_ready(self, replicas: Sequence[Replica] | None = None, timeout: float = 60) -> None:
        """Until each API answers /healthz with 200 and each worker says it runs."""
        deadline = time.monotonic() + timeout
        for replica in self.everyone if replicas is None else replicas:
            while not _ready(replica):
                if not replica.alive():
                    raise AssertionError(f"{replica.name} exited with {replica.process.poll()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"{replica.name} was not ready within {timeout:g} s")
                time.sleep(0.05)

    def trouble(self) -> dict[str, list[str]]:
        """Lines that say something went wrong (tracebacks, ERROR), by process."""
        found = {}
        for replica in self.everyone:
            lines = [line for line in replica.text().splitlines() if TROUBLE.search(line)]
            if lines:
                found[replica.name] = lines
        return found

    def report(self) -> str:
        """The end of every log, less a line per webhook sent, for a failing test's output."""
        parts = []
        for replica in self.everyone:
            state = "running" if replica.alive() else f"exited {replica.process.poll()}"
            lines = replica.text().splitlines()
            kept = [line for line in lines if not NOISE.search(line)]
            shown = "\n".join(kept)[-_LOG_TAIL:]
            parts.append(
                f"----- {replica.name} ({state}), {replica.log}, "
                f"{len(lines) - len(kept)} lines of sent requests left out\n{shown}"
            )
        return "\n".join(parts)

    @contextmanager
    def logs_on_failure(self) -> Iterator[None]:
        """Print every log if the block fails (pytest shows it with the failure)."""
        try:
            yield
        except BaseException:
            print(self.report())
            raise

    def stop(self) -> None:
        """SIGTERM to all at once, then wait; whoever does not stop in time is killed."""
        for replica in self.everyone:
            if replica.alive():
                replica.process.send_signal(signal.SIGTERM)
        for replica in self.everyone:
            try:
                replica.process.wait(20)
            except subprocess.TimeoutExpired:
                replica.process.kill()
                replica.process.wait()


@contextmanager
def cluster(folder: Path) -> Iterator[Cluster]:
    """A cluster that is stopped when the block ends, its logs printed if the block failed."""
    started = Cluster(folder)
    try:
        with started.logs_on_failure():
            yield started
    finally:
        started.stop()


def _ready(replica: Replica) -> bool:
    if replica.base is None:
        return WORKER_READY in replica.text()
    try:
        return httpx.get(f"{replica.base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False

"""Acceptance: kill the service at random moments while alerts fall due; nothing is lost.

The service runs as a subprocess with a receiver on loopback. A few hundred alerts fall due
within seconds; the service is SIGKILLed several times and restarted each time. Every
(alert, subscription) must arrive at least once, duplicates must carry the same webhook-id,
and every signature must verify with an implementation independent of the service's.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.processes import clean_env, free_port, start_server, wait_until_healthy
from tests.support.receiver import Received, Receiver, verify_signature

pytestmark = pytest.mark.acceptance

ALERTS = 300
KILLS = 4
ADMIN = {"Authorization": "Bearer crash-admin-token"}


def _env(tmp_path: Path) -> dict[str, str]:
    return clean_env(
        database_url=f"sqlite:///{tmp_path / 'crash.db'}",
        admin_token="crash-admin-token",
        webhook_allow="127.0.0.1/32",
        webhook_timeout="PT2S",
        delivery_lease="PT3S",
        engine_safety_interval="PT1S",
        engine_maintenance_interval="PT2S",
    )


class Service:
    """The service under test: started, killed without warning, started again."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = _env(tmp_path)
        self.log = tmp_path / "serve.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = start_server(self.port, self.env, self.log, "--no-load")
        wait_until_healthy(self.base, self.process, self.log)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _plan(base: str, receiver_url: str) -> tuple[str, datetime]:
    created = httpx.post(
        f"{base}/api/v1/subscriptions",
        json={"url": receiver_url, "event_types": ["deadline.reached"]},
        headers=ADMIN,
    ).json()
    first_due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    with httpx.Client(base_url=base, headers=ADMIN, timeout=10) as client:
        for n in range(ALERTS):
            due = first_due + timedelta(seconds=n * 10 // ALERTS)
            commitment = {
                "id": f"deadline-{n:03d}",
                "title": f"Deadline {n}",
                "kind": "deadline",
                "due": {"value": due.strftime("%Y-%m-%dT%H:%M:%S"), "tz": "UTC"},
                "alerts": ["PT0S"],
            }
            assert client.post("/api/v1/commitments", json=commitment).status_code == 201
    return created["secret"], first_due


def test_sigkill_at_random_moments_loses_no_alert(tmp_path: Path):
    seed = int(time.time())
    rng = random.Random(seed)
    service = Service(tmp_path)
    with Receiver(_slowly).running() as receiver:
        service.start()
        try:
            secret, first_due = _plan(service.base, receiver.url)
            window_end = first_due + timedelta(seconds=12)
            for _ in range(KILLS):
                pause = max(0.2, (window_end - datetime.now(UTC)).total_seconds()) / 2
                time.sleep(rng.uniform(0.3, pause))
                service.kill()
                time.sleep(rng.uniform(0.0, 1.5))
                service.start()
            received = _wait_for_all(receiver, timeout=90)
        finally:
            service.stop()

    by_commitment: dict[str, set[str]] = defaultdict(set)
    for got in received:
        assert verify_signature(secret, got), f"bad signature on {got.message_id} (seed {seed})"
        by_commitment[json.loads(got.body)["data"]["commitment"]["id"]].add(got.message_id)
    missing = {f"deadline-{n:03d}" for n in range(ALERTS)} - set(by_commitment)
    assert not missing, f"lost {len(missing)} alerts, e.g. {sorted(missing)[:5]} (seed {seed})"
    assert all(len(ids) == 1 for ids in by_commitment.values()), "a duplicate had a new webhook-id"
    duplicates = len(received) - len(by_commitment)
    print(
        f"\ncrash test (seed {seed}): {KILLS} kills, {ALERTS} alerts, "
        f"{len(received)} requests received, {duplicates} duplicates, 0 lost"
    )


def _slowly(_received: Received) -> tuple[int, dict[str, str]]:
    """A receiver that takes its time, so kills often land with requests in flight."""
    time.sleep(0.25)
    return 204, {}


def _wait_for_all(receiver: Receiver, timeout: float) -> list[Received]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        received = receiver.wait_for(ALERTS, timeout=1)
        ids = {json.loads(r.body)["data"]["commitment"]["id"] for r in received}
        if len(ids) >= ALERTS:
            time.sleep(1)  # let a straggling duplicate land, so it is checked too
            return list(receiver.received)
    return list(receiver.received)

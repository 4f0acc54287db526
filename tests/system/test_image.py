"""The image in deploy/ built and run as it would be deployed: a migration job, two API
containers and a worker on the machine's PostgreSQL, with host networking.

Podman from Debian runs here with runc and vfs storage; no registry is reachable, so the base
is a Debian bookworm built locally with mmdebstrap (tests/support/podman.py). The first run
builds it (about a minute) and the image (a few minutes); where Podman is missing the test
skips and says why.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import icalendar
import pytest

from tests.support.databases import PostgresServer
from tests.support.podman import IMAGE, Podman, missing
from tests.support.processes import free_port
from tests.support.receiver import Receiver, verify_signature

pytestmark = [pytest.mark.acceptance, pytest.mark.postgres]

TOKEN = "system-test-" + uuid.uuid4().hex
PUBLIC_URL = "https://calendar.example.org"


@pytest.fixture(scope="module")
def podman() -> Podman:
    reason = missing()
    if reason is not None:
        pytest.skip(reason)
    tool = Podman()
    tool.ensure_base()
    tool.build()
    return tool


@pytest.fixture
def empty_database(postgres_server: PostgresServer | str) -> Iterator[str]:
    if isinstance(postgres_server, str):
        pytest.skip(postgres_server)
    with postgres_server.fresh(migrated=False) as url:
        yield url


class Deployment:
    """Containers started from the image; every one removed at the end."""

    def __init__(self, podman: Podman, database_url: str) -> None:
        self.podman = podman
        self.names: list[str] = []
        self.env = {
            "TREATYCAL_DATABASE_URL": database_url,
            "TREATYCAL_ADMIN_TOKEN": TOKEN,
            "TREATYCAL_PUBLIC_URL": PUBLIC_URL,
            "TREATYCAL_WEBHOOK_ALLOW": "127.0.0.1/32",
            "TREATYCAL_HOST": "127.0.0.1",
        }

    def _args(self, extra_env: dict[str, str]) -> list[str]:
        pairs = self.env | extra_env
        return [arg for name, value in pairs.items() for arg in ("-e", f"{name}={value}")]

    def once(self, *command: str) -> str:
        """A one-shot job, as the compose file and the Kubernetes Job run it."""
        return self.podman.run("run", "--rm", *self._args({}), IMAGE, *command, timeout=300)

    def start(self, role: str, *command: str, **extra_env: str) -> str:
        name = f"treatycal-{role}-{uuid.uuid4().hex[:8]}"
        self.podman.run("run", "-d", "--name", name, *self._args(extra_env), IMAGE, *command)
        self.names.append(name)
        return name

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + self.podman.run("logs", name, check=False) for name in self.names
        )

    def remove(self) -> None:
        for name in self.names:
            self.podman.run("rm", "-f", "-t", "5", name, check=False)


def _wait_for(url: str, deployment: Deployment, timeout: float = 90) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(url, timeout=2)
            if answer.status_code == 200:
                return answer
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s\n{deployment.logs()}")


def test_the_image_runs_a_migration_job_two_api_replicas_and_a_worker(
    podman: Podman, empty_database: str
):
    deployment = Deployment(podman, empty_database)
    api_ports, worker_port = [free_port(), free_port()], free_port()
    try:
        deployment.once("treatycal", "migrate")
        loaded = deployment.once("treatycal", "load")
        assert "revisions written" in loaded, loaded
        apis = [
            deployment.start(
                f"api{n}",
                "treatycal",
                "serve",
                "--no-engine",
                "--no-load",
                "--no-migrate",
                TREATYCAL_PORT=str(p),
            )
            for n, p in enumerate(api_ports)
        ]
        worker = deployment.start(
            "worker", "treatycal", "worker", "--port", str(worker_port), "--no-migrate"
        )
        bases = [f"http://127.0.0.1:{port}" for port in api_ports]
        for base in bases:
            assert _wait_for(f"{base}/readyz", deployment).json() == {"status": "ready"}
        _wait_for(f"http://127.0.0.1:{worker_port}/healthz", deployment)

        feeds = [httpx.get(f"{base}/feeds/arms-control.ics", timeout=10) for base in bases]
        assert [f.status_code for f in feeds] == [200, 200]
        assert feeds[0].headers["etag"] == feeds[1].headers["etag"]  # same bytes on each
        calendar = icalendar.Calendar.from_ical(feeds[0].content)
        assert any(e.get("summary") for e in calendar.walk("VEVENT"))

        _a_signed_webhook_reaches_a_loopback_receiver(bases, worker_port)

        for name in [*apis, worker]:  # the server process itself, not only an exec'd shell
            status = podman.run("exec", name, "cat", "/proc/1/status")
            uids = next(line.split()[1:] for line in status.splitlines() if line[:4] == "Uid:")
            assert uids == ["10001"] * 4, (name, uids)
    except Exception:
        print(deployment.logs())
        raise
    finally:
        deployment.remove()


def _a_signed_webhook_reaches_a_loopback_receiver(bases: list[str], worker_port: int) -> None:
    """Subscribe on one replica, write on the other: the worker container signs and sends."""
    auth = {"authorization": f"Bearer {TOKEN}"}
    with Receiver().running() as receiver:
        subscribed = httpx.post(
            f"{bases[0]}/api/v1/subscriptions",
            headers=auth,
            json={"url": receiver.url, "event_types": ["commitment.created"]},
            timeout=10,
        )
        assert subscribed.status_code == 201, subscribed.text
        secret = subscribed.json()["secret"]
        due = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
        commitment = {"id": "image-test", "title": "Image test", "kind": "deadline", "due": due}
        created = httpx.post(
            f"{bases[1]}/api/v1/commitments", headers=auth, json=commitment, timeout=10
        )
        assert created.status_code == 201, created.text
        [got] = receiver.wait_for(1, timeout=30)
    assert verify_signature(secret, got)
    assert json.loads(got.body)["data"]["commitment"]["id"] == "image-test"
    metrics = httpx.get(f"http://127.0.0.1:{worker_port}/metrics", timeout=10).text
    assert 'treatycal_deliveries_total{outcome="delivered"} 1.0' in metrics

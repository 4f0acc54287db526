"""Running `treatycal` as a subprocess, the way a person or a service manager would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
TREATYCAL = str(Path(sys.executable).with_name("treatycal"))


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without the developer's TREATYCAL_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREATYCAL_")}
    return env | {f"TREATYCAL_{name.upper()}": value for name, value in settings.items()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[str]:
    """`treatycal serve` writing its output to `log` (a pipe nobody reads would fill and block)."""
    with log.open("a") as output:
        return subprocess.Popen(
            [TREATYCAL, "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )


def wait_until_healthy(
    base: str, process: subprocess.Popen[str], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"serve did not answer /healthz within {timeout} s")

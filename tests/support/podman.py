"""Podman as these machines run it: runc, vfs storage, cgroupfs, host networking, no registry.

Its configuration and image store live in a cache folder outside the repository
($TREATYCAL_PODMAN_CACHE, else ~/.cache/treatycal-podman), so the Debian base, built once
with mmdebstrap, is reused by later runs. Nothing here reaches a registry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.processes import ROOT

BASE_IMAGE = "localhost/treatycal-base:bookworm"
IMAGE = "localhost/treatycal:system-test"
_BASE_PACKAGES = "python3,python3-venv,ca-certificates,passwd"

_CONTAINERS_CONF = """\
[containers]
default_ulimits = []
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def missing() -> str | None:
    """Why the image cannot be built and run here, or None when it can."""
    for tool in ("podman", "runc"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install podman runc mmdebstrap)"
    return None


class Podman:
    """`podman` with this project's configuration."""

    def __init__(self, cache: Path | None = None) -> None:
        default = Path.home() / ".cache" / "treatycal-podman"
        self.cache = cache or Path(os.environ.get("TREATYCAL_PODMAN_CACHE", default))
        self.cache.mkdir(parents=True, exist_ok=True)
        (self.cache / "containers.conf").write_text(_CONTAINERS_CONF)
        (self.cache / "storage.conf").write_text(
            "[storage]\n"
            'driver = "vfs"\n'
            f'runroot = "{self.cache / "run"}"\n'
            f'graphroot = "{self.cache / "storage"}"\n'
        )
        self.env = os.environ | {
            "CONTAINERS_CONF": str(self.cache / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(self.cache / "storage.conf"),
        }

    def run(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        done = subprocess.run(
            ["podman", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"podman {' '.join(args[:3])} failed:\n{done.stderr[-4000:]}")
        return done.stdout.strip()

    def has_image(self, name: str) -> bool:
        exists = ["podman", "image", "exists", name]
        return subprocess.run(exists, env=self.env, check=False, timeout=60).returncode == 0

    def ensure_base(self) -> None:
        """A minimal Debian bookworm with python3, built locally once (about a minute)."""
        if self.has_image(BASE_IMAGE):
            return
        if shutil.which("mmdebstrap") is None:
            raise AssertionError("mmdebstrap is needed to build the base image once")
        with tempfile.TemporaryDirectory() as folder:
            tarball = Path(folder) / "base.tar"
            debian = ["mmdebstrap", "--variant=minbase", f"--include={_BASE_PACKAGES}"]
            subprocess.run(
                [*debian, "bookworm", str(tarball)],
                check=True,
                capture_output=True,
                timeout=900,
            )
            self.run("import", str(tarball), BASE_IMAGE, timeout=300)

    def build(self) -> None:
        """deploy/Dockerfile on the local base. Behind a TLS-inspecting proxy, the host's CA
        bundle is lent to the build so pip can reach the package index."""
        args = ["build", "--network", "host", "--build-arg", f"BASE={BASE_IMAGE}"]
        bundle = Path(os.environ.get("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
        if bundle.is_file():
            args += ["--volume", f"{bundle}:/etc/ssl/host-ca.crt:ro"]
            args += ["--build-arg", "REQUESTS_CA_BUNDLE=/etc/ssl/host-ca.crt"]
        self.run(*args, "-f", "deploy/Dockerfile", "-t", IMAGE, str(ROOT), timeout=1200)

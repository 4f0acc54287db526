"""What every bench shares: options, timing, progress lines, tables and JSON results."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

RESULTS = Path(__file__).with_name("results")
REPO = Path(__file__).resolve().parents[2]
SHARED_MACHINE = (
    "client and server share this machine's {cpus} CPU(s): the load generator takes CPU the "
    "server could have used, so rates are lower bounds for a server on its own cores"
)

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    """How hard to push: `quick` is a smoke run with small data and short durations."""

    quick: bool = False
    profile: bool = False


@dataclass
class Outcome:
    """What a bench hands back to the runner: where its JSON went and its headline lines."""

    name: str
    path: Path
    headline: list[str]
    problems: list[str] = field(default_factory=list)


_STARTED = time.perf_counter()


@contextlib.contextmanager
def terminated_like_interrupted() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so a bench's processes are stopped and its files and
    databases removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def progress(message: str) -> None:
    """A timestamped line, flushed at once so long steps show they are moving."""
    print(f"[{time.perf_counter() - _STARTED:7.1f}s] {message}", flush=True)


@dataclass(frozen=True)
class Timed:
    """Seconds taken by each repetition, and the value the last one returned."""

    seconds: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def figures(self, items: int) -> dict[str, Any]:
        return {
            "min_s": round(self.best, 6),
            "median_s": round(self.median, 6),
            "runs_s": [round(s, 6) for s in self.seconds],
            "items_per_s_at_min": round(items / self.best, 1),
        }


def timed(action: Callable[..., T], *args: Any) -> tuple[float, T]:
    """One call of `action` after a full collection, so garbage from before is not billed."""
    gc.collect()
    started = time.perf_counter()
    value = action(*args)
    return time.perf_counter() - started, value


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _revision() -> str | None:
    """The commit measured, with '+dirty' when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "service"], cwd=REPO, capture_output=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.decode().strip() + ("+dirty" if dirty.stdout.strip() else "")


def write_result(
    name: str,
    options: Options,
    parameters: dict[str, Any],
    figures: dict[str, Any],
    notes: list[str],
) -> Path:
    """results/<name>.json (a quick run writes <name>.quick.json, leaving full figures alone)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / (f"{name}.quick.json" if options.quick else f"{name}.json")
    document = {
        "bench": name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "revision": _revision(),
        "quick": options.quick,
        "machine": machine(),
        "parameters": parameters,
        "figures": figures,
        "notes": notes,
    }
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return path


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *([_cell(v) for v in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first, *rest = row
        parts = [first.ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(rest, widths[1:], strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def show(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()

"""Mozilla's ical.js, the parser Thunderbird reads feeds with, run by Node on a feed's bytes.

`make test` installs it into tests/clients (`npm ci`); where Node or the package is missing,
`missing()` says why, for a skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

CLIENTS = Path(__file__).parents[1] / "clients"
READER = CLIENTS / "read_ical.mjs"
PACKAGE = CLIENTS / "node_modules" / "ical.js" / "package.json"


@dataclass(frozen=True, slots=True)
class Shown:
    """An event as a Thunderbird subscriber's calendar holds it: whole days, or instants."""

    uid: str
    start: date | datetime
    end: date | datetime
    alarms: tuple[date | datetime, ...]


def missing() -> str | None:
    """Why ical.js cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed: ical.js (Thunderbird's parser) cannot run"
    if not PACKAGE.exists():
        return f"ical.js is not installed in {CLIENTS} (`make test` runs `npm ci` there)"
    return None


def read(feed: bytes) -> list[Shown]:
    """The feed's events, in feed order, as ical.js reads them."""
    done = subprocess.run(
        ["node", str(READER)], input=feed, capture_output=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise AssertionError(f"ical.js could not read the feed: {done.stderr.decode()}")
    return [
        Shown(
            event["uid"],
            _time(event["start"]),
            _time(event["end"]),
            tuple(_time(alarm) for alarm in event["alarms"]),
        )
        for event in json.loads(done.stdout)
    ]


def _time(value: dict[str, Any]) -> date | datetime:
    if "date" in value:
        return date.fromisoformat(value["date"])
    return datetime.fromtimestamp(value["utc"], UTC)

"""The shipped feeds, loaded into a test database by a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from service.app import App
from service.settings import Settings

FEEDS = Path(__file__).resolve().parents[2] / "feeds"


@contextmanager
def shipped_app(database_url: str, now: datetime) -> Iterator[App]:
    """An App over `database_url` holding every shipped feed, its clock stopped at `now`."""
    settings = Settings(
        _env_file=None, database_url=database_url, feeds_dir=FEEDS, load_feeds_on_start=False
    )
    opened = App.open(settings, clock=lambda: now)
    try:
        opened.feeds.load(sorted(FEEDS.glob("*.yaml")), complete=True)
        yield opened
    finally:
        opened.close()

"""Wiring shared by the composition roots: the web app, the worker and the CLI."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from service.alerts import Engine, Planner, PlanningRules
from service.clock import Clock
from service.errors import FeedFileError
from service.feedfiles import read_catalog
from service.settings import Settings
from service.store import Store, SyncReport

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Runtime:
    """The store, with the planner that keeps alerts in step with every write to it."""

    settings: Settings
    store: Store
    planner: Planner
    clock: Clock

    def engine(self) -> Engine:
        return Engine(self.store, self.planner, self.settings, self.clock)

    def close(self) -> None:
        self.store.close()


def open_runtime(settings: Settings, clock: Clock) -> Runtime:
    """The store for these settings, migrated, with alert planning on every write."""
    store = Store.open(settings.database_url, clock, migrate=True)
    planner = Planner(PlanningRules.from_settings(settings))
    store.commitments.listeners.append(planner)
    return Runtime(settings, store, planner, clock)


def feed_files(folder: Path) -> list[Path]:
    """The feed files in a folder, in name order; an error if there is no such folder."""
    if not folder.is_dir():
        raise FeedFileError(str(folder), None, "no such folder of feed files")
    return sorted(folder.glob("*.yaml"))


def load_feeds(
    store: Store, paths: Sequence[Path], clock: Clock, *, complete: bool = False
) -> SyncReport:
    """Read every file, then store them in one transaction: all of them or, on error, none.

    `complete` says the paths are every feed file there is (a whole folder), so feeds from
    files since removed are unpublished.
    """
    catalog = read_catalog(paths, today=clock().date())
    report = store.sync_catalog(catalog, actor="feed files", complete=complete)
    log.info(
        "loaded %d feed files: %d new commitments, %d revisions, %d feeds changed",
        len(paths),
        report.commitments_created,
        report.revisions_written,
        report.feeds_changed,
        extra={"action": "feeds_loaded"},
    )
    return report

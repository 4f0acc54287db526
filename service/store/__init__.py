"""Persistence on SQLite or PostgreSQL. The public surface is `Store` and what it returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.clock import Clock, utc_now
from service.domain import Catalog
from service.errors import InvalidInput
from service.store.alerts import Alerts, Settlement
from service.store.commitments import Change, ChangeListener, Commitments, bump_version
from service.store.deliveries import Claimed, Deliveries, NewDelivery, Outcome
from service.store.engine import Database, after_commit, holds_lock
from service.store.feeds import DataVersion, Feeds, FeedSummary
from service.store.keys import ApiKeys
from service.store.sources import Sources
from service.store.subscriptions import Subscriptions


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What loading a catalog changed."""

    commitments_created: int
    revisions_written: int
    commitments_unchanged: int
    feeds_changed: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.revisions_written or self.feeds_changed)


class Store:
    """The database, and one repository per concept over it."""

    def __init__(
        self, db: Database, clock: Clock = utc_now, listeners: Sequence[ChangeListener] = ()
    ) -> None:
        self.db = db
        self.clock = clock
        self.on_version_moved: list[Callable[[], None]] = []
        self.commitments = Commitments(db, clock, listeners, self.on_version_moved)
        self.feeds = Feeds(db, clock, self.on_version_moved)
        self.keys = ApiKeys(db, clock)
        self.subscriptions = Subscriptions(db, clock)
        self.alerts = Alerts(db)
        self.deliveries = Deliveries(db, clock)
        self.sources = Sources(db, clock)

    @classmethod
    def open(cls, url: str, clock: Clock = utc_now, *, migrate: bool = True) -> Store:
        db = Database.from_url(url)
        if migrate:
            db.migrate()
        return cls(db, clock)

    def sync_catalog(self, catalog: Catalog, actor: str, *, complete: bool = False) -> SyncReport:
        """Store a catalog in one transaction: all of it, or (on any error) none of it.

        A `complete` catalog is every feed file there is: feeds loaded earlier from files that
        are no longer in it are unpublished (their commitments stay, with their history).
        """
        created = written = unchanged = feeds_changed = 0
        with self.db.write() as conn:
            for commitment_id, versions in catalog.commitments.items():
                if not versions:
                    raise InvalidInput(f"commitment {commitment_id!r} has no stated version")
                is_new = not self.commitments.exists(conn, commitment_id)
                count = self.commitments.apply_versions(conn, commitment_id, versions, actor)
                created += is_new
                written += count
                unchanged += count == 0
            for feed, member_ids in catalog.feeds:
                feeds_changed += self.feeds.sync(conn, feed, member_ids)
            if complete:
                feeds_changed += self.feeds.prune(conn, {feed.slug for feed, _ in catalog.feeds})
            if feeds_changed:
                bump_version(conn, self.clock(), self.on_version_moved)
        return SyncReport(created, written, unchanged, feeds_changed)

    def close(self) -> None:
        self.db.dispose()


__all__ = [
    "Alerts",
    "Change",
    "ChangeListener",
    "Claimed",
    "DataVersion",
    "Database",
    "Deliveries",
    "FeedSummary",
    "Feeds",
    "NewDelivery",
    "Outcome",
    "Settlement",
    "Store",
    "Subscriptions",
    "SyncReport",
    "after_commit",
    "holds_lock",
]

"""Published feeds: their names and which commitments each holds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from service.clock import Clock
from service.domain import Feed
from service.errors import FeedNotFound
from service.store.engine import Database
from service.store.tables import data_version, feed_members, feeds


@dataclass(frozen=True, slots=True)
class FeedSummary:
    feed: Feed
    count: int


@dataclass(frozen=True, slots=True)
class DataVersion:
    """A counter every write moves on; a cached rendering is good while it stands still."""

    version: int
    changed_at: datetime


class Feeds:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def get(self, slug: str) -> Feed:
        with self.db.read() as conn:
            row = conn.execute(select(feeds).where(feeds.c.slug == slug)).mappings().first()
        if row is None:
            raise FeedNotFound(slug)
        return _feed(row)

    def summaries(self) -> list[FeedSummary]:
        counts = (
            select(feed_members.c.feed_slug, func.count().label("n"))
            .group_by(feed_members.c.feed_slug)
            .subquery()
        )
        query = (
            select(feeds, func.coalesce(counts.c.n, 0).label("n"))
            .outerjoin(counts, counts.c.feed_slug == feeds.c.slug)
            .order_by(feeds.c.slug)
        )
        with self.db.read() as conn:
            return [FeedSummary(_feed(row), row["n"]) for row in conn.execute(query).mappings()]

    def version(self) -> DataVersion:
        with self.db.read() as conn:
            row = conn.execute(select(data_version).where(data_version.c.id == 1)).mappings().one()
        return DataVersion(row["version"], row["changed_at"])

    def sync(self, conn: Connection, feed: Feed, member_ids: Sequence[str]) -> bool:
        """Make the stored feed match `feed` and hold exactly `member_ids`; True if it changed."""
        now = self.clock()
        row = conn.execute(select(feeds).where(feeds.c.slug == feed.slug)).mappings().first()
        stored_members = set(
            conn.scalars(
                select(feed_members.c.commitment_id).where(feed_members.c.feed_slug == feed.slug)
            )
        )
        if row is not None and _feed(row) == feed and stored_members == set(member_ids):
            return False
        values = {"title": feed.title, "description": feed.description, "origin": feed.origin}
        if row is None:
            conn.execute(
                insert(feeds).values(slug=feed.slug, created_at=now, updated_at=now, **values)
            )
        else:
            conn.execute(
                update(feeds).where(feeds.c.slug == feed.slug).values(updated_at=now, **values)
            )
        conn.execute(delete(feed_members).where(feed_members.c.feed_slug == feed.slug))
        if member_ids:
            conn.execute(
                insert(feed_members),
                [{"feed_slug": feed.slug, "commitment_id": i} for i in member_ids],
            )
        return True

    @staticmethod
    def memberships(conn: Connection, commitment_ids: Iterable[str]) -> dict[str, set[str]]:
        """The feeds each commitment is published in."""
        fm = feed_members.c
        rows = conn.execute(
            select(fm.commitment_id, fm.feed_slug).where(fm.commitment_id.in_(list(commitment_ids)))
        )
        found: dict[str, set[str]] = {}
        for commitment_id, slug in rows:
            found.setdefault(commitment_id, set()).add(slug)
        return found

    @staticmethod
    def prune(conn: Connection, keep: set[str]) -> int:
        """Unpublish feeds loaded from files that are gone; feeds made through the API stay."""
        gone = list(
            conn.scalars(
                select(feeds.c.slug).where(feeds.c.origin != "api", feeds.c.slug.not_in(keep))
            )
        )
        if gone:
            conn.execute(delete(feed_members).where(feed_members.c.feed_slug.in_(gone)))
            conn.execute(delete(feeds).where(feeds.c.slug.in_(gone)))
        return len(gone)


def _feed(row: RowMapping) -> Feed:
    return Feed(
        slug=row["slug"], title=row["title"], description=row["description"], origin=row["origin"]
    )

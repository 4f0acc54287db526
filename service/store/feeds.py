"""Published feeds: their names, which commitments each holds, and private feeds' tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update

from service.clock import Clock
from service.domain import (
    RESERVED_FEED_SLUGS,
    Commitment,
    CommitmentFilter,
    Feed,
    FeedSelection,
)
from service.errors import FeedConflict, FeedNotFound, InvalidInput, PrivateFeedNotFound
from service.store.commitments import bump_version
from service.store.engine import Database
from service.store.keys import hash_token
from service.store.tables import data_version, feed_members, feeds

FEED_TOKEN_PREFIX = "tcfeed_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True, slots=True)
class FeedSummary:
    feed: Feed
    count: int


@dataclass(frozen=True, slots=True)
class DataVersion:
    """A counter every write moves on; a cached rendering is good while it stands still."""

    version: int
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class Memberships:
    """The feeds a commitment is in: those that list it, and those whose selection it matches."""

    listed: Mapping[str, set[str]]
    selecting: Mapping[str, CommitmentFilter]

    def of(self, commitment: Commitment) -> set[str]:
        selected = {slug for slug, where in self.selecting.items() if where.matches(commitment)}
        return self.listed.get(commitment.id, set()) | selected


class Feeds:
    def __init__(
        self, db: Database, clock: Clock, on_version_moved: Sequence[Callable[[], None]] = ()
    ) -> None:
        self.db = db
        self.clock = clock
        self.on_version_moved = on_version_moved

    def get(self, slug: str) -> Feed:
        with self.db.read() as conn:
            row = conn.execute(select(feeds).where(feeds.c.slug == slug)).mappings().first()
        if row is None:
            raise FeedNotFound(slug)
        return _feed(row)

    def by_token(self, token: str) -> Feed:
        """The private feed this token opens; PrivateFeedNotFound if none (or revoked)."""
        if not token.startswith(FEED_TOKEN_PREFIX):
            raise PrivateFeedNotFound
        with self.db.read() as conn:
            row = (
                conn.execute(select(feeds).where(feeds.c.token_hash == hash_token(token)))
                .mappings()
                .first()
            )
        if row is None or not row["private"]:
            raise PrivateFeedNotFound
        return _feed(row)

    def create(self, feed: Feed) -> str | None:
        """Publish a feed made through the API; a private one's token is returned, once."""
        token = _new_token() if feed.private else None
        now = self.clock()
        with self.db.write() as conn:
            if conn.scalar(select(feeds.c.slug).where(feeds.c.slug == feed.slug)) is not None:
                raise FeedConflict(f"a feed named {feed.slug!r} already exists")
            conn.execute(
                insert(feeds).values(
                    **_values(feed),
                    slug=feed.slug,
                    created_at=now,
                    updated_at=now,
                    token_hash=hash_token(token) if token else None,
                )
            )
            bump_version(conn, now, self.on_version_moved)
        return token

    def remove(self, slug: str) -> Feed:
        """Unpublish a feed made through the API; its commitments stay."""
        with self.db.write() as conn:
            feed = self._editable(conn, slug)
            conn.execute(delete(feeds).where(feeds.c.slug == slug))
            bump_version(conn, self.clock(), self.on_version_moved)
        return feed

    def replace_token(self, slug: str) -> tuple[Feed, str]:
        """A new address for a private feed; the old one stops working at once."""
        token = _new_token()
        return self._set_token(slug, hash_token(token)), token

    def revoke_token(self, slug: str) -> Feed:
        """Close a private feed's address; the feed stays, with no address until a new token."""
        return self._set_token(slug, None)

    def _set_token(self, slug: str, token_hash: str | None) -> Feed:
        with self.db.write() as conn:
            feed = self._editable(conn, slug)
            if not feed.private:
                raise FeedConflict(f"feed {slug!r} is public: it has no token to replace")
            conn.execute(
                update(feeds)
                .where(feeds.c.slug == slug)
                .values(token_hash=token_hash, updated_at=self.clock())
            )
        return feed

    @staticmethod
    def _editable(conn: Connection, slug: str) -> Feed:
        row = conn.execute(select(feeds).where(feeds.c.slug == slug)).mappings().first()
        if row is None:
            raise FeedNotFound(slug)
        feed = _feed(row)
        if feed.origin != "api":
            raise FeedConflict(
                f"feed {slug!r} is loaded from {feed.origin}; change or remove that file instead"
            )
        return feed

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
        if feed.slug in RESERVED_FEED_SLUGS:
            raise InvalidInput(f"{feed.origin}: {feed.slug!r} is a reserved feed address")
        now = self.clock()
        row = conn.execute(select(feeds).where(feeds.c.slug == feed.slug)).mappings().first()
        if row is not None and row["origin"] == "api" and feed.origin != "api":
            raise InvalidInput(
                f"{feed.origin}: a feed named {feed.slug!r} was made through the API; "
                "rename the file or remove that feed first"
            )
        stored_members = set(
            conn.scalars(
                select(feed_members.c.commitment_id).where(feed_members.c.feed_slug == feed.slug)
            )
        )
        if row is not None and _feed(row) == feed and stored_members == set(member_ids):
            return False
        values = _values(feed)
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
    def memberships(conn: Connection, commitment_ids: Iterable[str]) -> Memberships:
        """Which feeds list these commitments, and the feeds that hold what they select."""
        fm = feed_members.c
        rows = conn.execute(
            select(fm.commitment_id, fm.feed_slug).where(fm.commitment_id.in_(list(commitment_ids)))
        )
        listed: dict[str, set[str]] = {}
        for commitment_id, slug in rows:
            listed.setdefault(commitment_id, set()).add(slug)
        rows = conn.execute(
            select(feeds.c.slug, feeds.c.selection).where(feeds.c.selection.is_not(None))
        )
        selecting = {slug: FeedSelection.model_validate(found).as_filter() for slug, found in rows}
        return Memberships(listed, selecting)

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
        slug=row["slug"],
        title=row["title"],
        description=row["description"],
        origin=row["origin"],
        selection=row["selection"],
        private=row["private"],
    )


def _values(feed: Feed) -> dict[str, object]:
    """The stored columns of a feed, but for its slug, dates and token."""
    selection = feed.selection.model_dump(mode="json") if feed.selection else None
    return {
        "title": feed.title,
        "description": feed.description,
        "origin": feed.origin,
        "selection": selection,
        "private": feed.private,
    }


def _new_token() -> str:
    return FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)

"""Published feeds in one transaction: names, listed members, selections and private tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from service.clock import Clock
from service.domain import RESERVED_FEED_SLUGS, Feed, FeedSelection
from service.errors import FeedConflict, FeedNotFound, InvalidInput, PrivateFeedNotFound
from service.store.keys import hash_token
from service.store.tables import feed_members, feeds

FEED_TOKEN_PREFIX = "tcfeed_"  # noqa: S105 - a prefix, not a secret
LISTED_AT_ONCE = 1000
"""Ids asked in one statement: a bulk import asks for all of its own, past SQLite's limit on
a statement's parameters (32,766)."""


@dataclass(frozen=True, slots=True)
class FeedSummary:
    feed: Feed
    listed: int
    """How many commitments the feed lists by id (a selection feed lists none)."""


class Feeds:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def get(self, slug: str) -> Feed:
        row = self._conn.execute(select(feeds).where(feeds.c.slug == slug)).mappings().first()
        if row is None:
            raise FeedNotFound(slug)
        return _feed(row)

    def by_token(self, token: str) -> Feed:
        """The private feed this token opens; PrivateFeedNotFound if none (or revoked)."""
        if not token.startswith(FEED_TOKEN_PREFIX):
            raise PrivateFeedNotFound
        query = select(feeds).where(feeds.c.token_hash == hash_token(token))
        row = self._conn.execute(query).mappings().first()
        if row is None or not row["private"]:
            raise PrivateFeedNotFound
        return _feed(row)

    def create(self, feed: Feed) -> str | None:
        """Publish a feed made through the API; a private one's token is returned, once."""
        token = _new_token() if feed.private else None
        now = self._clock()
        taken = FeedConflict(f"a feed named {feed.slug!r} already exists")
        if self._conn.scalar(select(feeds.c.slug).where(feeds.c.slug == feed.slug)) is not None:
            raise taken
        made = insert(feeds).values(
            **_values(feed),
            slug=feed.slug,
            created_at=now,
            updated_at=now,
            token_hash=hash_token(token) if token else None,
        )
        try:
            self._conn.execute(made)
        except IntegrityError as exc:  # on PostgreSQL, another replica made it since the check
            raise taken from exc
        return token

    def remove(self, slug: str) -> Feed:
        """Unpublish a feed made through the API; its commitments stay."""
        feed = self._editable(slug)
        removed = self._conn.execute(delete(feeds).where(feeds.c.slug == slug))
        if removed.rowcount != 1:  # on PostgreSQL, another replica removed it since the read
            raise FeedNotFound(slug)
        return feed

    def replace_token(self, slug: str) -> tuple[Feed, str]:
        """A new address for a private feed; the old one stops working at once."""
        token = _new_token()
        return self._set_token(slug, hash_token(token)), token

    def revoke_token(self, slug: str) -> Feed:
        """Close a private feed's address; the feed stays, with no address until a new token."""
        return self._set_token(slug, None)

    def _set_token(self, slug: str, token_hash: str | None) -> Feed:
        feed = self._editable(slug)
        if not feed.private:
            raise FeedConflict(f"feed {slug!r} is public: it has no token to replace")
        changed = self._conn.execute(
            update(feeds)
            .where(feeds.c.slug == slug)
            .values(token_hash=token_hash, updated_at=self._clock())
        )
        if changed.rowcount != 1:  # on PostgreSQL, another replica removed it since the read
            raise FeedNotFound(slug)
        return feed

    def _editable(self, slug: str) -> Feed:
        feed = self.get(slug)
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
        return [FeedSummary(_feed(row), row["n"]) for row in self._conn.execute(query).mappings()]

    def sync(self, feed: Feed, member_ids: Sequence[str]) -> bool:
        """Make the stored feed match `feed` and hold exactly `member_ids`; True if it changed."""
        if feed.slug in RESERVED_FEED_SLUGS:
            raise InvalidInput(f"{feed.origin}: {feed.slug!r} is a reserved feed address")
        now = self._clock()
        row = self._conn.execute(select(feeds).where(feeds.c.slug == feed.slug)).mappings().first()
        if row is not None and row["origin"] == "api" and feed.origin != "api":
            raise InvalidInput(
                f"{feed.origin}: a feed named {feed.slug!r} was made through the API; "
                "rename the file or remove that feed first"
            )
        fm = feed_members.c
        stored = set(self._conn.scalars(select(fm.commitment_id).where(fm.feed_slug == feed.slug)))
        if row is not None and _feed(row) == feed and stored == set(member_ids):
            return False
        values = _values(feed)
        if row is None:
            self._conn.execute(
                insert(feeds).values(slug=feed.slug, created_at=now, updated_at=now, **values)
            )
        else:
            self._conn.execute(
                update(feeds).where(feeds.c.slug == feed.slug).values(updated_at=now, **values)
            )
        self._conn.execute(delete(feed_members).where(fm.feed_slug == feed.slug))
        if member_ids:
            self._conn.execute(
                insert(feed_members),
                [{"feed_slug": feed.slug, "commitment_id": i} for i in member_ids],
            )
        return True

    def listing(self, commitment_ids: Iterable[str]) -> dict[str, set[str]]:
        """The feeds that list each of these commitments by id."""
        fm = feed_members.c
        ids = list(commitment_ids)
        listed: dict[str, set[str]] = {}
        for start in range(0, len(ids), LISTED_AT_ONCE):
            some = ids[start : start + LISTED_AT_ONCE]
            rows = self._conn.execute(
                select(fm.commitment_id, fm.feed_slug).where(fm.commitment_id.in_(some))
            )
            for commitment_id, slug in rows:
                listed.setdefault(commitment_id, set()).add(slug)
        return listed

    def selections(self) -> dict[str, FeedSelection]:
        """What each feed made through the API selects."""
        query = select(feeds.c.slug, feeds.c.selection).where(feeds.c.selection.is_not(None))
        rows = self._conn.execute(query)
        return {slug: FeedSelection.model_validate(found) for slug, found in rows}

    def prune(self, keep: set[str]) -> int:
        """Unpublish feeds loaded from files that are gone; feeds made through the API stay."""
        gone = list(
            self._conn.scalars(
                select(feeds.c.slug).where(feeds.c.origin != "api", feeds.c.slug.not_in(keep))
            )
        )
        if gone:
            self._conn.execute(delete(feed_members).where(feed_members.c.feed_slug.in_(gone)))
            self._conn.execute(delete(feeds).where(feeds.c.slug.in_(gone)))
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

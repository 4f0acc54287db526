"""The change log: every revision in commit order from a cursor, and each feed's Atom feed."""

from __future__ import annotations

from dataclasses import dataclass

from service.app.context import Context
from service.app.feeds import EVERYTHING, Feeds, check_feeds
from service.domain import CommitmentFilter, Feed, Revision
from service.errors import FeedNotFound, InvalidInput
from service.feeds import ALL_FEED, RenderedFeed, describe, narrowed_title
from service.feeds.atom import ENTRIES, atom_options, render_atom
from service.store import Tx

NARROWED_BY_NOTHING = CommitmentFilter()


@dataclass(frozen=True, slots=True)
class Recorded:
    """A revision and its place in commit order (`seq`), the cursor that follows it."""

    seq: int
    revision: Revision


@dataclass(frozen=True, slots=True)
class ChangesPage:
    """Revisions after a cursor, the cursor to poll with next, and whether more are waiting."""

    items: list[Recorded]
    next: int
    more: bool


def atom_key(slug: str, where: CommitmentFilter = NARROWED_BY_NOTHING) -> str:
    """A feed's Atom in the cache: by its slug alone unless a filter narrows it."""
    if where == NARROWED_BY_NOTHING:
        return f"atom:{slug}"
    return f"atom:{slug}?{where.model_dump_json(exclude_defaults=True)}"


class ChangeLog:
    def __init__(self, ctx: Context, feeds: Feeds) -> None:
        self._ctx = ctx
        self._feeds = feeds

    def changes_since(
        self,
        since: int,
        limit: int,
        where: CommitmentFilter | None = None,
        *,
        with_private: bool = False,
    ) -> ChangesPage:
        """Up to `limit` revisions recorded after the cursor `since`, in commit order.

        Each revision's seq was taken under the data version's row lock, so what any reader
        sees is a prefix of the sequence: polling from `next` never misses or repeats one.
        With `where`, only revisions of what it matches as it stands now (a private feed
        needs `with_private`).
        """
        where = where or CommitmentFilter()
        with self._ctx.read() as tx:
            check_feeds(tx, where.feeds, with_private=with_private)
            last = tx.versions.last_seq()
            if since > last:
                raise InvalidInput(
                    f"since: cursor {since} is beyond the last change ({last}); "
                    "use a `next` this service returned, or 0 to start again"
                )
            found = tx.commitments.recorded_since(since, limit + 1, where)
        items = [Recorded(seq, revision) for seq, revision in found[:limit]]
        return ChangesPage(items, items[-1].seq if items else since, len(found) > limit)

    def atom(self, slug: str, where: CommitmentFilter = NARROWED_BY_NOTHING) -> RenderedFeed:
        """A public feed's latest changes as Atom (`all`: every commitment's), of only what
        `where` matches (its kinds, parties, tags and statuses, as on /feeds/all.ics); cached."""
        plain = where == NARROWED_BY_NOTHING

        def render(tx: Tx) -> bytes:
            if slug == ALL_FEED:
                named = {"title": narrowed_title(where), "description": describe(where)}
                narrowed = EVERYTHING.model_copy(update=named)
                return self._render(tx, EVERYTHING if plain else narrowed, where, where)
            feed = tx.feeds.get(slug)
            if feed.private:
                raise FeedNotFound(slug)
            return self._render(tx, feed, where.model_copy(update={"feeds": (slug,)}), where)

        return self._feeds.cached(atom_key(slug, where), render)

    def _render(
        self, tx: Tx, feed: Feed, where: CommitmentFilter, narrowing: CommitmentFilter
    ) -> bytes:
        """The latest revisions of what `where` matches, in `feed`'s Atom document, whose
        addresses carry the filters `narrowing` asked for."""
        revisions = tx.commitments.latest_revisions(where, ENTRIES)
        options = atom_options(self._ctx.publishing.base_url, feed, narrowing)
        return render_atom(options, revisions)

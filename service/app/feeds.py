"""Feeds: publishing them, loading the shipped files, and the calendars as served."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from service.app import changes
from service.app.assembly import Assembly
from service.app.context import Context
from service.domain import (
    ChangeNote,
    CommitmentFilter,
    Feed,
    FeedCreate,
    StatedVersion,
    unapplied,
)
from service.errors import FeedFileError, FeedNotFound, ServiceError
from service.feeds import (
    ALL_FEED,
    CachedFeed,
    FeedOptions,
    RenderedFeed,
    StreamedFeed,
    filter_query,
    filtered_feed,
    memberships,
    read_catalog,
    render_feed,
    webcal_url,
    whole,
)
from service.store import DataVersion, Tx

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None] | None
"""Told (done, in all) as long work goes, for a progress bar; None when nobody watches."""

WARM_AT_MOST = 20_000
"""The most events of a feed built at start."""

_LOAD_LOCK = 0x7472_6561_7479_6C64  # "treatyld": one loader of the feed files at a time

EVERYTHING = Feed(
    slug=ALL_FEED,
    title="All commitments",
    description="Every tracked commitment; filter with ?kind=, ?party=, ?tag=, ?status=",
    origin="built in",
)


@dataclass(frozen=True, slots=True)
class PublishedFeed:
    """A feed as listed: a private one has an address only in the answer that made it."""

    feed: Feed
    count: int | None
    url: str | None

    @property
    def webcal_url(self) -> str | None:
        return webcal_url(self.url) if self.url else None


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What loading the feed files changed."""

    files: int
    commitments_created: int
    revisions_written: int
    commitments_unchanged: int
    feeds_changed: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.revisions_written or self.feeds_changed)


def feed_files(folder: Path) -> list[Path]:
    """The feed files in a folder, in name order; an error if there is no such folder."""
    if not folder.is_dir():
        raise FeedFileError(str(folder), None, "no such folder of feed files")
    return sorted(folder.glob("*.yaml"))


def check_feeds(tx: Tx, slugs: Sequence[str], *, with_private: bool) -> None:
    """FeedNotFound for a feed that does not exist, or is private and `with_private` is off.

    Without a key, a private feed is answered exactly as one that does not exist, so its
    members, and whether it exists at all, stay private.
    """
    for slug in slugs:
        if tx.feeds.get(slug).private and not with_private:
            raise FeedNotFound(slug)


def named_key(slug: str) -> str:
    return f"feed:{slug}"


def all_key(where: CommitmentFilter) -> str:
    return "all?" + where.model_dump_json(exclude_defaults=True)


def private_key(slug: str) -> str:
    return f"private:{slug}"


class Feeds:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._assembly = Assembly(ctx)

    # ------------------------------------------------------------------ what is published

    def listing(self, *, with_private: bool) -> list[PublishedFeed]:
        """Every feed with its count and address, then `all`; private ones only if asked."""
        with self._ctx.read() as tx:
            listed = [
                self._published(tx, summary.feed, summary.listed)
                for summary in tx.feeds.summaries()
                if with_private or not summary.feed.private
            ]
            tracked = tx.commitments.count(CommitmentFilter())
        everything = PublishedFeed(EVERYTHING, tracked, self._ctx.publishing.feed_url(ALL_FEED))
        return [*listed, everything]

    def publish(self, data: FeedCreate) -> PublishedFeed:
        """A feed of what a selection matches; a private one's address is in this answer only."""
        feed = data.as_feed()
        with self._ctx.transaction() as tx:
            token = tx.feeds.create(feed)
            tx.versions.bump()
            return self._published(tx, feed, 0, token)

    def unpublish(self, slug: str) -> Feed:
        """Remove a feed made through the API; its commitments stay tracked."""
        with self._ctx.transaction() as tx:
            removed = tx.feeds.remove(slug)
            tx.versions.bump()
        return removed

    def replace_token(self, slug: str) -> PublishedFeed:
        """A new address for a private feed; the old one stops working at once."""
        with self._ctx.transaction() as tx:
            feed, token = tx.feeds.replace_token(slug)
            return self._published(tx, feed, 0, token)

    def revoke_token(self, slug: str) -> Feed:
        """Close a private feed's address; the feed stays, with no address."""
        with self._ctx.transaction() as tx:
            return tx.feeds.revoke_token(slug)

    def _published(
        self, tx: Tx, feed: Feed, listed: int, token: str | None = None
    ) -> PublishedFeed:
        """A file's feed counts its `listed` members; a selection is counted by running it."""
        count = listed if feed.selection is None else tx.commitments.count(_members(feed.slug))
        publishing = self._ctx.publishing
        if feed.private:
            url = publishing.private_feed_url(token) if token else None
        else:
            url = publishing.feed_url(feed.slug)
        return PublishedFeed(feed, count, url)

    # ------------------------------------------------------------------ the shipped files

    def load(
        self, paths: Sequence[Path], *, complete: bool = False, progress: Progress = None
    ) -> SyncReport:
        """Read every file, then store them in one transaction: all of them or, on error, none.

        `complete` says the paths are every feed file there is (a whole folder), so feeds from
        files since removed are unpublished. Loading the same files twice writes nothing.
        `progress` hears (commitments done, commitments in all) as the load goes.
        """
        catalog = read_catalog(paths, today=self._ctx.clock().date())
        created = written = unchanged = feeds_changed = 0
        with self._ctx.transaction() as tx:
            tx.lock(_LOAD_LOCK)  # replicas starting together load one after another
            for done, (commitment_id, versions) in enumerate(catalog.commitments.items(), 1):
                is_new = not tx.commitments.exists(commitment_id)
                count = self._apply(tx, commitment_id, versions)
                created += is_new
                written += count
                unchanged += count == 0
                if progress is not None:
                    progress(done, len(catalog.commitments))
            for feed, member_ids in catalog.feeds:
                feeds_changed += tx.feeds.sync(feed, member_ids)
            if complete:
                feeds_changed += tx.feeds.prune({feed.slug for feed, _ in catalog.feeds})
            if feeds_changed:
                tx.versions.bump()
        report = SyncReport(len(paths), created, written, unchanged, feeds_changed)
        log.info(
            "loaded %d feed files: %d new commitments, %d revisions, %d feeds changed",
            report.files,
            report.commitments_created,
            report.revisions_written,
            report.feeds_changed,
            extra={"action": "feeds_loaded"},
        )
        return report

    def _apply(self, tx: Tx, commitment_id: str, versions: Sequence[StatedVersion]) -> int:
        """Bring one commitment to the last of `versions`, recording the steps not yet stored.

        Returns the number of revisions written: 0 when the store already holds the last state.
        """
        actor = "feed files"
        before = tx.commitments.find(commitment_id, lock=True)
        if before is not None and before.fields() == versions[-1].fields:
            return 0
        pending = unapplied(before.fields() if before else None, versions)
        if pending is None:  # the stored state is none of these: step straight to the last
            today = self._ctx.clock().date()
            update = {"effective": today, "reason": f"brought in line with {actor}"}
            pending = [versions[-1].model_copy(update=update)]
        written = 0
        for version in pending:
            note = ChangeNote(
                reason=version.reason, effective=version.effective, source=version.source
            )
            planner = self._ctx.planner
            after = changes.record(tx, planner, commitment_id, before, version.fields, note, actor)
            written += after is not before
            before = after
        return written

    # ------------------------------------------------------------------ the calendars

    def remembered(self, key: str) -> CachedFeed | None:
        """The feed for `key` if memory holds it at a version still trusted; no I/O."""
        cache = self._ctx.feed_cache
        version = cache.known_version()
        return cache.lookup(key, version.version) if version else None

    def last_modified(self, feed: CachedFeed) -> str:
        """Its Last-Modified header now: a date that earns a 304 only once it has settled."""
        return feed.http_date(self._ctx.clock(), self._ctx.feed_cache.settle)

    def calendar(self, slug: str) -> CachedFeed:
        """A public feed as served at /feeds/{slug}.ics; FeedNotFound for a private one."""

        def options(tx: Tx) -> FeedOptions:
            feed = tx.feeds.get(slug)
            if feed.private:
                raise FeedNotFound(slug)
            return self._options(feed)

        return self._cached(named_key(slug), lambda: self._assembly.build(options, _members(slug)))

    def private_calendar(self, token: str) -> tuple[Feed, CachedFeed]:
        """The private feed this token opens, as served at its address."""
        with self._ctx.read() as tx:
            feed = tx.feeds.by_token(token)
        built = self._cached(
            private_key(feed.slug),
            lambda: self._assembly.build(
                lambda tx: self._options(tx.feeds.get(feed.slug)), _members(feed.slug)
            ),
        )
        return feed, built

    def filtered_calendar(self, where: CommitmentFilter) -> CachedFeed:
        """Every commitment the filter matches, as the `all` feed."""
        options = self._options(filtered_feed(where), filter_query(where))
        return self._cached(all_key(where), lambda: self._assembly.build(lambda _: options, where))

    def chunks(self, feed: StreamedFeed) -> Iterator[bytes]:
        """A streamed feed's bytes, a page of stored events at a time."""
        return self._assembly.chunks(feed)

    def export(self, slug: str, progress: Progress = None) -> bytes:
        """A feed's bytes exactly as served, private ones too: `all` or a published slug."""
        if slug == ALL_FEED:
            everything = CommitmentFilter()
            return self._render(filtered_feed(everything), everything, progress)
        with self._ctx.read() as tx:
            feed = tx.feeds.get(slug)
        return self._render(feed, _members(feed.slug), progress)

    def event(self, commitment_id: str) -> bytes:
        """One commitment as a calendar file of its own (an undated one holds no event)."""
        with self._ctx.read() as tx:
            commitment = tx.commitments.get(commitment_id)
        options = self._ctx.publishing.options_for_event(commitment.title)
        return render_feed(options, [commitment])

    def holding(self, commitment_id: str, *, with_private: bool) -> list[PublishedFeed]:
        """The feeds a commitment is in (`all` aside), private ones only if asked."""
        with self._ctx.read() as tx:
            commitment = tx.commitments.get(commitment_id)
            slugs = set(memberships(tx, [commitment_id]).of(commitment))
        return [p for p in self.listing(with_private=with_private) if p.feed.slug in slugs]

    def warm(self) -> None:
        """Build every public feed of at most WARM_AT_MOST events once, so no calendar waits
        for the first build; a larger one is built when first asked for, so that a start
        never renders a whole large database (its event bytes are stored, and kept)."""
        try:
            for published in self.listing(with_private=False):
                if published.count is None or published.count > WARM_AT_MOST:
                    continue
                if published.feed.slug == ALL_FEED:
                    self.filtered_calendar(CommitmentFilter())
                else:
                    self.calendar(published.feed.slug)
        except ServiceError:
            log.exception("could not warm the feed cache", extra={"action": "feed_warm_failed"})

    def _render(self, feed: Feed, where: CommitmentFilter, progress: Progress = None) -> bytes:
        with self._ctx.read() as tx:
            members = tx.commitments.matching(where)
        return render_feed(self._options(feed), members, progress)

    def _options(self, feed: Feed, query: str = "") -> FeedOptions:
        """A feed names its own address (URL, SOURCE) only when TREATYCAL_PUBLIC_URL says what
        it is: http://HOST:PORT is where this replica listens, not where calendars reach it,
        and it would give every replica different bytes, and so a different ETag."""
        options = self._ctx.publishing.options_for(feed, query)
        return options if self._ctx.settings.public_url else replace(options, url=None)

    def cached(self, key: str, render: Callable[[Tx], bytes]) -> RenderedFeed:
        """A feed rendered whole (Atom) for `key` at the current data version (blocking);
        `render` reads what it needs in the snapshot it is given, which dates the bytes."""

        def build() -> CachedFeed:
            with self._ctx.read(snapshot=True) as tx:
                version = tx.versions.current()
                return whole(render(tx), version)

        built = self._cached(key, build)
        assert isinstance(built, RenderedFeed), "a key that is rendered whole holds whole feeds"
        return built

    def _cached(self, key: str, build: Callable[[], CachedFeed]) -> CachedFeed:
        """The feed for `key` at the current data version, building it if needed (blocking)."""
        version = self._version()
        cache = self._ctx.feed_cache
        found = cache.lookup(key, version.version)
        return found if found is not None else cache.build(key, version, build)

    def _version(self) -> DataVersion:
        cache = self._ctx.feed_cache
        version = cache.known_version()
        if version is None:
            mark = cache.version_mark()
            version = self._read_version()
            cache.remember_version(version, mark)
        return version

    def _read_version(self) -> DataVersion:
        with self._ctx.read() as tx:
            return tx.versions.current()


def _members(slug: str) -> CommitmentFilter:
    return CommitmentFilter(feeds=(slug,))

"""Bench 1b: a large `all` feed joined from stored event bytes, cached and after one write.

Over SQLite with 100,000 generated commitments (1,000 with --quick), in one process, through
the use cases the HTTP routes call (no HTTP): (a) the first build, which renders and stores
every event; (b) the feed again with its entry cached, its body read (a large feed is
streamed from the stored events, page by page, for every response that sends it); (c) the
feed after one commitment is revised: a survey of the stored events, one event rendered,
the pages read to hash them, then the body read to send it. The issue's goal: (c) within
20x (b). Each body is checked against its ETag; with --quick also against a full render.
"""

from __future__ import annotations

import hashlib
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from service.app import App
from service.domain import ChangeNote, CommitmentFilter, CommitmentPatch
from service.feeds import ALL_FEED, CachedFeed, RenderedFeed, StreamedFeed
from service.settings import Settings
from tests.bench.serve_app import fill
from tests.bench.support import Options, Outcome, Timed, progress, show, table, write_result

NAME = "feed_bytes"
GOAL = 20.0
STEPS = {
    "first": "a. first build (every event rendered)",
    "cached": "b. cached, body read",
    "after_write": "c. after one write, body read",
}


def _served(app: App) -> tuple[CachedFeed, int, str]:
    """The `all` feed as a request gets it: its entry, then every byte of its body."""
    feed = app.feeds.filtered_calendar(CommitmentFilter())
    digest, length = hashlib.sha256(), 0
    if isinstance(feed, StreamedFeed):
        for chunk in app.feeds.chunks(feed):
            digest.update(chunk)
            length += len(chunk)
    else:
        assert isinstance(feed, RenderedFeed)
        digest.update(feed.body)
        length = len(feed.body)
    return feed, length, '"' + digest.hexdigest()[:32] + '"'


def _timed_served(app: App) -> tuple[float, int, int]:
    """Seconds, bytes and events rendered for one request of the `all` feed."""
    rendered = app.context.feed_cache.events_rendered
    started = time.perf_counter()
    feed, length, etag = _served(app)
    seconds = time.perf_counter() - started
    if etag != feed.etag:
        raise AssertionError(f"the ETag {feed.etag} is not the hash of the body ({etag})")
    return seconds, length, app.context.feed_cache.events_rendered - rendered


def _revise(app: App, commitment_id: str, round_: int) -> None:
    patch = CommitmentPatch(description=f"Revised for the bench, round {round_}.")
    app.commitments.patch(commitment_id, patch, ChangeNote(reason="bench"), "bench")


def _measure(app: App, touch_id: str, repetitions: int) -> dict[str, Any]:
    runs: dict[str, list[float]] = {step: [] for step in STEPS}
    sizes: dict[str, int] = {}
    renders: dict[str, int] = {}
    progress("a. first build: rendering and storing every event")
    seconds, sizes["first"], renders["first"] = _timed_served(app)
    runs["first"].append(seconds)
    for rep in range(repetitions):
        progress(f"repetition {rep + 1}/{repetitions}: b. cached, c. after one write")
        seconds, sizes["cached"], renders["cached"] = _timed_served(app)
        runs["cached"].append(seconds)
        _revise(app, touch_id, rep)
        seconds, sizes["after_write"], renders["after_write"] = _timed_served(app)
        runs["after_write"].append(seconds)
    return {"runs": runs, "sizes": sizes, "renders": renders}


def _same_as_full_render(app: App) -> None:
    progress("checking the joined feed against a full render")
    _, length, etag = _served(app)
    whole = app.feeds.export(ALL_FEED)
    if etag != '"' + hashlib.sha256(whole).hexdigest()[:32] + '"' or length != len(whole):
        raise AssertionError("the joined feed differs from a full render")


def _with_app(count: int, action: Callable[[App, str], dict[str, Any]]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="treatycal-bench-") as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{Path(folder) / 'bench.db'}",
            load_feeds_on_start=False,
        )
        app = App.open(settings)
        try:
            progress(f"storing {count:,} generated commitments")
            return action(app, fill(app, count))
        finally:
            app.close()


def run(options: Options) -> Outcome:
    count, repetitions = (1000, 2) if options.quick else (100_000, 3)

    def bench(app: App, touch_id: str) -> dict[str, Any]:
        measured = _measure(app, touch_id, repetitions)
        if options.quick:
            _same_as_full_render(app)
        return measured

    measured = _with_app(count, bench)
    figures: dict[str, Any] = {}
    rows = []
    for step, label in STEPS.items():
        timing = Timed(tuple(measured["runs"][step]))
        size, rendered = measured["sizes"][step], measured["renders"][step]
        figures[step] = {"label": label, **timing.figures(count), "bytes": size}
        figures[step]["events_rendered"] = rendered
        rows.append((label, timing.best, timing.median, size, rendered))
    ratio = figures["after_write"]["median_s"] / figures["cached"]["median_s"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["ratio_after_write_to_cached"] = round(ratio, 2)
    figures["peak_rss_mb"] = round(peak_mb, 1)
    show(table(("step", "min s", "median s", "bytes", "events rendered"), rows))
    notes = [
        f"after one write the feed takes {ratio:.1f}x the cached one (medians; goal <= {GOAL:g}x)",
        f"peak RSS of this process: {peak_mb:,.0f} MB (the first build included)",
    ]
    for note in notes:
        show("note: " + note)
    parameters = {"commitments": count, "repetitions": repetitions, "database": "sqlite"}
    path = write_result(NAME, options, parameters, figures, notes)
    problems = [] if ratio <= GOAL else [f"after one write: {ratio:.1f}x the cached feed"]
    headline = [
        f"cached {figures['cached']['median_s']:.3f} s, after one write "
        f"{figures['after_write']['median_s']:.3f} s ({ratio:.1f}x), "
        f"{figures['cached']['bytes']:,} bytes"
    ]
    return Outcome(NAME, path, headline, problems)

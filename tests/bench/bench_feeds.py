"""Bench 1: rendering a 10,000-commitment feed, against a bare `icalendar` rendering.

Timings per repetition, in one process: (a) the same events built with icalendar alone, the
way a straightforward implementation would; (b) render_feed with its caches cleared; (c)
render_feed again over the same list, every event cached; (d) the list with one commitment
replaced by a new revision; (e) warm again over equal copies of the commitments, as a server
sees them after reading the store again (the cache then compares them field by field).
Peak memory is taken in a separate pass: tracemalloc slows allocation and would distort timing.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event

from service.domain import CalendarDuration, Commitment, Kind, Status
from service.feeds import render
from service.feeds.render import FeedOptions, render_feed
from service.settings import DEFAULT_ALERTS
from tests.bench import corpus
from tests.bench.support import Options, Outcome, Timed, progress, show, table, timed, write_result

NAME = "feeds"
_DAY = timedelta(days=1)
_STATUS = {
    Status.SCHEDULED: "CONFIRMED",
    Status.OCCURRED: "CONFIRMED",
    Status.TENTATIVE: "TENTATIVE",
    Status.CANCELLED: "CANCELLED",
    Status.SUPERSEDED: "CANCELLED",
}
OPTIONS = FeedOptions(
    name="treatycal: all commitments",
    description="Tracked commitments",
    refresh_interval=timedelta(hours=6),
    default_alerts=DEFAULT_ALERTS,
    url="http://127.0.0.1:8000/feeds/all.ics",
)
STEPS = {
    "bare": "a. bare icalendar",
    "cold": "b. render_feed cold",
    "warm": "c. render_feed warm",
    "changed": "d. one changed",
    "fresh": "e. warm, equal copies",
}


# ---------------------------------------------------------------------------- bare icalendar


def bare_feed(commitments: Sequence[Commitment]) -> bytes:
    """What a straightforward implementation does: one tree, add_missing_timezones, to_ical."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//treatycal bench//bare icalendar//EN")
    calendar.add("x-wr-calname", OPTIONS.name)
    for commitment in commitments:
        if commitment.due is not None:
            calendar.add_component(_bare_event(commitment, DEFAULT_ALERTS))
    calendar.add_missing_timezones()
    output: bytes = calendar.to_ical()
    return output


def _bare_event(commitment: Commitment, defaults: dict[Kind, tuple[str, ...]]) -> Event:
    due = commitment.due
    assert due is not None
    event = Event()
    event.add("uid", commitment.uid)
    event.add("dtstamp", commitment.updated_at)
    end = commitment.end
    if due.moment is not None:
        event.add("dtstart", due.moment)  # TZID=<zone>
        if end is not None and end.moment is not None:
            event.add("dtend", end.moment)
    else:
        event.add("dtstart", due.first_day)  # VALUE=DATE, with an exclusive end
        event.add("dtend", (end or due).last_day + _DAY)
    event.add("summary", commitment.title)
    event.add("description", _bare_description(commitment))
    event.add("status", _STATUS[commitment.status])
    event.add("sequence", commitment.revision - 1)
    event.add("categories", [commitment.kind.value, *commitment.tags])
    if commitment.status not in (Status.CANCELLED, Status.SUPERSEDED):
        for offset in commitment.effective_alerts(defaults):
            duration = CalendarDuration.parse(offset)
            alarm = Alarm()
            alarm.add("trigger", -timedelta(days=duration.days, seconds=duration.seconds))
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{commitment.title}: {offset} before")
            event.add_component(alarm)
    return event


def _bare_description(commitment: Commitment) -> str:
    assert commitment.due is not None
    sources = [f"- {s.title}: {s.url}" for s in commitment.sources]
    parts = [
        commitment.description,
        f"When: {commitment.due.describe()}",
        f"Parties: {', '.join(commitment.parties)}",
        "\n".join(["Sources:", *sources]),
    ]
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------- measuring


def clear_caches() -> None:
    render._rendered.cache_clear()
    render._timezone.cache_clear()


def _changed(items: list[Commitment], repetition: int) -> list[Commitment]:
    """The list with one commitment (a different one each repetition) at a new revision."""
    index = (7919 * (repetition + 1)) % len(items)
    changed = list(items)
    changed[index] = corpus.revised(items[index], repetition + 1)
    return changed


def _check_events(output: bytes, count: int, what: str) -> None:
    found = output.count(b"BEGIN:VEVENT")
    if found != count:
        raise AssertionError(f"{what}: {found} events, expected {count}")


def _render_counting(items: Sequence[Commitment]) -> tuple[bytes, int, int]:
    """render_feed, with the event-cache hits and misses it made."""
    before = render._rendered.cache_info()
    output = render_feed(OPTIONS, items)
    after = render._rendered.cache_info()
    return output, after.hits - before.hits, after.misses - before.misses


def _repeat(items: list[Commitment], repetitions: int) -> dict[str, Any]:
    runs: dict[str, list[float]] = {step: [] for step in STEPS}
    sizes: dict[str, int] = {}
    caching: dict[str, tuple[int, int]] = {}
    count = len(items)
    for rep in range(repetitions):
        tag = f"repetition {rep + 1}/{repetitions}"
        progress(f"{tag}: a. bare icalendar, {count:,} events")
        seconds, bare = timed(bare_feed, items)
        _check_events(bare, count, "bare icalendar")
        runs["bare"].append(seconds)
        sizes["bare"] = len(bare)
        del bare
        progress(f"{tag}: b. render_feed, caches cleared")
        clear_caches()
        seconds, (cold, hits, misses) = timed(_render_counting, items)
        _check_events(cold, count, "cold render")
        runs["cold"].append(seconds)
        caching["cold"] = (hits, misses)
        progress(f"{tag}: c. warm, d. one changed, e. equal copies")
        seconds, (warm, hits, misses) = timed(_render_counting, items)
        if warm != cold:
            raise AssertionError("the warm render differs from the cold one")
        runs["warm"].append(seconds)
        caching["warm"] = (hits, misses)
        changed = _changed(items, rep)
        seconds, (after, hits, misses) = timed(_render_counting, changed)
        if after == cold or misses != 1:
            raise AssertionError(f"one changed commitment gave {misses} misses, same bytes")
        runs["changed"].append(seconds)
        caching["changed"] = (hits, misses)
        copies = [Commitment.model_validate(c.model_dump()) for c in items]
        seconds, (fresh, hits, misses) = timed(_render_counting, copies)
        if fresh != cold or misses:
            raise AssertionError(f"equal copies gave {misses} misses")
        runs["fresh"].append(seconds)
        caching["fresh"] = (hits, misses)
        sizes.update(cold=len(cold), warm=len(warm), changed=len(after), fresh=len(fresh))
        del cold, warm, after, fresh, copies
    return {"runs": runs, "sizes": sizes, "caching": caching}


def _peak(action: Callable[[], bytes]) -> dict[str, float]:
    """Peak traced memory during `action`, and what stays allocated once its output is gone."""
    gc.collect()
    tracemalloc.start()
    output = action()
    _, peak = tracemalloc.get_traced_memory()
    del output
    gc.collect()
    retained, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_mb": round(peak / 1e6, 1), "retained_mb": round(retained / 1e6, 1)}


def _memory(items: list[Commitment]) -> dict[str, dict[str, float]]:
    progress("memory pass (tracemalloc): cold render_feed, then bare icalendar")
    clear_caches()
    cold = _peak(lambda: render_feed(OPTIONS, items))
    bare = _peak(lambda: bare_feed(items))
    return {"cold": cold, "bare": bare}


def _profile(items: list[Commitment]) -> str:
    """The top of a cProfile of one cold render, by cumulative and by own time."""
    progress("profiling one cold render (cProfile)")
    clear_caches()
    profiler = cProfile.Profile()
    profiler.runcall(render_feed, OPTIONS, items)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(15)
    stats.sort_stats("tottime").print_stats(15)
    return text.getvalue()


# ---------------------------------------------------------------------------- reporting


def run(options: Options) -> Outcome:
    count, repetitions = (1000, 1) if options.quick else (10_000, 3)
    progress(f"generating {count:,} commitments (seed {corpus.SEED})")
    items = corpus.commitments(count)
    measured = _repeat(items, repetitions)
    memory = _memory(items)
    profile = _profile(items) if options.profile else None
    clear_caches()
    figures: dict[str, Any] = {}
    rows = []
    for step, label in STEPS.items():
        timing = Timed(tuple(measured["runs"][step]))
        size = measured["sizes"][step]
        figures[step] = {"label": label, **timing.figures(count), "bytes": size}
        if step in measured["caching"]:
            hits, misses = measured["caching"][step]
            figures[step].update(cache_hits=hits, cache_misses=misses)
        if step in memory:
            figures[step].update(memory[step])
        mem = memory.get(step, {}).get("peak_mb", "")
        rows.append((label, timing.best, timing.median, count / timing.best, size, mem))
    show(table(("step", "min s", "median s", "events/s", "bytes", "peak MB"), rows))
    if profile:
        show(profile)
    notes = _notes(figures)
    for note in notes:
        show("note: " + note)
    parameters = {
        "commitments": count,
        "repetitions": repetitions,
        "seed": corpus.SEED,
        "alerts": "service.settings.DEFAULT_ALERTS",
        "precisions": _mix(items),
    }
    path = write_result(NAME, options, parameters, figures, notes)
    headline = [
        f"{figures[step]['label']}: {figures[step]['min_s']:.3f} s "
        f"({figures[step]['items_per_s_at_min']:,.0f} events/s)"
        for step in STEPS
    ]
    return Outcome(NAME, path, headline)


def _mix(items: list[Commitment]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        key = item.due.precision.value if item.due else "undated"
        if item.due and item.due.tz:
            key = f"time ({item.due.tz})"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


def _notes(figures: dict[str, Any]) -> list[str]:
    bare, cold, warm = (figures[k]["min_s"] for k in ("bare", "cold", "warm"))
    return [
        f"cold render_feed is {bare / cold:.2f}x the speed of bare icalendar; "
        f"warm is {bare / warm:,.0f}x (every event comes from the cache)",
        "the bare rendering writes fewer properties per event (no LAST-MODIFIED, CREATED, URL, "
        "TRANSP, CLASS) and VTIMEZONEs for 1970-2038; compare the byte counts",
    ]

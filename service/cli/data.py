"""`migrate`, `load`, `upcoming` and `export`: the database, the feeds and what is coming."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from service.app import database_label, feed_files
from service.app.upcoming import MAX_PAGE, PAGE
from service.cli.common import (
    DbOption,
    JsonOption,
    app,
    opened,
    parse_day,
    progress_bar,
    settings_for,
)
from service.cli.texttable import render_table
from service.domain import CalendarDuration, Commitment, CommitmentFilter, Kind, UpcomingItem


@app.command()
def migrate(db: DbOption = None) -> None:
    """Bring the database schema up to date (serve does this too)."""
    settings = settings_for(db)
    with opened(settings, create=True):
        pass
    typer.echo(f"database {database_label(settings)} is at the current schema")


@app.command()
def load(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[FILE]...",
            help="Feed files; default: every file in the feeds folder (TREATYCAL_FEEDS_DIR)",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Load feed files: all of them, or nothing if any is malformed. Loading twice is a no-op."""
    settings = settings_for(db)
    with opened(settings, create=True) as use_cases, progress_bar("loading") as progress:
        files = paths or feed_files(settings.feeds_dir)
        report = use_cases.feeds.load(files, complete=not paths, progress=progress)
    typer.echo(
        f"{report.files} files: {report.commitments_created} new commitments, "
        f"{report.revisions_written} revisions written, {report.commitments_unchanged} unchanged, "
        f"{report.feeds_changed} feeds changed"
    )


KINDS = ", ".join(kind.value for kind in Kind)


@app.command("upcoming")
def upcoming_command(
    within: Annotated[
        str, typer.Option(metavar="DURATION", help="How far ahead, an ISO 8601 duration")
    ] = "P90D",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="Answer as the world stood on this day"),
    ] = None,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            metavar="YYYY-MM-DD",
            help="Answer from what this database had recorded by the end of this day (UTC)",
        ),
    ] = None,
    kind: Annotated[
        list[Kind] | None,
        typer.Option(metavar="KIND", help=f"Only these kinds (repeatable): {KINDS}"),
    ] = None,
    party: Annotated[
        list[str] | None,
        typer.Option(metavar="PARTY", help="Only these parties (repeatable), e.g. US, RU, NATO"),
    ] = None,
    feed: Annotated[
        str | None, typer.Option(metavar="SLUG", help="Only the commitments of this feed")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_PAGE, help="The most commitments to list at once")
    ] = PAGE,
    cursor: Annotated[
        str | None, typer.Option(help="Where the last listing said to go on from")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What is coming up, as a table (or --json), a page at a time."""
    day = parse_day(as_of, "--as-of")
    recorded = parse_day(known_at, "--known-at")
    try:
        CalendarDuration.parse(within)
        where = CommitmentFilter(
            kinds=tuple(kind or ()), parties=tuple(party or ()), feeds=(feed,) if feed else ()
        )
    except ValueError as exc:
        raise typer.BadParameter(_one_line(exc)) from exc
    with opened(settings_for(db)) as use_cases:
        found = use_cases.agenda.upcoming(
            where, within, day, known_at=recorded, with_private=True, limit=limit, cursor=cursor
        )
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    rows = [
        (_countdown(item), _when(item), item.status.value, item.title, ", ".join(item.parties))
        for item in found.items
    ]
    typer.echo(f"Coming up from {found.as_of} to {found.until}:")
    typer.echo(render_table(("when", "due", "status", "commitment", "parties"), rows))
    for commitment in found.undated:
        typer.echo(f"  no date yet: {commitment.title} ({commitment.status.value})")
    if found.next:
        typer.echo(f"More follow: run again with --cursor {found.next}")


def _countdown(item: UpcomingItem) -> str:
    """'in 65 days', 'today', or for a window already under way, 'ends in 65 days'."""
    if item.days_left < 0 and item.days_to_end is not None:
        return "ends today" if item.days_to_end == 0 else f"ends in {_days(item.days_to_end)}"
    return "today" if item.days_left == 0 else f"in {_days(item.days_left)}"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _one_line(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
    return str(exc)


def _when(commitment: Commitment) -> str:
    """Its due, and its end when it has one: '5 February 2026 to 5 February 2027'."""
    if commitment.due is None:
        return ""
    if commitment.end is None:
        return commitment.due.describe()
    return f"{commitment.due.describe()} to {commitment.end.describe()}"


@app.command()
def export(
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="A feed's slug, or 'all'")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="File to write; default: stdout"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a feed as an .ics file, exactly as it is served (private feeds too)."""
    with opened(settings_for(db)) as use_cases, progress_bar("rendering") as progress:
        body = use_cases.feeds.export(slug, progress)
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    typer.echo(f"wrote {len(body)} bytes to {output}", err=True)

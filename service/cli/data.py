"""`migrate`, `load`, `upcoming` and `export`: the database, the feeds and what is coming."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from service import bootstrap, publish
from service.cli.common import DbOption, JsonOption, app, fail, opened, settings_for
from service.clock import utc_now
from service.domain import (
    CalendarDuration,
    Commitment,
    CommitmentFilter,
    Kind,
    days_left,
    undated,
    upcoming,
)
from service.errors import ServiceError
from service.texttable import render_table


@app.command()
def migrate(db: DbOption = None) -> None:
    """Bring the database schema up to date (serve does this too)."""
    settings = settings_for(db)
    try:
        with opened(settings):
            pass
    except ServiceError as exc:
        raise fail(exc) from exc
    typer.echo(f"database {settings.database_url} is at the current schema")


@app.command()
def load(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Feed files; default: every file in feeds_dir")
    ] = None,
    db: DbOption = None,
) -> None:
    """Load feed files: all of them, or nothing if any is malformed. Loading twice is a no-op."""
    settings = settings_for(db)
    try:
        files = paths or bootstrap.feed_files(settings.feeds_dir)
        with opened(settings) as store:
            report = bootstrap.load_feeds(store, files, utc_now, complete=not paths)
    except ServiceError as exc:
        raise fail(exc) from exc
    typer.echo(
        f"{len(files)} files: {report.commitments_created} new commitments, "
        f"{report.revisions_written} revisions written, {report.commitments_unchanged} unchanged, "
        f"{report.feeds_changed} feeds changed"
    )


@app.command("upcoming")
def upcoming_command(
    within: Annotated[str, typer.Option(help="How far ahead, an ISO 8601 duration")] = "P90D",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Answer as known on this day (YYYY-MM-DD)")
    ] = None,
    kind: Annotated[list[Kind] | None, typer.Option(help="Only these kinds")] = None,
    party: Annotated[list[str] | None, typer.Option(help="Only these parties")] = None,
    feed: Annotated[str | None, typer.Option(help="Only this feed")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """What is coming up, as a table (or --json)."""
    try:
        day = date.fromisoformat(as_of) if as_of else utc_now().date()
        until = CalendarDuration.parse(within).after_day(day)
        where = CommitmentFilter(kinds=tuple(kind or ()), parties=tuple(party or ()), feed=feed)
    except ValueError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    try:
        with opened(settings_for(db)) as store:
            known = store.commitments.known_on(day, where)
    except ServiceError as exc:
        raise fail(exc) from exc
    found = upcoming(known, day, until)
    if as_json:
        items = [
            {
                **c.model_dump(mode="json"),
                "days_left": left,
                "days_to_end": days_left(c.end, day) if c.end else None,
            }
            for c, left in found
        ]
        later = [c.model_dump(mode="json") for c in undated(known)]
        document = {"as_of": str(day), "until": str(until), "items": items, "undated": later}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    rows = [
        (
            str(left),
            _when(c),
            c.status.value,
            c.title,
            ", ".join(c.parties),
        )
        for c, left in found
    ]
    typer.echo(f"Coming up from {day} to {until}:")
    typer.echo(render_table(("days", "due", "status", "commitment", "parties"), rows))
    for commitment in undated(known):
        typer.echo(f"  no date yet: {commitment.title} ({commitment.status.value})")


def _when(commitment: Commitment) -> str:
    """Its due, and its end when it has one: '5 February 2026 to 5 February 2027'."""
    if commitment.due is None:
        return ""
    if commitment.end is None:
        return commitment.due.describe()
    return f"{commitment.due.describe()} to {commitment.end.describe()}"


@app.command()
def export(
    slug: Annotated[str, typer.Argument(help="A feed slug, or 'all'")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default: stdout")
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a feed as an .ics file, exactly as it is served (private feeds too)."""
    settings = settings_for(db)
    try:
        with opened(settings) as store:
            if slug == publish.ALL_FEED:
                body = publish.render_filtered(store, settings, CommitmentFilter())
            else:
                body = publish.render(store, settings, store.feeds.get(slug))
    except ServiceError as exc:
        raise fail(exc) from exc
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    typer.echo(f"wrote {len(body)} bytes to {output}", err=True)

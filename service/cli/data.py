"""`migrate`, `load`, `upcoming` and `export`: the database, the feeds and what is coming."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from service.app import feed_files
from service.cli.common import DbOption, JsonOption, app, opened, settings_for
from service.cli.texttable import render_table
from service.domain import CalendarDuration, Commitment, CommitmentFilter, Kind


@app.command()
def migrate(db: DbOption = None) -> None:
    """Bring the database schema up to date (serve does this too)."""
    settings = settings_for(db)
    with opened(settings):
        pass
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
    with opened(settings) as use_cases:
        files = paths or feed_files(settings.feeds_dir)
        report = use_cases.feeds.load(files, complete=not paths)
    typer.echo(
        f"{report.files} files: {report.commitments_created} new commitments, "
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
        day = date.fromisoformat(as_of) if as_of else None
        CalendarDuration.parse(within)
        where = CommitmentFilter(
            kinds=tuple(kind or ()), parties=tuple(party or ()), feeds=(feed,) if feed else ()
        )
    except ValueError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    with opened(settings_for(db)) as use_cases:
        found = use_cases.agenda.upcoming(where, within, day)
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    rows = [
        (str(item.days_left), _when(item), item.status.value, item.title, ", ".join(item.parties))
        for item in found.items
    ]
    typer.echo(f"Coming up from {found.as_of} to {found.until}:")
    typer.echo(render_table(("days", "due", "status", "commitment", "parties"), rows))
    for commitment in found.undated:
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
    with opened(settings_for(db)) as use_cases:
        body = use_cases.feeds.export(slug)
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    typer.echo(f"wrote {len(body)} bytes to {output}", err=True)

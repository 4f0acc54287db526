"""`import`: many new commitments from a file, in one transaction."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from service.cli.common import DbOption, app, fail, opened, parse_day, progress_bar, settings_for
from service.domain import ChangeNote, CommitmentCreate
from service.errors import InvalidInput

ACTOR = "command line (import)"
_ARRAY = TypeAdapter(list[CommitmentCreate])


@app.command("import")
def import_command(
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="JSON Lines, one commitment a line as POST /api/v1/commitments takes it, "
            "or a JSON array of them; - reads stdin",
        ),
    ],
    reason: Annotated[
        str | None, typer.Option(help="Why, recorded in each one's first revision")
    ] = None,
    effective: Annotated[
        str | None,
        typer.Option(metavar="YYYY-MM-DD", help="When they came about in the world; default today"),
    ] = None,
    chunk: Annotated[
        int, typer.Option(min=1, max=100_000, help="Commitments written per batch of statements")
    ] = 1000,
    db: DbOption = None,
) -> None:
    """Track many new commitments: all of them, or none if any is refused (the error says which)."""
    started = time.perf_counter()
    try:
        note = ChangeNote(reason=reason, effective=parse_day(effective, "--effective"))
    except ValidationError as exc:
        raise typer.BadParameter(_problems(exc), param_hint="--reason") from exc
    try:
        items = read_items(file)
    except (InvalidInput, OSError) as exc:
        raise fail(InvalidInput(str(exc))) from exc
    settings = settings_for(db)
    with opened(settings, create=True) as use_cases, progress_bar("importing") as progress:
        ids = use_cases.commitments.create_many(items, note, ACTOR, progress, chunk=chunk)
    elapsed = time.perf_counter() - started
    rate = len(ids) / elapsed if elapsed > 0 else 0.0
    typer.echo(f"loaded {len(ids)} commitments in {elapsed:.1f} s ({rate:,.0f}/s)")


def read_items(file: str) -> list[CommitmentCreate]:
    """The commitments in a JSON Lines file or a JSON array; InvalidInput names the line."""
    name = "<stdin>" if file == "-" else file
    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            return _ARRAY.validate_json(text)
        except ValidationError as exc:
            raise InvalidInput(f"{name}: {_problems(exc, 'item ')}") from exc
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(CommitmentCreate.model_validate_json(line))
        except ValidationError as exc:
            raise InvalidInput(f"{name}:{number}: {_problems(exc)}") from exc
    return items


def _problems(exc: ValidationError, first: str = "") -> str:
    """Each error where it is: 'due: '2021-02-30' is not a real date'; the first few."""
    shown = []
    for error in exc.errors()[:3]:
        message = error["msg"].removeprefix("Value error, ")
        where = ".".join(str(part) for part in error["loc"])
        shown.append(f"{first}{where}: {message}" if where else message)
    return "; ".join(shown)

"""`extract`: dated mentions and proposed commitments from a news article."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from service.app.reading import preview
from service.cli.common import DbOption, app, opened, settings_for
from service.cli.texttable import render_table
from service.domain import ArticleIn, Extraction


class ExtractFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


@app.command("extract")
def extract_command(
    file: Annotated[Path, typer.Argument(help="The article as plain text ('-' reads stdin)")],
    published: Annotated[
        str, typer.Option(help="Publication date, YYYY-MM-DD: relative dates resolve from it")
    ],
    url: Annotated[str | None, typer.Option(help="Where the article was published")] = None,
    title: Annotated[str | None, typer.Option(help="The article's title")] = None,
    output_format: Annotated[
        ExtractFormat, typer.Option("--format", help="json for programs, table for people")
    ] = ExtractFormat.TABLE,
    match: Annotated[
        bool, typer.Option(help="Say which proposals repeat commitments in the database")
    ] = True,
    db: DbOption = None,
) -> None:
    """Find the dated mentions in an article and the commitments worth tracking from them."""
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        article = ArticleIn(
            text=text, published=date.fromisoformat(published), url=url, title=title
        )
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        typer.secho(f"error: {_one_line(exc)}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    if match:
        with opened(settings_for(db)) as use_cases:
            found = use_cases.reading.preview(article)
    else:
        found = preview(article)
    if output_format is ExtractFormat.JSON:
        typer.echo(json.dumps(found.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    _print_extraction(found)


def _one_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
    return str(exc)


def _print_extraction(found: Extraction) -> None:
    mentions = [
        (m.text, m.value, m.precision.value, f"{m.earliest}..{m.latest}", m.tense.value)
        for m in found.mentions
    ]
    typer.echo(f"{len(found.mentions)} dated mentions:")
    typer.echo(render_table(("text", "value", "precision", "window", "tense"), mentions))
    proposals = [
        (
            p.kind.value,
            p.title,
            p.due.value if p.due else "no date",
            p.status.value,
            ", ".join(p.parties),
            f"{p.confidence:.2f}",
            p.matches or "",
        )
        for p in found.proposals
    ]
    typer.echo(f"\n{len(found.proposals)} proposed commitments:")
    header = ("kind", "title", "due", "status", "parties", "confidence", "matches")
    typer.echo(render_table(header, proposals))

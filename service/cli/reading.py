"""`extract`: dated mentions and proposed commitments from a news article."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from service.app.reading import limits_of, preview
from service.cli.common import (
    DbOption,
    app,
    opened,
    parse_day,
    progress_bar,
    settings_for,
)
from service.cli.texttable import render_table
from service.domain import ArticleIn, Extraction
from service.settings import Settings


class ExtractFormat(StrEnum):
    JSON = "json"
    JSONL = "jsonl"
    TABLE = "table"


@app.command("extract")
def extract_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="Articles as plain text: files, folders (their *.txt files), or '-' for stdin",
        ),
    ],
    published: Annotated[
        str,
        typer.Option(metavar="YYYY-MM-DD", help="Publication date: relative dates resolve from it"),
    ],
    url: Annotated[
        str | None, typer.Option(metavar="URL", help="Where the article was published")
    ] = None,
    title: Annotated[str | None, typer.Option(metavar="TEXT", help="The article's title")] = None,
    output_format: Annotated[
        ExtractFormat,
        typer.Option(
            "--format",
            metavar="json|jsonl|table",
            help="json for programs, jsonl for one line per article, table for people",
        ),
    ] = ExtractFormat.TABLE,
    match: Annotated[
        bool, typer.Option(help="Say which proposals repeat commitments in the database")
    ] = True,
    db: DbOption = None,
) -> None:
    """Find the dated mentions in articles and the commitments worth tracking from them."""
    day = parse_day(published, "--published")
    assert day is not None
    try:
        paths = _articles(files)
    except (OSError, ValueError) as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    settings = settings_for(db)
    several = len(paths) > 1
    gathered: list[dict[str, object]] = []  # json of several articles: one array at the end
    with ExitStack() as stack:
        read = _reader(stack, settings, match)
        bar = stack.enter_context(progress_bar("reading")) if several else None
        for number, path in enumerate(paths, 1):
            found = read(_article(path, day, url, title))
            if output_format is ExtractFormat.JSON and several:
                gathered.append({"file": str(path), **found.model_dump(mode="json")})
            else:
                _show(found, path, output_format, several=several)
            if bar is not None:
                bar(number, len(paths))
    if gathered:
        typer.echo(json.dumps(gathered, indent=2, ensure_ascii=False))


def _articles(given: list[Path]) -> list[Path]:
    """The files to read: each given file, and the *.txt files of each given folder."""
    if Path("-") in given and len(given) > 1:
        raise ValueError("'-' (standard input) cannot be read together with files")
    found: list[Path] = []
    for path in given:
        if path.is_dir():
            inside = sorted(path.glob("*.txt"))
            if not inside:
                raise ValueError(f"{path} holds no .txt files")
            found.extend(inside)
        else:
            found.append(path)
    return found


def _article(path: Path, day: date, url: str | None, title: str | None) -> ArticleIn:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        return ArticleIn(text=text, published=day, url=url, title=title)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        typer.secho(f"error: {path}: {_one_line(exc)}", err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc


def _reader(stack: ExitStack, settings: Settings, match: bool) -> Callable[[ArticleIn], Extraction]:
    """Reading with the database's commitments to match against, or with none."""
    if match:
        return stack.enter_context(opened(settings)).reading.preview
    limits = limits_of(settings)
    return lambda article: preview(article, limits=limits)


def _show(found: Extraction, path: Path, shown_as: ExtractFormat, *, several: bool) -> None:
    document = found.model_dump(mode="json")
    if shown_as is ExtractFormat.JSONL:
        typer.echo(json.dumps({"file": str(path), **document}, ensure_ascii=False))
    elif shown_as is ExtractFormat.JSON:
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        if several:
            typer.echo(f"== {path}")
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
    if found.truncated:
        typer.echo(
            "\nThe article held more than the limits allow (TREATYCAL_EXTRACT_MAX_MENTIONS, "
            "TREATYCAL_EXTRACT_MAX_PROPOSALS): these are the first, in text order."
        )

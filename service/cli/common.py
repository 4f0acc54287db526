"""What every command shares: the typer app, options, settings, the use cases, clean failure."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer

from service.app import App, database_label
from service.clock import utc_now
from service.errors import DatabaseMissing, ServiceError
from service.settings import Settings

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

app = typer.Typer(
    no_args_is_help=True,
    help="Dated arms-control and diplomatic commitments as calendar feeds, alerts and an API.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL|FILE",
        help="The database: a URL, or a SQLite file path. Without it, TREATYCAL_DATABASE_URL "
        "(environment or .env), else treatycal.db in the current folder",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


def parse_day(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD date from the command line, or a usage error that says so."""
    if text is None:
        return None
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        with suppress(ValueError):
            return date.fromisoformat(text)
    raise typer.BadParameter(f"{text!r} is not a date: use YYYY-MM-DD", param_hint=option)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal; when it is piped, nothing at all."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = _Bar(label)
    try:
        yield bar
    finally:
        bar.close()


class _Bar:
    """A click progress bar made on the first report, when the amount of work is known."""

    def __init__(self, label: str) -> None:
        self._label = label
        self._bar: ProgressBar[int] | None = None
        self._done = 0

    def __call__(self, done: int, total: int) -> None:
        bar = self._bar
        if bar is None:
            bar = self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - self._done)
        self._done = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def settings_for(db: str | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, with what the command line gave on top."""
    values = {name: value for name, value in overrides.items() if value is not None}
    if db is not None:
        values["database_url"] = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    return Settings(**values)


@contextmanager
def opened(settings: Settings, *, create: bool = False) -> Iterator[App]:
    """The use cases over the database the settings name; an error in them exits cleanly.

    Only commands that make a database (`migrate`, `load`, `import`, `serve`, `worker`) pass
    `create`: any other command run in the wrong folder or with a mistyped --db says so and
    exits, instead of working on a new, empty database.
    """
    try:
        app = App.open(settings, utc_now, create=create)
    except ServiceError as exc:
        raise fail(exc, settings) from exc
    try:
        yield app
    except ServiceError as exc:
        raise fail(exc, settings) from exc
    finally:
        app.close()


def fail(exc: ServiceError, settings: Settings | None = None) -> typer.Exit:
    """Print the error the way a person reads it, with the database it concerns, and exit 1."""
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    if settings is not None and not isinstance(exc, DatabaseMissing):
        typer.echo(f"  database: {database_label(settings)}", err=True)
    return typer.Exit(1)


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

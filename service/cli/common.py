"""What every command shares: the typer app, options, settings, the use cases, clean failure."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from service.app import App
from service.clock import utc_now
from service.errors import ServiceError
from service.settings import Settings

app = typer.Typer(
    no_args_is_help=True,
    help="Dated arms-control and diplomatic commitments as calendar feeds, alerts and an API.",
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="A database URL, or a SQLite file path [env: TREATYCAL_DATABASE_URL]"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


def settings_for(db: str | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, with what the command line gave on top."""
    values = {name: value for name, value in overrides.items() if value is not None}
    if db is not None:
        values["database_url"] = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    return Settings(**values)


@contextmanager
def opened(settings: Settings) -> Iterator[App]:
    """The use cases over the database the settings name; an error in them exits cleanly."""
    try:
        app = App.open(settings, utc_now)
    except ServiceError as exc:
        raise fail(exc) from exc
    try:
        yield app
    except ServiceError as exc:
        raise fail(exc) from exc
    finally:
        app.close()


def fail(exc: ServiceError) -> typer.Exit:
    """Print the error the way a person reads it, and exit 1."""
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

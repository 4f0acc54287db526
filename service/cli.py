"""The `treatycal` command: serve, migrate, load, upcoming, export, keys."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from service import bootstrap, publish
from service.api import create_app
from service.clock import utc_now
from service.domain import CalendarDuration, CommitmentFilter, Kind, Scope, undated, upcoming
from service.errors import ServiceError
from service.settings import Settings
from service.store import Store
from service.texttable import render_table

app = typer.Typer(
    no_args_is_help=True,
    help="Dated arms-control and diplomatic commitments as calendar feeds and an API.",
    pretty_exceptions_enable=False,
)
keys_app = typer.Typer(no_args_is_help=True, help="API keys for writes.")
app.add_typer(keys_app, name="keys")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="A database URL, or a SQLite file path [env: TREATYCAL_DATABASE_URL]"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]


def _settings(db: str | None = None, **overrides: Any) -> Settings:
    values = {name: value for name, value in overrides.items() if value is not None}
    if db is not None:
        values["database_url"] = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    return Settings(**values)


@contextmanager
def _opened(settings: Settings) -> Iterator[Store]:
    """The store with alert planning attached, so writes from the CLI plan alerts too."""
    runtime = bootstrap.open_runtime(settings, utc_now)
    try:
        yield runtime.store
    finally:
        runtime.close()


def _fail(exc: ServiceError) -> typer.Exit:
    typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
    return typer.Exit(1)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="[env: TREATYCAL_HOST] [default: 127.0.0.1]")
    ] = None,
    port: Annotated[int | None, typer.Option(help="[env: TREATYCAL_PORT] [default: 8000]")] = None,
    db: DbOption = None,
    feeds: Annotated[
        Path | None, typer.Option(help="Folder of feed files [env: TREATYCAL_FEEDS_DIR]")
    ] = None,
    load: Annotated[bool, typer.Option(help="Load the feed files before serving")] = True,
    engine: Annotated[
        bool, typer.Option(help="Run the alert engine in this process (--no-engine: API only)")
    ] = True,
) -> None:
    """Migrate the database, load the feed files and serve the API and the feeds."""
    settings = _settings(db, host=host, port=port, feeds_dir=feeds)
    if not load:
        settings = settings.model_copy(update={"load_feeds_on_start": False})
    _configure_logging()
    try:
        web = create_app(settings, engine=engine)
    except ServiceError as exc:
        raise _fail(exc) from exc
    _print_addresses(settings, web.state.services.store)
    uvicorn.run(web, host=settings.host, port=settings.port, log_level="info", access_log=False)


@app.command()
def worker(db: DbOption = None) -> None:
    """Run only the alert engine: fire due alerts and deliver webhooks until stopped."""
    settings = _settings(db)
    _configure_logging()
    try:
        runtime = bootstrap.open_runtime(settings, utc_now)
    except ServiceError as exc:
        raise _fail(exc) from exc
    engine = runtime.engine()
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    engine.start()
    typer.echo(f"treatycal worker running on {settings.database_url}; Ctrl-C stops it")
    stopped.wait()
    engine.stop()
    runtime.close()


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def _print_addresses(settings: Settings, store: Store) -> None:
    base = settings.base_url
    typer.echo(f"treatycal serving {settings.database_url} on {base}")
    typer.echo(f"  API docs  {base}/docs")
    typer.echo(f"  API       {base}/api/v1/upcoming   {base}/api/v1/commitments")
    typer.echo(f"  Feeds     {base}/api/v1/feeds")
    for summary in store.feeds.summaries():
        url = publish.feed_url(settings, summary.feed.slug)
        typer.echo(f"            {url}  ({summary.count} commitments)")
    typer.echo(f"            {publish.feed_url(settings, publish.ALL_FEED)}")


@app.command()
def migrate(db: DbOption = None) -> None:
    """Bring the database schema up to date (serve does this too)."""
    settings = _settings(db)
    try:
        with _opened(settings):
            pass
    except ServiceError as exc:
        raise _fail(exc) from exc
    typer.echo(f"database {settings.database_url} is at the current schema")


@app.command()
def load(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Feed files; default: every file in feeds_dir")
    ] = None,
    db: DbOption = None,
) -> None:
    """Load feed files: all of them, or nothing if any is malformed. Loading twice is a no-op."""
    settings = _settings(db)
    try:
        files = paths or bootstrap.feed_files(settings.feeds_dir)
        with _opened(settings) as store:
            report = bootstrap.load_feeds(store, files, utc_now, complete=not paths)
    except ServiceError as exc:
        raise _fail(exc) from exc
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
        with _opened(_settings(db)) as store:
            known = store.commitments.known_on(day, where)
    except ServiceError as exc:
        raise _fail(exc) from exc
    found = upcoming(known, day, until)
    if as_json:
        items = [{**c.model_dump(mode="json"), "days_left": left} for c, left in found]
        later = [c.model_dump(mode="json") for c in undated(known)]
        document = {"as_of": str(day), "until": str(until), "items": items, "undated": later}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    rows = [
        (
            str(left),
            c.due.describe() if c.due else "",
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


@app.command()
def export(
    slug: Annotated[str, typer.Argument(help="A feed slug, or 'all'")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default: stdout")
    ] = None,
    db: DbOption = None,
) -> None:
    """Write a feed as an .ics file, exactly as it is served."""
    settings = _settings(db)
    try:
        with _opened(settings) as store:
            if slug == publish.ALL_FEED:
                body = publish.render_filtered(store, settings, CommitmentFilter())
            else:
                body = publish.render_named(store, settings, slug)
    except ServiceError as exc:
        raise _fail(exc) from exc
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    typer.echo(f"wrote {len(body)} bytes to {output}", err=True)


@keys_app.command("create")
def keys_create(
    scope: Annotated[Scope, typer.Option(help="read, write or admin")] = Scope.WRITE,
    name: Annotated[str, typer.Option(help="Who or what uses the key")] = "api key",
    db: DbOption = None,
) -> None:
    """Make an API key. Its secret is printed once and only its hash is kept."""
    try:
        with _opened(_settings(db)) as store:
            key, token = store.keys.create(name, scope)
    except ServiceError as exc:
        raise _fail(exc) from exc
    typer.echo(token)
    typer.echo(
        f"key {key.id} ({key.scope.value}, {key.name!r}): store the line above now; "
        "it cannot be shown again",
        err=True,
    )


@keys_app.command("list")
def keys_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """The keys, without their secrets."""
    try:
        with _opened(_settings(db)) as store:
            keys = store.keys.all()
    except ServiceError as exc:
        raise _fail(exc) from exc
    if as_json:
        typer.echo(json.dumps([k.model_dump(mode="json") for k in keys], indent=2))
        return
    rows = [
        (
            k.id,
            k.scope.value,
            k.name,
            f"{k.created_at:%Y-%m-%d %H:%M}",
            "revoked" if k.revoked_at else "",
        )
        for k in keys
    ]
    typer.echo(render_table(("id", "scope", "name", "created", ""), rows))


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id")], db: DbOption = None
) -> None:
    """Revoke a key: requests with it are refused from now on."""
    try:
        with _opened(_settings(db)) as store:
            key = store.keys.revoke(key_id)
    except ServiceError as exc:
        raise _fail(exc) from exc
    typer.echo(f"key {key.id} ({key.name!r}) revoked at {key.revoked_at:%Y-%m-%d %H:%M} UTC")


def main() -> None:
    app()

"""`serve` (the API, the feeds and the alert engine) and `worker` (the engine alone)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from service.api import create_app
from service.api.worker import create_worker_app
from service.app import App, database_label
from service.cli.common import DbOption, app, configure_logging, fail, settings_for
from service.clock import utc_now
from service.errors import InvalidInput, ServiceError
from service.settings import Settings

MigrateOption = Annotated[
    bool | None,
    typer.Option(
        "--migrate/--no-migrate",
        help="Bring the schema up to date first; --no-migrate refuses a database that is not "
        "current (where a migration job runs `treatycal migrate`) [env: "
        "TREATYCAL_MIGRATE_ON_START] [default: migrate]",
        show_default=False,
    ),
]

_REPLICA_NEEDS_URL = (
    "set TREATYCAL_PUBLIC_URL (the address readers reach the service at) to serve as one of "
    "several replicas (--no-engine on PostgreSQL): each replica would otherwise name its own "
    "address in the Atom feeds, and readers would see every entry once per replica"
)


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="The address to listen on [env: TREATYCAL_HOST] [default: 127.0.0.1]",
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT", help="The port to listen on [env: TREATYCAL_PORT] [default: 8000]"
        ),
    ] = None,
    db: DbOption = None,
    feeds: Annotated[
        Path | None,
        typer.Option(metavar="FOLDER", help="Folder of feed files [env: TREATYCAL_FEEDS_DIR]"),
    ] = None,
    load: Annotated[bool, typer.Option(help="Load the feed files before serving")] = True,
    engine: Annotated[
        bool, typer.Option(help="Run the alert engine in this process (--no-engine: API only)")
    ] = True,
    migrate: MigrateOption = None,
) -> None:
    """Migrate the database, load the feed files and serve the API and the feeds."""
    settings = settings_for(db, host=host, port=port, feeds_dir=feeds, migrate_on_start=migrate)
    if not load:
        settings = settings.model_copy(update={"load_feeds_on_start": False})
    if not engine and settings.public_url is None and "postgresql" in settings.database_url:
        raise fail(InvalidInput(_REPLICA_NEEDS_URL), settings)
    configure_logging()
    try:
        web = create_app(settings, engine=engine)
    except ServiceError as exc:
        raise fail(exc, settings) from exc
    _print_addresses(settings, web.state.services.app)
    uvicorn.run(web, host=settings.host, port=settings.port, log_level="info", access_log=False)


@app.command()
def worker(
    db: DbOption = None,
    port: Annotated[
        int | None,
        typer.Option(
            metavar="PORT",
            help="Serve /healthz, /readyz and /metrics on this port [env: TREATYCAL_WORKER_PORT]"
            " [default: none]",
        ),
    ] = None,
    migrate: MigrateOption = None,
) -> None:
    """Run only the alert engine: fire due alerts and deliver webhooks until stopped."""
    settings = settings_for(db, worker_port=port, migrate_on_start=migrate)
    configure_logging()
    if settings.worker_port is not None:
        _serve_worker(settings, settings.worker_port)
        return
    try:
        use_cases = App.open(settings, utc_now, create=settings.migrate_on_start)
    except ServiceError as exc:
        raise fail(exc, settings) from exc
    engine = use_cases.engine()
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    engine.start()
    typer.echo(f"treatycal worker running on {database_label(settings)}; Ctrl-C stops it")
    stopped.wait()
    engine.stop()
    use_cases.close()


def _serve_worker(settings: Settings, port: int) -> None:
    """The engine, with its probes and metrics on HTTP; uvicorn stops it on SIGTERM/SIGINT."""
    try:
        web = create_worker_app(settings)
    except ServiceError as exc:
        raise fail(exc, settings) from exc
    where = f"http://{settings.host}:{port}"
    typer.echo(
        f"treatycal worker running on {database_label(settings)}; "
        f"probes and metrics on {where}/healthz {where}/metrics; Ctrl-C stops it"
    )
    uvicorn.run(web, host=settings.host, port=port, log_level="warning", access_log=False)


def _print_addresses(settings: Settings, use_cases: App) -> None:
    base = settings.base_url
    typer.echo(f"treatycal serving {database_label(settings)} on {base}")
    typer.echo(f"  Pages     {base}/   (what is coming up; subscribe at {base}/feeds)")
    typer.echo(f"  API docs  {base}/docs")
    typer.echo(f"  API       {base}/api/v1/upcoming   {base}/api/v1/commitments")
    typer.echo(f"  Feeds     {base}/api/v1/feeds")
    for published in use_cases.feeds.listing(with_private=False):
        counted = "" if published.count is None else f"  ({published.count} commitments)"
        typer.echo(f"            {published.url}{counted}")

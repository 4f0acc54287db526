"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import web
from service.api import (
    calendars,
    changes,
    commitments,
    docs,
    feeds,
    health,
    problems,
    sources,
    subscriptions,
    upcoming,
)
from service.api.deps import Services
from service.api.limits import BodySizeLimit
from service.api.metrics import Metrics, MetricsMiddleware
from service.api.security import SecurityHeaders
from service.app import App, feed_files
from service.clock import Clock, utc_now
from service.settings import Settings

DESCRIPTION = """
Dated arms-control and diplomatic commitments (treaty expiries, summits, deadlines) as
subscribable iCalendar feeds, signed webhook alerts and a JSON API.

Reads of commitments, the upcoming list and feeds need no key. Writes, and everything about
webhook subscriptions, need `Authorization: Bearer <key>` (`treatycal keys create`).
Errors are RFC 9457 problem documents (`application/problem+json`).
"""


def create_app(settings: Settings, *, clock: Clock = utc_now, engine: bool = False) -> FastAPI:
    """The app over the database the settings name, opened and migrated.

    With `load_feeds_on_start`, the feed files are loaded before the app is returned, so a
    broken file stops start-up with its name, line and reason. With `engine`, the alert engine
    runs in this process while the app is up.
    """
    use_cases = App.open(settings, clock, create=settings.migrate_on_start)
    if settings.load_feeds_on_start:
        use_cases.feeds.load(feed_files(settings.feeds_dir), complete=True)
    alert_engine = use_cases.engine() if engine else None
    services = Services(app=use_cases, metrics=Metrics(use_cases))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if alert_engine is not None:
            alert_engine.start()
        warming = threading.Thread(target=_warm, args=(services,), daemon=True)
        warming.start()
        try:
            yield
        finally:
            if alert_engine is not None:
                alert_engine.stop()
            warming.join()
            use_cases.close()

    app = FastAPI(
        title="treatycal",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    problems.install(app)
    web.install(app)
    for module in (
        commitments,
        upcoming,
        changes,
        feeds,
        calendars,
        subscriptions,
        sources,
        health,
        docs,
    ):
        app.include_router(module.router)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        paths={commitments.BULK_PATH: settings.max_bulk_body_bytes},
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics)
    return app


def _warm(services: Services) -> None:
    """Render every public feed once at start, so no calendar waits for the first render."""
    try:
        services.app.feeds.warm()
    finally:
        services.warmed.set()

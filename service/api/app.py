"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import bootstrap
from service.api import commitments, feeds, health, problems, upcoming
from service.api.deps import Services
from service.api.feedcache import FeedCache
from service.api.limits import BodySizeLimit
from service.api.metrics import Metrics, MetricsMiddleware
from service.clock import Clock, utc_now
from service.settings import Settings
from service.store import Store

DESCRIPTION = """
Dated arms-control and diplomatic commitments (treaty expiries, summits, deadlines) as
subscribable iCalendar feeds and a JSON API.

Reads need no key. Writes need `Authorization: Bearer <key>` (`treatycal keys create`).
Errors are RFC 9457 problem documents (`application/problem+json`).
"""


def create_app(
    settings: Settings, *, store: Store | None = None, clock: Clock = utc_now
) -> FastAPI:
    """The app over `store`, or over a store opened (and migrated) from the settings.

    With `load_feeds_on_start`, the feed files are loaded before the app is returned, so a
    broken file stops start-up with its name, line and reason.
    """
    owned = store is None
    active = store or bootstrap.open_store(settings, clock)
    if owned and settings.load_feeds_on_start:
        files = bootstrap.feed_files(settings.feeds_dir)
        bootstrap.load_feeds(active, files, clock, complete=True)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            active.close()

    app = FastAPI(
        title="treatycal",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    metrics = Metrics()
    app.state.services = Services(
        settings=settings, store=active, clock=clock, feed_cache=FeedCache(), metrics=metrics
    )
    problems.install(app)
    for module in (commitments, upcoming, feeds, health):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app

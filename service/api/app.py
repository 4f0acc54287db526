"""The FastAPI application factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from service import bootstrap
from service.api import (
    commitments,
    feeds,
    health,
    problems,
    sources,
    subscriptions,
    upcoming,
)
from service.api.deps import Services
from service.api.feedcache import FeedCache
from service.api.limits import BodySizeLimit
from service.api.metrics import Metrics, MetricsMiddleware
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
    """The app over a store opened (and migrated) from the settings.

    With `load_feeds_on_start`, the feed files are loaded before the app is returned, so a
    broken file stops start-up with its name, line and reason. With `engine`, the alert engine
    runs in this process while the app is up.
    """
    runtime = bootstrap.open_runtime(settings, clock)
    if settings.load_feeds_on_start:
        files = bootstrap.feed_files(settings.feeds_dir)
        bootstrap.load_feeds(runtime.store, files, clock, complete=True)
    alert_engine = runtime.engine() if engine else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if alert_engine is not None:
            alert_engine.start()
        warming = threading.Thread(target=feeds.warm, args=(app.state.services,), daemon=True)
        warming.start()
        try:
            yield
        finally:
            if alert_engine is not None:
                alert_engine.stop()
            warming.join()
            runtime.close()

    app = FastAPI(title="treatycal", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    metrics = Metrics()
    feed_cache = FeedCache(version_ttl=settings.feed_version_ttl.total_seconds())
    runtime.store.on_version_moved.append(feed_cache.expire_version)
    app.state.services = Services(
        settings=settings,
        store=runtime.store,
        planner=runtime.planner,
        engine=alert_engine,
        clock=clock,
        feed_cache=feed_cache,
        metrics=metrics,
    )
    problems.install(app)
    for module in (commitments, upcoming, feeds, subscriptions, sources, health):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app

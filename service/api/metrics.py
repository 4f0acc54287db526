"""Prometheus metrics for one app: requests by route and status, feed renders, the queue of
alerts and deliveries (read from the database at scrape time) and, when the engine runs in this
process, its claims, outcomes and lateness."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.app import App
from service.errors import StoreError
from service.feeds import FeedCache

log = logging.getLogger(__name__)


class Metrics:
    """The app's own registry, so two apps in one process (tests) never share counters."""

    def __init__(self, use_cases: App) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "treatycal_http_requests",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "treatycal_http_request_seconds",
            "Time to answer an HTTP request",
            ["route"],
            registry=self.registry,
        )
        self.registry.register(_FeedRenders(use_cases.context.feed_cache))
        self.registry.register(_Backlog(use_cases))
        self.registry.register(_Engine(use_cases))


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods counted by name; any other is counted as 'other', so no request adds a series."""


class _FeedRenders(Collector):
    """Feeds rendered so far (misses) and answered from memory (hits), read from the cache
    when /metrics is scraped."""

    def __init__(self, cache: FeedCache) -> None:
        self._cache = cache

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(
            "treatycal_feed_renders", "Feeds rendered (cache misses)", value=self._cache.renders
        )
        yield CounterMetricFamily(
            "treatycal_feed_cache_hits",
            "Feed answers (200 or 304) from a feed already held (no build)",
            value=self._cache.hits,
        )
        yield CounterMetricFamily(
            "treatycal_feed_events_rendered",
            "Events rendered because no stored bytes fitted (the rest are joined)",
            value=self._cache.events_rendered,
        )


class _Backlog(Collector):
    """The queue as the database holds it, read at each scrape (indexed counts)."""

    def __init__(self, use_cases: App) -> None:
        self._app = use_cases

    def collect(self) -> Iterator[Metric]:
        try:
            backlog = self._app.operations.backlog()
        except StoreError:
            log.warning("metrics: the database did not answer", extra={"action": "metrics"})
            return
        yield GaugeMetricFamily(
            "treatycal_alerts_pending", "Alerts planned and not yet fired", backlog.alerts_pending
        )
        yield GaugeMetricFamily(
            "treatycal_alerts_overdue",
            "Pending alerts whose fire time has passed",
            backlog.alerts_overdue,
        )
        yield GaugeMetricFamily(
            "treatycal_deliveries_pending",
            "Webhook messages not yet delivered or given up",
            backlog.deliveries_pending,
        )
        yield GaugeMetricFamily(
            "treatycal_delivery_oldest_pending_age_seconds",
            "How long the longest-waiting pending delivery has been due",
            backlog.oldest_pending_age,
        )


class _Engine(Collector):
    """The counts of the engine in this process (claims, outcomes, lateness), if it runs one."""

    def __init__(self, use_cases: App) -> None:
        self._app = use_cases

    def collect(self) -> Iterator[Metric]:
        engine = self._app.operations.engine_metrics()
        if engine is not None:
            yield from engine.collect()


class MetricsMiddleware:
    """Counts every response under its route template (never the raw path: ids stay out)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"] if scope["method"] in _METHODS else "other"
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)

"""What a worker process (`treatycal worker --port`) serves: probes and metrics, nothing else.

The engine runs while the app is up. /healthz fails once the engine has stopped (its thread
died), so an orchestrator restarts the process; /readyz and /metrics are the API's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Response

from service.api import health, problems
from service.api.deps import Services
from service.api.metrics import Metrics
from service.app import App
from service.clock import Clock, utc_now
from service.settings import Settings


def create_worker_app(settings: Settings, *, clock: Clock = utc_now) -> FastAPI:
    """The alert engine over the database the settings name, with its probes."""
    use_cases = App.open(settings, clock, create=settings.migrate_on_start)
    alert_engine = use_cases.engine()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        alert_engine.start()
        try:
            yield
        finally:
            alert_engine.stop()
            use_cases.close()

    app = FastAPI(
        title="treatycal worker",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = Services(app=use_cases, metrics=Metrics(use_cases))
    problems.install(app)

    @app.get("/healthz", summary="The alert engine is at work")
    async def healthz() -> Response:
        if not use_cases.operations.engine_running():
            return problems.problem(503, "the alert engine has stopped")
        return Response('{"status":"ok"}', media_type="application/json")

    app.include_router(health.probes)
    return app

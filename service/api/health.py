"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.deps import AppDep, ServicesDep
from service.api.problems import problem
from service.errors import StoreError

probes = APIRouter(tags=["operations"])
"""Readiness and metrics, served by the API and by a worker alike."""
router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@probes.get("/readyz", summary="The database answers and its schema is current")
def readyz(app: AppDep) -> Response:
    try:
        ready = app.ready()
    except StoreError as exc:
        return problem(503, f"the database does not answer: {exc}")
    if not ready:
        return problem(503, "the database schema is not current: run `treatycal migrate`")
    return Response('{"status":"ready"}', media_type="application/json")


@probes.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)


router.include_router(probes)

"""What an operator watches: the queue the engine works through, read from the database."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from service.app.context import Context


@dataclass(frozen=True, slots=True)
class Backlog:
    """Work waiting in the database, whichever process will do it."""

    alerts_pending: int
    alerts_overdue: int
    """Pending alerts whose fire time has passed: a worker should be firing them now."""
    deliveries_pending: int
    oldest_pending_age: float
    """Seconds the longest-waiting pending delivery has been due; 0 when none is due yet."""


class Operations:
    def __init__(self, context: Context) -> None:
        self._ctx = context

    def backlog(self) -> Backlog:
        now = self._ctx.clock()
        with self._ctx.read() as tx:
            alerts_pending, alerts_overdue = tx.alerts.backlog(now)
            deliveries_pending, oldest = tx.deliveries.backlog()
        waited = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
        return Backlog(alerts_pending, alerts_overdue, deliveries_pending, waited)

    def engine_metrics(self) -> CollectorRegistry | None:
        """The counts of the engine running in this process, if one does."""
        engine = self._ctx.engine
        return None if engine is None else engine.telemetry.registry

    def engine_running(self) -> bool | None:
        """Whether this process's engine is still at work; None when it runs none."""
        engine = self._ctx.engine
        return None if engine is None else engine.running

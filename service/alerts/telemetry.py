"""What one engine has done, as Prometheus counts: claims, outcomes and how late alerts went out.

Each engine has a registry of its own, so two engines in one process (tests) never share
counters; the process serving /metrics (`serve`, or `worker --port`) exposes it beside its
own. The queue itself (what is pending, how long the oldest has waited) is the database's to
tell, and is read from there when /metrics is scraped.
"""

from __future__ import annotations

import os
import socket

from prometheus_client import CollectorRegistry, Counter, Histogram

from service.store import Outcome

LATENESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)
"""Seconds after its fire time that an alert reached its receiver: sub-second is the aim."""


def worker_name() -> str:
    """This process among the workers: host and process id, as the logs name it too."""
    return f"{socket.gethostname()}:{os.getpid()}"


class EngineTelemetry:
    def __init__(self, worker: str | None = None) -> None:
        self.worker = worker or worker_name()
        self.registry = CollectorRegistry()
        self._claims = Counter(
            "treatycal_worker_claims",
            "Claims of due deliveries that found work, by worker",
            ["worker"],
            registry=self.registry,
        )
        self._claimed = Counter(
            "treatycal_worker_claimed_deliveries",
            "Deliveries leased by claims, by worker",
            ["worker"],
            registry=self.registry,
        )
        self._outcomes = Counter(
            "treatycal_deliveries",
            "Delivery attempts by outcome: delivered, retrying (failed, tried again later) or "
            "failed (given up)",
            ["outcome"],
            registry=self.registry,
        )
        self._lateness = Histogram(
            "treatycal_alert_lateness_seconds",
            "How long after its fire time an alert was delivered (2xx)",
            buckets=LATENESS_BUCKETS,
            registry=self.registry,
        )
        for outcome in ("delivered", "retrying", "failed"):
            self._outcomes.labels(outcome)
        self._claims.labels(self.worker)
        self._claimed.labels(self.worker)

    def claimed(self, count: int) -> None:
        if count:
            self._claims.labels(self.worker).inc()
            self._claimed.labels(self.worker).inc(count)

    def answered(self, outcome: Outcome, late_by: float | None) -> None:
        """One attempt's outcome; `late_by` is set for alerts (seconds past their fire time)."""
        if outcome.succeeded:
            self._outcomes.labels("delivered").inc()
            if late_by is not None:
                self._lateness.observe(max(0.0, late_by))
        elif outcome.retry_at is not None:
            self._outcomes.labels("retrying").inc()
        else:
            self._outcomes.labels("failed").inc()

"""Sending: signed webhook requests to the address the guard approved, and their outcomes."""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from types import TracebackType

from standardwebhooks import Webhook

from service.alerts.guard import Network, Resolver, Target, check_url_async, system_resolver
from service.alerts.http import Answer, Connections, HTTPFailure, HTTPTimeout
from service.alerts.payloads import as_sent
from service.alerts.telemetry import EngineTelemetry
from service.clock import Clock
from service.domain import RetryRule
from service.errors import WebhookTargetRefused
from service.store import Claimed, Outcome

USER_AGENT = "treatycal-webhooks/0.1 (+https://www.standardwebhooks.com/)"


@dataclass(frozen=True, slots=True)
class SendPolicy:
    allow: Sequence[Network]
    timeout: timedelta
    concurrency: int
    late_after: timedelta = timedelta(seconds=60)
    """An alert sent later than this after its fire time says so (`"late": true`)."""


class Sender:
    """Posts claimed deliveries; one client, so connections to a receiver are reused."""

    def __init__(
        self,
        policy: SendPolicy,
        clock: Clock,
        resolve: Resolver = system_resolver,
        rng: random.Random | None = None,
        telemetry: EngineTelemetry | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """`tls` is whom https receivers must prove they are: by default the system's CAs
        (OpenSSL's SSL_CERT_FILE and SSL_CERT_DIR can name others)."""
        self.policy = policy
        self.tls = tls
        self.clock = clock
        self.resolve = resolve
        self.telemetry = telemetry or EngineTelemetry()
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._connections: Connections | None = None

    async def __aenter__(self) -> Sender:
        self._connections = Connections(keep=self.policy.concurrency, tls=self.tls)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._connections is not None:
            await self._connections.aclose()

    async def send_all(self, batch: Sequence[Claimed]) -> list[Outcome]:
        """Send a batch; each URL is checked (and resolved) once for the whole batch."""
        targets = await self._targets(batch)
        return list(await asyncio.gather(*(self._send(c, targets[c.url]) for c in batch)))

    async def send_each(self, batch: Sequence[Claimed]) -> AsyncIterator[Outcome]:
        """Send a batch as `send_all` does; each outcome as soon as it is known."""
        targets = await self._targets(batch)
        sends = [asyncio.ensure_future(self._send(c, targets[c.url])) for c in batch]
        try:
            for finished in asyncio.as_completed(sends):
                yield await finished
        finally:  # the caller stopped listening: stop sending what it will not settle
            for send in sends:
                send.cancel()

    async def _targets(self, batch: Sequence[Claimed]) -> dict[str, Target | WebhookTargetRefused]:
        return {url: await self._check(url) for url in {claimed.url for claimed in batch}}

    async def send(self, claimed: Claimed) -> Outcome:
        """One attempt. Never raises: whatever happens becomes an Outcome that is logged."""
        (outcome,) = await self.send_all([claimed])
        return outcome

    async def _check(self, url: str) -> Target | WebhookTargetRefused:
        try:
            return await check_url_async(url, self.policy.allow, self.resolve)
        except WebhookTargetRefused as refused:
            return refused

    async def _send(self, claimed: Claimed, checked: Target | WebhookTargetRefused) -> Outcome:
        async with self._slots:
            attempt = _Try(claimed, self.clock(), time.perf_counter())
            body, late_by = as_sent(claimed.payload, attempt.attempted_at, self.policy.late_after)
            outcome = await self._attempt(attempt, checked, body)
        self.telemetry.answered(outcome, late_by)
        return outcome

    async def _attempt(
        self, attempt: _Try, checked: Target | WebhookTargetRefused, body: str
    ) -> Outcome:
        if isinstance(checked, WebhookTargetRefused):
            return self._failed(attempt, error=checked.reason)
        try:
            response = await self._post(attempt.claimed, checked, body, attempt.attempted_at)
        except HTTPTimeout:
            return self._failed(attempt, error="timed out", slow=True)
        except HTTPFailure as failure:
            return self._failed(attempt, error=str(failure))
        return self._answered(attempt, response)

    async def _post(self, claimed: Claimed, target: Target, body: str, sent_at: datetime) -> Answer:
        assert self._connections is not None, "use the Sender as an async context manager"
        headers = (
            ("content-type", "application/json"),
            ("user-agent", USER_AGENT),
            ("webhook-id", claimed.message_id),
            ("webhook-timestamp", str(int(sent_at.timestamp()))),
            ("webhook-signature", _signature(claimed, body, sent_at)),
        )
        seconds = self.policy.timeout.total_seconds()
        return await self._connections.post(target, headers, body.encode(), seconds)

    def _answered(self, attempt: _Try, response: Answer) -> Outcome:
        status = response.status
        if 200 <= status < 300:
            return attempt.outcome(succeeded=True, status_code=status)
        if status == 410:
            return attempt.outcome(
                status_code=status,
                error="410 Gone",
                disable_reason="the endpoint answered 410 Gone",
            )
        error = f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
        wait = _retry_after(response, attempt.attempted_at)
        return self._failed(attempt, error=error, status=status, slow=status == 429, wait=wait)

    def _failed(
        self,
        attempt: _Try,
        *,
        error: str,
        status: int | None = None,
        slow: bool = False,
        wait: timedelta | None = None,
    ) -> Outcome:
        failures = attempt.claimed.attempt_count + 1
        delay = RetryRule(failures=failures, slow_down=slow, retry_after=wait).delay(self.rng)
        if delay is None:
            return attempt.outcome(
                status_code=status, error=f"{error}; giving up after {failures} attempts"
            )
        return attempt.outcome(
            status_code=status, error=error, retry_at=attempt.attempted_at + delay
        )


@dataclass(frozen=True, slots=True)
class _Try:
    """One attempt in progress: what is sent, when it started."""

    claimed: Claimed
    attempted_at: datetime
    started: float

    def outcome(
        self,
        *,
        succeeded: bool = False,
        status_code: int | None = None,
        error: str | None = None,
        retry_at: datetime | None = None,
        disable_reason: str | None = None,
    ) -> Outcome:
        return Outcome(
            delivery_id=self.claimed.id,
            lease_token=self.claimed.lease_token,
            subscription_id=self.claimed.subscription_id,
            attempted_at=self.attempted_at,
            latency_ms=round((time.perf_counter() - self.started) * 1000, 3),
            succeeded=succeeded,
            status_code=status_code,
            error=error,
            retry_at=retry_at,
            disable_reason=disable_reason,
        )


def _signature(claimed: Claimed, body: str, sent_at: datetime) -> str:
    """One signature per secret in use, space-separated, as Standard Webhooks allows.

    During a rotation's grace period a receiver holding either the new or the old secret
    finds a signature it can verify.
    """
    return " ".join(
        Webhook(secret).sign(claimed.message_id, sent_at, body)
        for secret in claimed.signing_secrets(sent_at)
    )


def _retry_after(response: Answer, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(timedelta(0), when - now)

"""Signed delivery over real HTTP on loopback: signatures, retries, 410, leases, disabling."""

from __future__ import annotations

import asyncio
import ipaddress
import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from standardwebhooks import Webhook, WebhookVerificationError

from service.alerts.delivery import Sender, SendPolicy
from service.domain import (
    UNSUBSCRIBED,
    Delivery,
    DeliveryStatus,
    EventType,
    Subscription,
    SubscriptionCreate,
    SubscriptionStatus,
)
from service.store import Claimed, NewDelivery, Outcome, Store
from service.store.deliveries import INTERRUPTED
from service.store.subscriptions import new_secret
from tests.support.receiver import PAYLOAD, Received, Receiver, claimed, verify_signature

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
POLICY = SendPolicy(allow=LOOPBACK, timeout=timedelta(seconds=2), concurrency=8)


def _send(claimed: Claimed, policy: SendPolicy = POLICY) -> Outcome:
    async def run() -> Outcome:
        async with Sender(policy, lambda: datetime.now(UTC), rng=random.Random(7)) as sender:
            return await sender.send(claimed)

    return asyncio.run(run())


def test_a_delivery_is_signed_over_the_exact_bytes_sent():
    secret = new_secret()
    with Receiver().running() as receiver:
        outcome = _send(claimed(receiver.url, secret))
        (got,) = receiver.wait_for(1)
    assert outcome.succeeded and outcome.status_code == 204 and outcome.latency_ms > 0
    assert got.body == PAYLOAD.encode()
    assert got.headers["webhook-id"] == "msg_0001"
    assert abs(int(got.headers["webhook-timestamp"]) - time.time()) < 5
    assert got.headers["content-type"] == "application/json"
    assert verify_signature(secret, got)
    assert not verify_signature(new_secret(), got)


@pytest.mark.parametrize(
    ("answer", "expected_error", "minimum_wait"),
    [
        ((500, {}), "HTTP 500", timedelta(seconds=4)),
        (
            (302, {"location": "https://elsewhere.example/"}),
            "redirects are not followed",
            timedelta(seconds=4),
        ),
        ((429, {"retry-after": "120"}), "HTTP 429", timedelta(seconds=120)),
        ((503, {"retry-after": "3600"}), "HTTP 503", timedelta(hours=1)),
    ],
)
def test_failures_are_retried_on_schedule_honouring_retry_after(
    answer, expected_error, minimum_wait
):
    with Receiver(lambda _r: answer).running() as receiver:
        outcome = _send(claimed(receiver.url, new_secret()))
    assert not outcome.succeeded and outcome.error is not None and expected_error in outcome.error
    assert outcome.retry_at is not None
    wait = outcome.retry_at - outcome.attempted_at
    assert minimum_wait <= wait <= max(minimum_wait * 1.2, timedelta(seconds=6))


def test_410_gone_asks_for_the_subscription_to_be_disabled():
    with Receiver(lambda _r: (410, {})).running() as receiver:
        outcome = _send(claimed(receiver.url, new_secret()))
    assert outcome.disable_reason == "the endpoint answered 410 Gone"
    assert outcome.retry_at is None


def test_a_timeout_waits_at_least_a_minute():
    def slow(_received: Received) -> tuple[int, dict[str, str]]:
        time.sleep(1.5)
        return 204, {}

    quick = SendPolicy(allow=LOOPBACK, timeout=timedelta(seconds=0.5), concurrency=2)
    with Receiver(slow).running() as receiver:
        outcome = _send(claimed(receiver.url, new_secret()), quick)
    assert outcome.error == "timed out"
    assert outcome.retry_at is not None and outcome.retry_at - outcome.attempted_at >= timedelta(
        seconds=60
    )


def test_the_eighth_failure_gives_up():
    with Receiver(lambda _r: (500, {})).running() as receiver:
        outcome = _send(claimed(receiver.url, new_secret(), attempts=7))
    assert outcome.retry_at is None
    assert outcome.error == "HTTP 500; giving up after 8 attempts"


def test_the_guard_is_asked_again_at_send_time():
    with Receiver().running() as receiver:
        refused = _send(
            claimed(receiver.url, new_secret()), SendPolicy((), timedelta(seconds=2), 2)
        )
        assert receiver.received == []
    assert refused.error is not None and "loopback, private" in refused.error
    assert refused.retry_at is not None


# ---------------------------------------------------------------------------- with the store


def _queue(store: Store, url: str, event: EventType = EventType.PING) -> str:
    data = SubscriptionCreate(url=url)
    now = store.clock()
    with store.transaction() as tx:
        subscription, _secret = tx.subscriptions.create(data, "test")
        tx.deliveries.enqueue([NewDelivery(subscription.id, "ping:1", event, PAYLOAD)], now)
    return subscription.id


def _claim(store: Store, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
    with store.transaction() as tx:
        return tx.deliveries.claim(now, limit, lease)


def _settle(store: Store, outcomes: list[Outcome], give_up_after: timedelta) -> None:
    with store.transaction() as tx:
        tx.deliveries.settle(outcomes, give_up_after)


def _delivery(store: Store, delivery_id: int) -> Delivery:
    with store.read() as tx:
        return tx.deliveries.get(delivery_id)


def _subscription(store: Store, subscription_id: str) -> Subscription:
    with store.read() as tx:
        return tx.subscriptions.get(subscription_id)


def test_a_lapsed_lease_is_claimed_again_and_the_stale_answer_is_only_logged(store: Store):
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with freeze_time(start):
        subscription_id = _queue(store, "https://hooks.example.org/in")
        (first,) = _claim(store, start, 10, timedelta(seconds=30))
        assert _claim(store, start, 10, timedelta(seconds=30)) == []
    later = start + timedelta(seconds=31)
    (second,) = _claim(store, later, 10, timedelta(seconds=30))
    assert (second.id, second.message_id) == (first.id, first.message_id)
    assert second.lease_token != first.lease_token

    def outcome(claimed: Claimed, ok: bool) -> Outcome:
        return Outcome(
            claimed.id, claimed.lease_token, subscription_id, later, 5.0, ok, 200 if ok else 500
        )

    _settle(store, [outcome(first, False)], timedelta(days=5))
    _settle(store, [outcome(second, True)], timedelta(days=5))
    delivery = _delivery(store, first.id)
    assert delivery.status.value == "succeeded" and delivery.attempt_count == 1
    assert [a.status_code for a in delivery.attempts] == [None, 500, 200]
    interrupted = delivery.attempts[0]  # the first lease ran out with no answer recorded
    assert (interrupted.attempted_at, interrupted.latency_ms) == (start, 30_000)
    assert interrupted.error == INTERRUPTED


LEASE = timedelta(seconds=30)


def test_maintenance_records_an_interrupted_attempt_for_each_lease_it_releases(store: Store):
    """Issue 14: a sender killed mid-send left no trace in the log of the message it held."""
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with freeze_time(start):
        _queue(store, "https://hooks.example.org/in")
        (claimed,) = _claim(store, start, 10, LEASE)
    with store.transaction() as tx:
        assert tx.deliveries.release_expired(start + timedelta(seconds=29), LEASE) == 0
    with store.transaction() as tx:
        assert tx.deliveries.release_expired(start + timedelta(seconds=31), LEASE) == 1
    (again,) = _claim(store, start + timedelta(seconds=32), 10, LEASE)
    assert again.id == claimed.id
    [interrupted] = _delivery(store, claimed.id).attempts  # recorded once, not on re-claim too
    assert (interrupted.attempted_at, interrupted.error) == (start, INTERRUPTED)


def test_five_days_of_failures_disable_the_subscription(store: Store):
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with freeze_time(start):
        subscription_id = _queue(store, "https://hooks.example.org/in")
    for days in (0, 2, 5):
        when = start + timedelta(days=days)
        (claimed,) = _claim(store, when, 10, timedelta(seconds=30))
        retry = when + timedelta(seconds=1)
        failed = Outcome(
            claimed.id,
            claimed.lease_token,
            subscription_id,
            when,
            3.0,
            False,
            500,
            "HTTP 500",
            retry,
        )
        _settle(store, [failed], timedelta(days=5))
        retry_from = when + timedelta(seconds=2)
        if days < 5:
            assert _subscription(store, subscription_id).status is SubscriptionStatus.ACTIVE
    disabled = _subscription(store, subscription_id)
    assert disabled.status is SubscriptionStatus.DISABLED
    assert disabled.disabled_reason == "every delivery has failed since 2027-01-01 00:00 UTC"
    assert _claim(store, retry_from, 10, timedelta(seconds=30)) == []
    assert _delivery(store, claimed.id).status.value == "pending"


# ---------------------------------------------------------------------------- secret rotation


def _verified_by(secret: str, got: Received) -> bool:
    """Whether the `standardwebhooks` package, as a receiver would use it, accepts the request."""
    try:
        Webhook(secret).verify(got.body, got.headers)
    except WebhookVerificationError:
        return False
    return True


def _in_grace(url: str, new: str, old: str, until: datetime) -> Claimed:
    return replace(claimed(url, new), previous_secret=old, previous_secret_until=until)


def test_during_the_grace_a_receiver_with_either_secret_verifies():
    old, new = new_secret(), new_secret()
    until = datetime.now(UTC) + timedelta(hours=24)
    with Receiver().running() as receiver:
        assert _send(_in_grace(receiver.url, new, old, until)).succeeded
        (got,) = receiver.wait_for(1)
    first, second = got.headers["webhook-signature"].split(" ")
    assert first.startswith("v1,") and second.startswith("v1,")
    assert verify_signature(new, got) and verify_signature(old, got)
    assert _verified_by(new, got) and _verified_by(old, got)
    assert not verify_signature(new_secret(), got) and not _verified_by(new_secret(), got)


def test_after_the_grace_only_the_new_secret_signs():
    old, new = new_secret(), new_secret()
    sent_at = datetime.now(UTC)
    ended = _in_grace("http://127.0.0.1/", new, old, until=sent_at)

    async def run(claimed: Claimed) -> None:
        async with Sender(POLICY, lambda: sent_at) as sender:
            assert (await sender.send(claimed)).succeeded

    with Receiver().running() as receiver:
        asyncio.run(run(replace(ended, url=receiver.url)))
        (got,) = receiver.wait_for(1)
    assert " " not in got.headers["webhook-signature"]
    assert verify_signature(new, got) and _verified_by(new, got)
    assert not verify_signature(old, got) and not _verified_by(old, got)


def _rotate(store: Store, subscription_id: str, until: datetime) -> str:
    with store.transaction() as tx:
        _rotated, secret = tx.subscriptions.rotate_secret(subscription_id, until)
    return secret


def _secret_of(store: Store, subscription_id: str, now: datetime) -> Claimed:
    """The claim a sender gets now (the lease is short, so every call claims it afresh)."""
    (claimed,) = _claim(store, now, 10, timedelta(seconds=1))
    assert claimed.subscription_id == subscription_id
    return claimed


def test_a_claim_carries_the_replaced_secret_only_until_its_grace_ends(store: Store):
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with freeze_time(start):
        subscription_id = _queue(store, "https://hooks.example.org/in")
    original = _secret_of(store, subscription_id, start).secret
    until = start + timedelta(hours=24)
    rotated = _rotate(store, subscription_id, until)
    during = _secret_of(store, subscription_id, start + timedelta(hours=1))
    assert (during.secret, during.previous_secret) == (rotated, original)
    assert during.previous_secret_until == until
    assert during.signing_secrets(start + timedelta(hours=1)) == (rotated, original)
    assert during.signing_secrets(until) == (rotated,)
    after = _secret_of(store, subscription_id, until)
    assert (after.secret, after.previous_secret, after.previous_secret_until) == (
        rotated,
        None,
        None,
    )


def test_rotating_again_ends_the_older_secret_at_once(store: Store):
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with freeze_time(start):
        subscription_id = _queue(store, "https://hooks.example.org/in")
    second = _rotate(store, subscription_id, start + timedelta(hours=24))
    third = _rotate(store, subscription_id, start + timedelta(hours=25))
    claimed = _secret_of(store, subscription_id, start + timedelta(hours=1))
    assert claimed.signing_secrets(start + timedelta(hours=1)) == (third, second)


# ---------------------------------------------------------------------------- deletion


def test_a_late_answer_for_a_cancelled_delivery_is_logged_but_does_not_revive_it(store: Store):
    start = datetime(2027, 1, 1, tzinfo=UTC)
    with freeze_time(start):
        subscription_id = _queue(store, "https://hooks.example.org/in")
    (claimed,) = _claim(store, start, 10, timedelta(seconds=30))
    with store.transaction() as tx:
        tx.subscriptions.delete(subscription_id)
        assert tx.deliveries.cancel_pending(subscription_id, "gone", start) == 1
    retry_at = start + timedelta(seconds=5)
    late = Outcome(
        claimed.id,
        claimed.lease_token,
        subscription_id,
        start,
        3.0,
        False,
        500,
        "HTTP 500",
        retry_at,
    )
    _settle(store, [late], timedelta(days=5))
    delivery = _delivery(store, claimed.id)
    assert delivery.status is DeliveryStatus.CANCELLED
    assert (delivery.completed_at, delivery.last_error) == (start, "gone")
    assert [a.status_code for a in delivery.attempts] == [500]
    assert _claim(store, retry_at, 10, timedelta(seconds=30)) == []
    with store.read() as tx:
        assert tx.deliveries.next_due() is None


def test_maintenance_cancels_what_was_queued_for_a_subscription_as_it_was_deleted(store: Store):
    """A delivery planned in a transaction that began before the deletion committed."""
    now = datetime(2027, 1, 1, tzinfo=UTC)
    subscription_id = _queue(store, "https://hooks.example.org/in")
    with store.transaction() as tx:
        tx.subscriptions.delete(subscription_id)
        tx.deliveries.cancel_pending(subscription_id, UNSUBSCRIBED, now)
    late = NewDelivery(subscription_id, "alert:late", EventType.DEADLINE_REACHED, PAYLOAD)
    with store.transaction() as tx:
        tx.deliveries.enqueue([late], now)
        (pending,) = [
            d
            for d in tx.deliveries.of_subscription(subscription_id, 10, 0)
            if d.status.value == "pending"
        ]
    with store.transaction() as tx:
        assert tx.deliveries.cancel_orphaned(UNSUBSCRIBED, now) == 1
    swept = _delivery(store, pending.id)
    assert swept.status.value == "cancelled" and swept.last_error == UNSUBSCRIBED

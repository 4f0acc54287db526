"""/admin over a running engine: subscriptions, their delivery log and buttons, and the keys."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.domain import Delivery, Scope, SubscriptionCreate, SubscriptionFilter
from service.settings import Settings
from tests.support.pages import sign_in, text_of
from tests.support.receiver import Received, Receiver

ADMIN_TOKEN = "admin-pages-token"
NOWHERE = "http://127.0.0.1:9/hooks"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        load_feeds_on_start=False,
        webhook_allow="127.0.0.1/32",
        webhook_timeout=timedelta(seconds=2),
        delivery_lease=timedelta(seconds=5),
        engine_safety_interval=timedelta(seconds=1),
    )


@pytest.fixture
def site(settings: Settings) -> FastAPI:
    return create_app(settings, engine=True)


@pytest.fixture
def client(site: FastAPI) -> Iterator[TestClient]:
    with TestClient(site) as test_client:
        yield test_client


@pytest.fixture
def use_cases(site: FastAPI, client: TestClient) -> App:
    """The use cases behind the pages, to set up what a test looks at."""
    found: App = site.state.services.app
    return found


def _subscribe(use_cases: App, url: str, **fields: object) -> str:
    created, _secret = use_cases.subscriptions.subscribe(
        SubscriptionCreate.model_validate({"url": url} | fields), "test"
    )
    return created.id


def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def _only_delivery(use_cases: App, subscription_id: str) -> Delivery:
    (delivery,) = use_cases.subscriptions.deliveries(subscription_id, 10, 0)
    return delivery


def _utc(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M} UTC"


def test_admin_pages_need_a_signed_in_key_holder(client: TestClient, use_cases: App):
    for path in ("/admin", f"/admin/subscriptions/{_subscribe(use_cases, NOWHERE)}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/signin?next={path}"


def test_an_admin_sees_subscriptions_and_keys_but_never_a_secret(
    client: TestClient, use_cases: App
):
    created, secret = use_cases.subscriptions.subscribe(
        SubscriptionCreate(
            url=NOWHERE,
            description="Newsroom <desk>",
            filter=SubscriptionFilter.model_validate(
                {"kinds": ["treaty_expiry"], "parties": ["US", "RU"]}
            ),
        ),
        "test",
    )
    key, token = use_cases.keys.create("dashboard", Scope.READ)
    sign_in(client, ADMIN_TOKEN)

    page = client.get("/admin")
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "Newsroom <desk>" in seen and "Newsroom &lt;desk&gt;" in page.text
    assert "kind Treaty expiry; party US or RU" in seen
    assert f'href="/admin/subscriptions/{created.id}"' in page.text
    assert _utc(created.created_at) in seen
    assert f"{key.id} dashboard read {_utc(key.created_at)}" in seen
    assert token not in page.text and secret not in page.text
    assert 'tabindex="0"' in page.text and '<th scope="col">' in page.text


def test_a_read_key_sees_the_log_but_no_keys_and_no_buttons(client: TestClient, use_cases: App):
    subscription_id = _subscribe(use_cases, NOWHERE)
    delivery = use_cases.subscriptions.ping(subscription_id)
    _key, token = use_cases.keys.create("reader", Scope.READ)
    csrf = sign_in(client, token)

    listing = text_of(client.get("/admin").text)
    assert NOWHERE in listing and "API keys" not in listing
    page = client.get(f"/admin/subscriptions/{subscription_id}")
    assert f"Delivery {delivery.id}: ping" in text_of(page.text)
    assert "Retry now" not in page.text and "Send a test event" not in page.text

    for action in (
        f"/admin/deliveries/{delivery.id}/retry",
        f"/admin/subscriptions/{subscription_id}/test",
        f"/admin/subscriptions/{subscription_id}/enable",
    ):
        refused = client.post(action, data={"csrf": csrf}, follow_redirects=False)
        assert refused.status_code == 403, action
    assert _only_delivery(use_cases, subscription_id).id == delivery.id  # no ping was queued


def test_a_failed_attempt_is_logged_and_retry_delivers(client: TestClient, use_cases: App):
    answer = {"status": 500}

    def respond(_received: Received) -> tuple[int, dict[str, str]]:
        return answer["status"], {}

    with Receiver(respond).running() as receiver:
        subscription_id = _subscribe(use_cases, receiver.url)
        csrf = sign_in(client, ADMIN_TOKEN)
        page_path = f"/admin/subscriptions/{subscription_id}"

        tested = client.post(f"{page_path}/test", data={"csrf": csrf}, follow_redirects=False)
        assert tested.status_code == 303
        assert tested.headers["location"] == f"{page_path}?done=tested"
        receiver.wait_for(1)
        assert _eventually(lambda: _only_delivery(use_cases, subscription_id).attempts != ())
        delivery = _only_delivery(use_cases, subscription_id)

        page = client.get(tested.headers["location"])
        assert 'role="status"' in page.text and "A test event was queued" in page.text
        seen = text_of(page.text)
        assert f"Delivery {delivery.id}: ping Pending" in seen
        first = _utc(delivery.attempts[0].attempted_at)
        assert re.search(rf"1 {first} 500 \d+ ms HTTP 500", seen), seen
        assert f'aria-label="Retry now, delivery {delivery.id}"' in page.text

        answer["status"] = 204
        retried = client.post(
            f"/admin/deliveries/{delivery.id}/retry", data={"csrf": csrf}, follow_redirects=False
        )
        assert retried.headers["location"] == f"{page_path}?done=retried"
        assert len(receiver.wait_for(2)) >= 2
        assert _eventually(
            lambda: _only_delivery(use_cases, subscription_id).status.value == "succeeded"
        )

    after = _only_delivery(use_cases, subscription_id)
    assert after.attempts[0].status_code == 500
    assert after.attempts[-1].status_code == 204
    seen = text_of(client.get(retried.headers["location"]).text)
    assert f"Delivery {delivery.id}: ping Succeeded" in seen
    assert "The delivery was queued again" in seen


def test_a_disabled_endpoint_shows_why_and_enable_resumes(client: TestClient, use_cases: App):
    answer = {"status": 410}
    with Receiver(lambda _r: (answer["status"], {})).running() as receiver:
        subscription_id = _subscribe(use_cases, receiver.url)
        use_cases.subscriptions.ping(subscription_id)
        receiver.wait_for(1)
        assert _eventually(
            lambda: use_cases.subscriptions.get(subscription_id).status.value == "disabled"
        )
        csrf = sign_in(client, ADMIN_TOKEN)
        page_path = f"/admin/subscriptions/{subscription_id}"
        seen = text_of(client.get(page_path).text)
        assert "Disabled since" in seen and "the endpoint answered 410 Gone" in seen

        answer["status"] = 204
        enabled = client.post(f"{page_path}/enable", data={"csrf": csrf}, follow_redirects=False)
        assert enabled.headers["location"] == f"{page_path}?done=enabled"
        page = client.get(enabled.headers["location"])
        assert "Active" in text_of(page.text) and f'action="{page_path}/enable"' not in page.text


def test_a_button_without_its_csrf_token_is_refused(client: TestClient, use_cases: App):
    subscription_id = _subscribe(use_cases, NOWHERE)
    csrf = sign_in(client, ADMIN_TOKEN)
    for data in ({}, {"csrf": csrf + "x"}):
        refused = client.post(f"/admin/subscriptions/{subscription_id}/test", data=data)
        assert refused.status_code == 403
        assert "Form refused" in text_of(refused.text)
    assert use_cases.subscriptions.deliveries(subscription_id, 10, 0) == []

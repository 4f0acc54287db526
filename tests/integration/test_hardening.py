"""Hostile and careless input over real HTTP: nothing breaks a feed, leaks or grows for others."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings
from tests.support.calendar_parsers import Seen, read_all

ADMIN = {"Authorization": "Bearer hardening-admin-token"}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="hardening-admin-token",
        load_feeds_on_start=False,
        auth_failure_limit=5,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def _commitment(cid: str, **fields: object) -> dict[str, object]:
    return {"id": cid, "title": cid, "kind": "deadline", "due": {"value": "2027-03-01"}} | fields


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


def _all_feed_is_readable(client: TestClient) -> list[Seen]:
    feed = client.get("/feeds/all.ics")
    assert feed.status_code == 200, feed.text
    return read_all(feed.content)


# ---------------------------------------------------------------------------- the calendar's edges

EDGES = [
    {"value": "9999"},
    {"value": "9999-12-31"},
    {"value": "9999-Q4"},
    {"value": "9999-W52"},
    {"value": "9999-12-31T23:59", "tz": "Etc/GMT+12"},
    {"value": "0001"},
    {"value": "0001-W01"},
    {"value": "0001-01-01T00:00", "tz": "Pacific/Kiritimati"},
    {"value": "1799-12-31"},
    {"value": "3000-01-01"},
    {"value": "٢٠٢١"},
    {"value": "\uff12\uff10\uff12\uff11-\uff10\uff12-\uff10\uff15"},  # full-width digits
]


@pytest.mark.parametrize("due", EDGES, ids=lambda due: str(due["value"]))
def test_dues_outside_the_supported_years_are_refused_and_feeds_stay_whole(
    client: TestClient, due: dict[str, str]
):
    body = _problem(
        client.post("/api/v1/commitments", json=_commitment("edge", due=due), headers=ADMIN), 422
    )
    assert "1800 to 2999" in body["detail"] or "is not a due date" in body["detail"]
    client.post("/api/v1/commitments", json=_commitment("ordinary"), headers=ADMIN)
    _problem(client.patch("/api/v1/commitments/ordinary", json={"due": due}, headers=ADMIN), 422)
    assert _all_feed_is_readable(client)


def test_the_first_and_last_supported_moments_are_tracked_and_rendered(client: TestClient):
    first = {"value": "1800-01-01T00:00", "tz": "Pacific/Kiritimati"}
    last = {"value": "2999-12-31T23:59", "tz": "Etc/GMT+12"}
    for cid, due in (("first", first), ("last", last), ("last-week", {"value": "2999-W52"})):
        created = client.post(
            "/api/v1/commitments",
            json=_commitment(cid, due=due, alerts=["P1Y", "PT0S"]),
            headers=ADMIN,
        )
        assert created.status_code == 201, created.text
    events = _all_feed_is_readable(client)
    assert {"first@treatycal", "last@treatycal", "last-week@treatycal"} <= {e.uid for e in events}


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ('"r' + "9" * 5000 + '"', 412),
        ('"r0"', 412),
        ('"something-else"', 412),
        ("r1", 400),
        ("x" * 5000, 400),
    ],
    ids=["5000-digits", "r0", "foreign-tag", "unquoted", "garbage"],
)
def test_an_if_match_that_cannot_match_is_412_and_one_that_is_no_tag_is_400(
    client: TestClient, if_match: str, status: int
):
    client.post("/api/v1/commitments", json=_commitment("guarded"), headers=ADMIN)
    headers = ADMIN | {"If-Match": if_match}
    body = _problem(
        client.patch("/api/v1/commitments/guarded", json={"title": "x"}, headers=headers), status
    )
    assert len(body["detail"]) < 300
    assert client.get("/api/v1/commitments/guarded").json()["title"] == "guarded"


# ---------------------------------------------------------------------------- text a feed can carry


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "New START\x00 expires"},
        {"title": "escape \x1b[31m red"},
        {"title": "delete \x7f"},
        {"title": "two\nlines"},
        {"description": "nul \x00 in the middle"},
        {"description": "a C1 control \x85"},
        {"tags": ["new\x1bstart"]},
        {"parties": ["U\x00S"]},
        {"sources": [{"title": "bell \x07", "url": "https://example.org/a"}]},
        {"sources": [{"url": "https://example.org/\x00"}]},
        {"change": {"reason": "because\x00"}},
    ],
    ids=lambda fields: next(iter(fields)),
)
def test_control_characters_are_refused_at_the_edge(client: TestClient, fields: dict[str, object]):
    body = _problem(
        client.post("/api/v1/commitments", json=_commitment("ctl", **fields), headers=ADMIN), 422
    )
    assert (
        "control character" in body["detail"]
        or "pattern" in body["detail"]
        or "party" in body["detail"]
    )
    assert client.get("/api/v1/commitments/ctl").status_code == 404
    assert _all_feed_is_readable(client) == []


def test_line_breaks_and_tabs_in_a_description_are_kept(client: TestClient):
    text = "First paragraph.\n\n\tSecond, indented."
    created = client.post(
        "/api/v1/commitments", json=_commitment("prose", description=text), headers=ADMIN
    )
    assert created.status_code == 201 and created.json()["description"] == text
    (event,) = _all_feed_is_readable(client)
    assert text in event.description


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/commitments?q=%00",
        "/api/v1/commitments?q=ab%1bcd",
        "/api/v1/commitments?feed=%00",
        "/api/v1/commitments/%00",
        "/api/v1/upcoming?feed=a%00b",
        "/feeds/%00.ics",
    ],
)
def test_a_nul_anywhere_in_a_request_is_a_4xx_on_every_database(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"


# ---------------------------------------------------------------------------- private stays private


def _private_feed(client: TestClient) -> dict:
    client.post(
        "/api/v1/commitments", json=_commitment("secret-deadline", parties=["IR"]), headers=ADMIN
    )
    made = client.post(
        "/api/v1/feeds",
        json={
            "slug": "desk-only",
            "title": "Desk only",
            "private": True,
            "selection": {"parties": ["IR"]},
        },
        headers=ADMIN,
    )
    assert made.status_code == 201, made.text
    return made.json()


@pytest.mark.parametrize("route", ["/api/v1/commitments", "/api/v1/upcoming"])
def test_a_private_feed_named_without_a_key_is_answered_as_one_that_does_not_exist(
    client: TestClient, route: str
):
    _private_feed(client)
    hidden = _problem(client.get(route, params={"feed": "desk-only", "within": "P1Y"}), 404)
    missing = _problem(client.get(route, params={"feed": "no-such-feed", "within": "P1Y"}), 404)
    assert hidden["detail"].replace("desk-only", "X") == missing["detail"].replace(
        "no-such-feed", "X"
    )
    seen = client.get(route, params={"feed": "desk-only", "within": "P1Y"}, headers=ADMIN)
    assert seen.status_code == 200
    assert "secret-deadline" in seen.text


def test_only_an_admin_key_may_give_a_private_feed_a_new_address(
    client: TestClient, settings: Settings
):
    from service.app import App
    from service.domain import Scope

    made = _private_feed(client)
    keys = App.open(settings)
    _, writer = keys.keys.create("desk", Scope.WRITE)
    keys.close()
    write = {"Authorization": f"Bearer {writer}"}
    body = _problem(client.post("/api/v1/feeds/desk-only/token", headers=write), 403)
    assert "admin" in body["detail"]
    assert client.get(made["url"].split("8000", 1)[-1]).status_code == 200
    rotated = client.post("/api/v1/feeds/desk-only/token", headers=ADMIN)
    assert rotated.status_code == 200 and rotated.json()["url"] != made["url"]
    assert client.delete("/api/v1/feeds/desk-only/token", headers=write).status_code == 204


# ---------------------------------------------------------------------------- bounded state


def test_unknown_methods_add_no_metric_series(client: TestClient):
    def series() -> int:
        return sum(
            1
            for line in client.get("/metrics").text.splitlines()
            if line.startswith("treatycal_http_requests_total{")
        )

    client.get("/healthz")
    before = series()
    rng = random.Random(7)
    for _ in range(60):
        method = "".join(rng.choices(string.ascii_uppercase, k=8))
        client.request(method, f"/api/v1/{rng.randrange(10**9)}")
    assert series() <= before + 4


def test_failed_authentication_is_limited_per_address_but_valid_keys_pass(client: TestClient):
    wrong = {"Authorization": "Bearer tcal_guess_guess"}
    for _ in range(5):
        _problem(client.post("/api/v1/commitments", json=_commitment("a"), headers=wrong), 401)
    limited = client.post("/api/v1/commitments", json=_commitment("a"), headers=wrong)
    body = _problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1 and "try again" in body["detail"]
    assert (
        client.post("/api/v1/commitments", json=_commitment("a"), headers=ADMIN).status_code == 201
    )


# ---------------------------------------------------------------------------- HTTP hygiene


@pytest.mark.parametrize(
    "path",
    ["/api/v1/feeds", "/feeds/all.ics", "/api/v1/commitments/nope", "/healthz", "/openapi.json"],
)
def test_every_answer_carries_nosniff_and_a_strict_policy(client: TestClient, path: str):
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_the_docs_load_nothing_from_another_origin(client: TestClient):
    page = client.get("/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in page.text.replace("http-equiv", "")
    for asset in (
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/start.js",
    ):
        fetched = client.get(asset)
        assert fetched.status_code == 200 and len(fetched.content) > 100, asset
    assert client.get("/docs/assets/..%2Fsecrets").status_code == 404

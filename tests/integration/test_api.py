"""The JSON API: auth, validation as problem documents, writes with history, upcoming."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.domain import Scope
from service.settings import Settings

ADMIN = {"Authorization": "Bearer test-admin-token"}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
NEW_START = {
    "id": "new-start-expiry",
    "title": "New START expires",
    "kind": "treaty_expiry",
    "due": {"value": "2021-02-05"},
    "parties": ["US", "RU"],
    "change": {"effective": "2011-02-05", "reason": "entered into force"},
}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="test-admin-token",
        load_feeds_on_start=False,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_writes_need_a_key_with_write_scope(client: TestClient, settings: Settings):
    body = _problem(client.post("/api/v1/commitments", json=NEW_START), 401)
    assert "Authorization: Bearer" in body["detail"]
    assert (
        client.post("/api/v1/commitments", json=NEW_START).headers["www-authenticate"] == "Bearer"
    )
    wrong = {"Authorization": "Bearer tcal_nope_nope"}
    _problem(client.post("/api/v1/commitments", json=NEW_START, headers=wrong), 401)
    keys = App.open(settings)
    _, read_token = keys.keys.create("reader", Scope.READ)
    _, write_token = keys.keys.create("writer", Scope.WRITE)
    keys.close()
    reader = {"Authorization": f"Bearer {read_token}"}
    body = _problem(client.post("/api/v1/commitments", json=NEW_START, headers=reader), 403)
    assert "scope 'write'" in body["detail"]
    writer = {"Authorization": f"Bearer {write_token}"}
    created = client.post("/api/v1/commitments", json=NEW_START, headers=writer)
    assert created.status_code == 201
    assert created.headers["location"] == "/api/v1/commitments/new-start-expiry"
    (entry,) = client.get("/api/v1/commitments/new-start-expiry/history").json()
    assert entry["actor"].startswith("key:") and "writer" in entry["actor"]


def test_a_created_commitment_is_served_with_its_window_and_etag(client: TestClient):
    created = client.post("/api/v1/commitments", json=NEW_START, headers=ADMIN)
    assert created.status_code == 201, created.text
    got = client.get("/api/v1/commitments/new-start-expiry")
    assert got.headers["etag"] == '"r1"'
    assert got.json()["due"] == {
        "value": "2021-02-05",
        "tz": None,
        "precision": "day",
        "earliest": "2021-02-05",
        "latest": "2021-02-05",
    }
    assert got.json()["created_at"] == "2026-11-27T12:00:00Z"
    _problem(client.post("/api/v1/commitments", json=NEW_START, headers=ADMIN), 409)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due": {"value": "2021-02-30"}}, "body.due", "'2021-02-30' is not a real date"),
        (
            {"due": {"value": "2026-02-05T10:00:00", "tz": "Europe/Mosco"}},
            "body.due",
            "unknown time zone 'Europe/Mosco'",
        ),
        ({"end": {"value": "2021-02-04"}}, "body", "is before the due date"),
        ({"kind": "treaty_renewal"}, "body.kind", "Input should be"),
        ({"title": ""}, "body.title", "at least 1 character"),
        ({"colour": "red"}, "body.colour", "Extra inputs are not permitted"),
        ({"parties": "US"}, "body.parties", "valid"),
        ({"alerts": ["soon"]}, "body.alerts.0", "not an ISO 8601 duration"),
    ],
)
def test_bad_input_gets_a_422_problem_naming_the_field(client: TestClient, change, field, message):
    body = _problem(client.post("/api/v1/commitments", json=NEW_START | change, headers=ADMIN), 422)
    assert any(e["field"] == field and message in e["message"] for e in body["errors"]), body


def test_malformed_json_and_wrong_media_are_4xx(client: TestClient):
    bad = client.post(
        "/api/v1/commitments",
        content=b'{"title": ',
        headers=ADMIN | {"content-type": "application/json"},
    )
    assert "not valid JSON" in _problem(bad, 400)["detail"]
    text = client.post(
        "/api/v1/commitments", content=b"title=x", headers=ADMIN | {"content-type": "text/plain"}
    )
    assert 400 <= text.status_code < 500


def test_oversized_bodies_are_refused_whether_declared_or_streamed(client: TestClient):
    huge = b'{"title": "' + b"x" * (1 << 20) + b'"}'
    declared = client.post(
        "/api/v1/commitments", content=huge, headers=ADMIN | {"content-type": "application/json"}
    )
    assert "over the limit" in _problem(declared, 413)["detail"]

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536]

    streamed = client.post(
        "/api/v1/commitments",
        content=chunks(),
        headers=ADMIN | {"content-type": "application/json"},
    )
    _problem(streamed, 413)


def test_patch_put_and_delete_write_history_and_honour_if_match(client: TestClient):
    client.post("/api/v1/commitments", json=NEW_START, headers=ADMIN)
    extension = {
        "due": {"value": "2026-02-05"},
        "change": {
            "effective": "2021-02-03",
            "reason": "extension by exchange of notes",
            "source": {"url": "https://example.org/extension"},
        },
    }
    stale = ADMIN | {"If-Match": '"r7"'}
    _problem(
        client.patch("/api/v1/commitments/new-start-expiry", json=extension, headers=stale), 412
    )
    fresh = ADMIN | {"If-Match": '"r1"'}
    patched = client.patch("/api/v1/commitments/new-start-expiry", json=extension, headers=fresh)
    assert patched.status_code == 200, patched.text
    assert patched.json()["revision"] == 2 and patched.headers["etag"] == '"r2"'
    replaced = client.put(
        "/api/v1/commitments/new-start-expiry",
        json={k: v for k, v in NEW_START.items() if k not in {"id", "change"}}
        | {"due": {"value": "2026-02-05"}, "title": "New START expires (extended)"},
        headers=ADMIN,
    )
    assert replaced.json()["title"] == "New START expires (extended)"
    cancelled = client.delete("/api/v1/commitments/new-start-expiry?reason=test", headers=ADMIN)
    assert cancelled.json()["status"] == "cancelled"
    history = client.get("/api/v1/commitments/new-start-expiry/history").json()
    assert [h["revision"] for h in history] == [1, 2, 3, 4]
    assert history[1]["summary"] == (
        "due moved from 2021-02-05 to 2026-02-05; sources: added https://example.org/extension"
        " on 2021-02-03 (extension by exchange of notes)"
    )
    assert history[1]["changes"] == {
        "due": {
            "from": {"value": "2021-02-05", "tz": None},
            "to": {"value": "2026-02-05", "tz": None},
        },
        "sources": {
            "from": [],
            "to": [
                {
                    "url": "https://example.org/extension",
                    "title": None,
                    "published": None,
                    "quote": None,
                }
            ],
        },
    }
    _problem(client.get("/api/v1/commitments/nothing-here"), 404)
    _problem(client.get("/api/v1/commitments/Not A Slug"), 422)
    _problem(client.patch("/api/v1/commitments/nothing-here", json={}, headers=ADMIN), 404)


def test_upcoming_as_of_answers_from_what_was_known_then(client: TestClient):
    client.post("/api/v1/commitments", json=NEW_START, headers=ADMIN)
    client.patch(
        "/api/v1/commitments/new-start-expiry",
        json={"due": {"value": "2026-02-05"}, "change": {"effective": "2021-02-03"}},
        headers=ADMIN,
    )
    meeting = {
        "id": "next-trump-putin-meeting",
        "title": "Possible next Trump-Putin meeting",
        "kind": "meeting",
        "status": "tentative",
        "change": {"effective": "2019-05-14"},
    }
    assert client.post("/api/v1/commitments", json=meeting, headers=ADMIN).status_code == 201
    then = client.get("/api/v1/upcoming", params={"as_of": "2019-05-14", "within": "P2Y"}).json()
    assert [(i["id"], i["due"]["value"], i["days_left"]) for i in then["items"]] == [
        ("new-start-expiry", "2021-02-05", 633)
    ]
    assert then["until"] == "2021-05-14"
    assert [u["id"] for u in then["undated"]] == ["next-trump-putin-meeting"]
    assert client.get("/api/v1/upcoming", params={"as_of": "2019-05-14"}).json()["items"] == []
    now = client.get("/api/v1/upcoming", params={"as_of": "2026-01-01", "within": "P60D"}).json()
    assert [(i["due"]["value"], i["days_left"]) for i in now["items"]] == [("2026-02-05", 35)]
    body = _problem(client.get("/api/v1/upcoming", params={"within": "three months"}), 422)
    assert "not an ISO 8601 duration" in body["detail"]
    _problem(client.get("/api/v1/upcoming", params={"as_of": "9999-12-31"}), 422)


def test_a_window_that_began_earlier_is_coming_up_while_its_end_is(client: TestClient):
    pledge = {
        "id": "russia-voluntary-limits",
        "title": "Russia keeps to New START's limits for a year",
        "kind": "deadline",
        "status": "tentative",
        "due": {"value": "2026-02-05"},
        "end": {"value": "2027-02-05"},
    }
    assert client.post("/api/v1/commitments", json=pledge, headers=ADMIN).status_code == 201

    def ids(as_of: str, within: str) -> list[tuple[str, int, int | None]]:
        found = client.get("/api/v1/upcoming", params={"as_of": as_of, "within": within})
        return [(i["id"], i["days_left"], i["days_to_end"]) for i in found.json()["items"]]

    assert ids("2026-11-27", "P90D") == [("russia-voluntary-limits", -295, 70)]
    assert ids("2026-11-27", "P30D") == [("russia-voluntary-limits", -295, 70)], "it is under way"
    assert ids("2027-02-06", "P30D") == [], "it has ended"
    assert ids("2025-12-01", "P30D") == [], "it has not begun"


def test_upcoming_comes_a_page_at_a_time_to_the_end(client: TestClient):
    for day in range(1, 8):
        summit = {"id": f"talks-{day}", "title": f"Talks, round {day}", "kind": "meeting"}
        summit |= {"due": f"2027-03-0{day}"}
        assert client.post("/api/v1/commitments", json=summit, headers=ADMIN).status_code == 201
    whole = client.get("/api/v1/upcoming", params={"as_of": "2027-03-01", "within": "P7D"}).json()
    assert [i["id"] for i in whole["items"]] == [f"talks-{day}" for day in range(1, 8)]
    assert whole["next"] is None
    seen: list[list[str]] = []
    params = {"as_of": "2027-03-01", "within": "P7D", "limit": "3"}
    while True:
        page = client.get("/api/v1/upcoming", params=params).json()
        seen.append([i["id"] for i in page["items"]])
        if page["next"] is None:
            break
        params["cursor"] = page["next"]
    assert seen == [
        ["talks-1", "talks-2", "talks-3"],
        ["talks-4", "talks-5", "talks-6"],
        ["talks-7"],
    ]
    body = _problem(client.get("/api/v1/upcoming", params={"cursor": "not-ours"}), 422)
    assert "cursor" in body["detail"]
    _problem(client.get("/api/v1/upcoming", params={"limit": 0}), 422)
    _problem(client.get("/api/v1/upcoming", params={"limit": 501}), 422)


def test_list_filters_are_validated_and_applied(client: TestClient):
    client.post("/api/v1/commitments", json=NEW_START, headers=ADMIN)
    found = client.get("/api/v1/commitments", params={"party": "ru", "from": "2021-01-01"}).json()
    assert [c["id"] for c in found["items"]] == ["new-start-expiry"] and found["total"] == 1
    none = client.get("/api/v1/commitments", params={"kind": "summit"}).json()
    assert none["items"] == [] and none["total"] == 0
    assert (
        "unknown party 'USA'"
        in _problem(client.get("/api/v1/commitments?party=USA"), 422)["detail"]
    )
    _problem(client.get("/api/v1/commitments?from=2022-01-01&to=2021-01-01"), 422)
    _problem(client.get("/api/v1/commitments?limit=0"), 422)
    _problem(client.get("/api/v1/commitments?kind=bogus"), 422)


def test_health_readiness_metrics_and_docs(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    client.get("/api/v1/commitments/nothing-here")
    metrics = client.get("/metrics").text
    assert 'route="/api/v1/commitments/{commitment_id}",status="404"' in metrics
    schema = client.get("/openapi.json").json()
    assert "/api/v1/upcoming" in schema["paths"] and "/feeds/{slug}.ics" in schema["paths"]
    assert client.get("/docs").status_code == 200
    body = _problem(client.get("/no/such/route"), 404)
    assert "/docs" in body["detail"]
    _problem(client.put("/healthz"), 405)


def test_a_cancellation_carries_its_change_in_the_body_or_its_reason_in_the_query(
    client: TestClient,
):
    client.post("/api/v1/commitments", json=NEW_START, headers=ADMIN)
    change: dict[str, Any] = {
        "reason": "superseded by the extension talks",
        "effective": "2021-01-26",
        "source": {"url": "https://example.org/notes-exchanged"},
    }
    cancelled = client.request(
        "DELETE", "/api/v1/commitments/new-start-expiry", json={"change": change}, headers=ADMIN
    )
    assert cancelled.status_code == 200, cancelled.text
    last = client.get("/api/v1/commitments/new-start-expiry/history").json()[-1]
    assert (last["reason"], last["effective"]) == (change["reason"], change["effective"])
    assert last["source"]["url"] == change["source"]["url"]
    other = NEW_START | {"id": "other-expiry", "change": None}
    client.post("/api/v1/commitments", json=other, headers=ADMIN)
    by_query = client.delete(
        "/api/v1/commitments/other-expiry", params={"reason": "no longer tracked"}, headers=ADMIN
    )
    assert by_query.status_code == 200
    last = client.get("/api/v1/commitments/other-expiry/history").json()[-1]
    assert last["reason"] == "no longer tracked"
    refused = client.request(
        "DELETE", "/api/v1/commitments/other-expiry", json={"reason": "wrong place"}, headers=ADMIN
    )
    assert refused.status_code == 422


def test_a_changes_source_joins_the_commitments_sources_and_its_feed_event(client: TestClient):
    client.post("/api/v1/commitments", json=NEW_START, headers=ADMIN)
    extension = "https://example.org/new-start-extended"
    patched = client.patch(
        "/api/v1/commitments/new-start-expiry",
        json={"due": {"value": "2026-02-05"}, "change": {"source": {"url": extension}}},
        headers=ADMIN,
    )
    assert [s["url"] for s in patched.json()["sources"]] == [extension]
    again = client.patch(
        "/api/v1/commitments/new-start-expiry",
        json={"title": "New START expired", "change": {"source": {"url": extension}}},
        headers=ADMIN,
    )
    assert [s["url"] for s in again.json()["sources"]] == [extension], "cited once"
    feed = client.get("/feeds/all.ics").content.replace(b"\r\n ", b"")
    assert extension.encode() in feed

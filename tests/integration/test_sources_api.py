"""Reading articles over the API: stored, proposals matched against what was known, decided."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from service.api import create_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"Authorization": "Bearer sources-admin-token"}
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SNAPBACK = yaml.safe_load(
    (ROOT / "tests/gold/passages/snapback-triggered-2025-08-28.yaml").read_text()
)
ARTICLE = {
    "text": SNAPBACK["text"],
    "published": str(SNAPBACK["published"]),
    "url": "https://news.example.org/snapback",
    "title": SNAPBACK["title"],
}


def _client(database_url: str, **settings: Any) -> TestClient:
    configured = Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="sources-admin-token",
        feeds_dir=ROOT / "feeds",
        **settings,
    )
    return TestClient(create_app(configured, clock=lambda: NOW))


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with _client(database_url) as test_client:
        yield test_client


def _post(client: TestClient, article: dict[str, str] = ARTICLE) -> dict:
    response = client.post("/api/v1/sources", json=article, headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()


def _proposal(source: dict, kind: str) -> dict:
    return next(p for p in source["proposals"] if p["kind"] == kind)


def test_an_article_is_stored_with_its_mentions_and_proposals(client: TestClient):
    assert client.post("/api/v1/sources", json=ARTICLE).status_code == 401
    source = _post(client)
    values = [m["value"] for m in source["mentions"]]
    assert "2025-08-28" in values and "P30D" in values
    deadline = _proposal(source, "deadline")
    assert deadline["due"]["value"] == "2025-09-27"
    assert deadline["decision"] == "pending" and deadline["source_id"] == source["id"]
    assert deadline["quote"] in ARTICLE["text"]
    assert deadline["source"]["url"] == ARTICLE["url"]
    again = client.post("/api/v1/sources", json=ARTICLE, headers=ADMIN)
    assert again.status_code == 200 and again.json()["id"] == source["id"]
    shown = client.get(f"/api/v1/sources/{source['id']}", headers=ADMIN).json()
    assert shown["proposals"] == source["proposals"]
    assert client.get(f"/api/v1/sources/{source['id']}").status_code == 401


def test_proposals_name_the_commitment_they_repeat_as_it_was_known_then(client: TestClient):
    source = _post(client)
    expiry = _proposal(source, "treaty_expiry")
    assert expiry["due"]["value"] == "2025-10-18"
    assert expiry["matches"] == "jcpoa-termination-day"
    refused = client.post(f"/api/v1/proposals/{expiry['id']}/accept", headers=ADMIN)
    assert refused.status_code == 409 and "jcpoa-termination-day" in refused.json()["detail"]


def test_accepting_tracks_the_commitment_with_its_source_and_date(client: TestClient):
    source = _post(client)
    vote = _proposal(source, "meeting")
    accepted = client.post(
        f"/api/v1/proposals/{vote['id']}/accept",
        json={"id": "unsc-snapback-vote-2025", "reason": "tracked for the newsletter"},
        headers=ADMIN,
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["decision"] == "accepted"
    assert accepted.json()["commitment_id"] == "unsc-snapback-vote-2025"
    tracked = client.get("/api/v1/commitments/unsc-snapback-vote-2025").json()
    assert tracked["due"]["value"] == "2025-09" and tracked["kind"] == "meeting"
    assert tracked["sources"][0]["quote"] == vote["quote"]
    (created,) = client.get("/api/v1/commitments/unsc-snapback-vote-2025/history").json()
    assert (
        created["effective"] == "2025-08-28" and created["reason"] == "tracked for the newsletter"
    )
    again = client.post(f"/api/v1/proposals/{vote['id']}/accept", headers=ADMIN)
    assert again.status_code == 409 and "already accepted" in again.json()["detail"]


def test_rejecting_records_the_decision_once(client: TestClient):
    source = _post(client)
    first = source["proposals"][0]
    rejected = client.post(
        f"/api/v1/proposals/{first['id']}/reject",
        json={"reason": "not arms control"},
        headers=ADMIN,
    )
    assert (
        rejected.json()["decision"] == "rejected"
        and rejected.json()["reason"] == "not arms control"
    )
    assert client.post(f"/api/v1/proposals/{first['id']}/reject", headers=ADMIN).status_code == 409
    pending = client.get("/api/v1/proposals", params={"decision": "pending"}, headers=ADMIN).json()
    assert first["id"] not in {p["id"] for p in pending}
    assert client.post("/api/v1/proposals/999999/accept", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"text": ""}, 422),
        ({"text": "   \n "}, 422),
        ({"published": None}, 422),
        ({"published": "2025-02-30"}, 422),
        ({"url": "javascript:alert(1)"}, 422),
        ({"text": "x" * ((1 << 20) + 10)}, 413),
    ],
)
def test_bad_articles_get_a_clear_4xx(client: TestClient, change: dict, status: int):
    article = {k: v for k, v in (ARTICLE | change).items() if v is not None}
    refused = client.post("/api/v1/sources", json=article, headers=ADMIN)
    assert refused.status_code == status
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_stated_confidence_rule_may_accept_for_a_person(database_url: str):
    with _client(database_url, auto_accept_confidence=0.75) as client:
        source = _post(client)
        for proposal in source["proposals"]:
            eligible = (
                proposal["confidence"] >= 0.75 and proposal["due"] and not proposal["matches"]
            )
            assert (proposal["decision"] == "accepted") == bool(eligible), proposal
            if eligible:
                assert proposal["decided_by"] == "rule: confidence >= 0.75"
                tracked = client.get(f"/api/v1/commitments/{proposal['commitment_id']}")
                assert tracked.status_code == 200
        assert any(p["decision"] == "accepted" for p in source["proposals"])

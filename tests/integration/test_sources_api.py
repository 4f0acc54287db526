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
    # Without the shipped feeds, nothing the article proposes is tracked yet, so the rule has
    # proposals to accept (with them, every dated proposal repeats a tracked commitment).
    with _client(database_url, auto_accept_confidence=0.75, load_feeds_on_start=False) as client:
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


def test_accepting_may_edit_the_proposal_first(client: TestClient):
    source = _post(client)
    vote = _proposal(source, "meeting")
    bad = client.post(
        f"/api/v1/proposals/{vote['id']}/accept", json={"due": {"value": "2025-13"}}, headers=ADMIN
    )
    assert bad.status_code == 422 and "2025-13" in bad.json()["detail"]
    edits = {"title": "UN Security Council snapback vote", "due": {"value": "2025-09-19"}}
    accepted = client.post(f"/api/v1/proposals/{vote['id']}/accept", json=edits, headers=ADMIN)
    assert accepted.status_code == 200, accepted.text
    commitment_id = accepted.json()["commitment_id"]
    assert commitment_id == "un-security-council-snapback-vote-2025"
    tracked = client.get(f"/api/v1/commitments/{commitment_id}").json()
    assert tracked["title"] == edits["title"] and tracked["kind"] == "meeting"
    assert tracked["due"]["value"] == "2025-09-19" and tracked["due"]["precision"] == "day"
    assert tracked["sources"][0]["quote"] == vote["quote"]


def test_accepting_as_a_revision_moves_the_matched_commitment(client: TestClient):
    expected = {
        "id": "snapback-process-ends",
        "title": "The 30-day snapback process ends",
        "kind": "deadline",
        "due": "2025-09",
        "parties": ["GB", "FR", "DE"],
        "change": {"effective": "2025-08-20", "reason": "announced by the E3"},
    }
    assert client.post("/api/v1/commitments", json=expected, headers=ADMIN).status_code == 201
    deadline = _proposal(_post(client), "deadline")
    assert deadline["matches"] == "snapback-process-ends"
    revised = client.post(
        f"/api/v1/proposals/{deadline['id']}/accept", json={"revise": True}, headers=ADMIN
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["commitment_id"] == "snapback-process-ends"
    tracked = client.get("/api/v1/commitments/snapback-process-ends").json()
    assert tracked["due"]["value"] == "2025-09-27" and tracked["revision"] == 2
    assert tracked["parties"][:3] == ["GB", "FR", "DE"] and "IR" in tracked["parties"]
    assert ARTICLE["url"] in [s["url"] for s in tracked["sources"]]
    history = client.get("/api/v1/commitments/snapback-process-ends/history").json()
    moved = history[-1]
    assert moved["effective"] == ARTICLE["published"]
    assert moved["reason"] == f"from proposal {deadline['id']}"
    assert moved["source"]["url"] == ARTICLE["url"]
    assert moved["source"]["quote"] == deadline["quote"]
    assert moved["changes"]["due"]["to"]["value"] == "2025-09-27"


def test_revising_needs_a_match_and_no_new_id(client: TestClient):
    vote = _proposal(_post(client), "meeting")
    assert vote["matches"] is None
    alone = client.post(
        f"/api/v1/proposals/{vote['id']}/accept", json={"revise": True}, headers=ADMIN
    )
    assert alone.status_code == 422 and "nothing to revise" in alone.json()["detail"]
    named = client.post(
        f"/api/v1/proposals/{vote['id']}/accept",
        json={"revise": True, "id": "a-new-one"},
        headers=ADMIN,
    )
    assert named.status_code == 422
    pending = client.get("/api/v1/proposals", params={"decision": "pending"}, headers=ADMIN)
    assert vote["id"] in {p["id"] for p in pending.json()}

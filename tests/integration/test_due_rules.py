"""Dues that follow another commitment, on SQLite and PostgreSQL: resolution, moves, cycles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import create_app
from service.app import App
from service.domain import (
    AlertStatus,
    ChangeNote,
    CommitmentCreate,
    CommitmentPatch,
    Status,
)
from service.errors import InvalidInput
from service.settings import Settings

ADMIN = {"Authorization": "Bearer test-admin-token"}


def _track(app: App, commitment_id: str, due: object, **more: object) -> None:
    data = {"id": commitment_id, "title": commitment_id, "kind": "deadline", "due": due} | more
    app.commitments.create(
        CommitmentCreate.model_validate(data), ChangeNote(effective=date(2019, 2, 1)), "test"
    )


def _move(app: App, commitment_id: str, due: str, reason: str = "moved") -> None:
    patch = CommitmentPatch.model_validate({"due": due})
    note = ChangeNote(reason=reason, effective=date(2020, 1, 10))
    app.commitments.patch(commitment_id, patch, note, "test")


def test_a_relative_due_resolves_to_the_anchors_precision(app: App):
    _track(app, "notice", "2019-08-31")
    _track(app, "month-notice", "2019-02")
    _track(app, "effect", {"after": "notice", "offset": "P6M"})
    _track(app, "month-effect", {"after": "month-notice", "offset": "P6M"})
    effect = app.commitments.get("effect")
    assert effect.due is not None and effect.due.value == "2020-02-29"
    assert effect.due_rule is not None and effect.due_rule.after == "notice"
    month = app.commitments.get("month-effect").due
    assert month is not None and (month.value, month.precision) == ("2019-08", "month")


def test_an_anchor_that_moves_moves_its_dependents_with_a_revision_and_new_alerts(app: App):
    _track(app, "notice", "2030-01-15")
    _track(app, "effect", {"after": "notice", "offset": "P3M"}, alerts=["P7D"])
    _track(app, "vote", {"after": "effect", "offset": "P30D"})
    before = app.commitments.alerts("effect")
    _move(app, "notice", "2030-02-01", reason="notice delivered late")
    effect, vote = app.commitments.get("effect"), app.commitments.get("vote")
    assert effect.due is not None and effect.due.value == "2030-05-01"
    assert vote.due is not None and vote.due.value == "2030-05-31"
    last = app.commitments.history("effect")[-1]
    assert last.reason is not None and last.reason.startswith("its anchor notice moved: due moved")
    assert "notice delivered late" in last.reason and last.effective == date(2020, 1, 10)
    pending = [a for a in app.commitments.alerts("effect") if a.status is AlertStatus.PENDING]
    assert [a.fire_at.date() for a in pending] == [date(2030, 4, 24)]
    assert pending != [a for a in before if a.status is AlertStatus.PENDING]


def test_a_cancelled_anchor_cancels_its_dependents_with_the_reason(app: App):
    _track(app, "notice", "2030-01-15")
    _track(app, "effect", {"after": "notice", "offset": "P6M"})
    app.commitments.cancel("notice", ChangeNote(reason="notice withdrawn"), "test")
    effect = app.commitments.get("effect")
    assert effect.status is Status.CANCELLED
    assert app.commitments.history("effect")[-1].reason == "its anchor notice was cancelled"


def test_rules_that_go_round_in_a_circle_are_refused(app: App):
    _track(app, "a", "2030-01-15")
    _track(app, "b", {"after": "a", "offset": "P1M"})
    patch = CommitmentPatch.model_validate({"due": {"after": "b", "offset": "P1M"}})
    with pytest.raises(InvalidInput, match="circle: a -> b -> a"):
        app.commitments.patch("a", patch, ChangeNote(), "test")
    with pytest.raises(InvalidInput, match="circle: c -> c"):
        _track(app, "c", {"after": "c", "offset": "P1M"})
    with pytest.raises(InvalidInput, match="not a tracked commitment"):
        _track(app, "d", {"after": "nowhere", "offset": "P1M"})


def test_an_undated_anchor_leaves_its_dependent_undated_until_it_is_dated(app: App):
    _track(app, "talks", None, status="tentative")
    _track(app, "deadline", {"after": "talks", "offset": "P1M"})
    waiting = app.commitments.get("deadline")
    assert waiting.due is None and waiting.status is Status.TENTATIVE
    _move(app, "talks", "2030-03")
    dated = app.commitments.get("deadline").due
    assert dated is not None and dated.value == "2030-04"


def test_a_rule_may_count_from_the_day_the_anchor_occurred(app: App):
    _track(app, "notice", "2020-05")
    _track(app, "effect", {"after": "notice", "offset": "P6M", "from": "occurred"})
    assert app.commitments.get("effect").due is None
    patch = CommitmentPatch(status=Status.OCCURRED)
    app.commitments.patch("notice", patch, ChangeNote(effective=date(2020, 5, 22)), "test")
    effect = app.commitments.get("effect").due
    assert effect is not None and effect.value == "2020-11-22"


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        admin_token="test-admin-token",
        load_feeds_on_start=False,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_open_skies_notice_proposes_withdrawal_six_months_later(client: TestClient):
    notice = {
        "id": "open-skies-us-notice",
        "title": "The United States gives notice of withdrawal from the Open Skies Treaty",
        "kind": "treaty_withdrawal",
        "due": "2020-05-22",
        "status": "occurred",
        "parties": ["US"],
        "tags": ["open-skies", "withdrawal-notice"],
    }
    assert client.post("/api/v1/commitments", json=notice, headers=ADMIN).status_code == 201
    found = client.get("/api/v1/commitments/open-skies-us-notice/follow-ups")
    (proposed,) = found.json()
    assert proposed["due"]["value"] == "2020-11-22"
    assert proposed["due_rule"] == {"after": "open-skies-us-notice", "offset": "P6M", "from": "due"}
    assert proposed["kind"] == "treaty_withdrawal" and proposed["tags"] == ["open-skies"]
    created = client.post("/api/v1/commitments", json=proposed, headers=ADMIN)
    assert created.status_code == 201, created.text
    assert created.json()["due"]["value"] == "2020-11-22"
    assert created.json()["due_rule"]["after"] == "open-skies-us-notice"


def test_the_api_takes_a_relative_due_and_shows_rule_and_date(client: TestClient):
    anchor = {"id": "notice", "title": "Notice", "kind": "deadline", "due": "2019-02"}
    client.post("/api/v1/commitments", json=anchor, headers=ADMIN)
    relative = {"title": "Effect", "kind": "deadline", "due": {"after": "notice", "offset": "P6M"}}
    body = client.post("/api/v1/commitments", json=relative, headers=ADMIN).json()
    assert body["due"]["value"] == "2019-08" and body["due"]["precision"] == "month"
    assert body["due_rule"] == {"after": "notice", "offset": "P6M", "from": "due"}
    cyclic = {"due": {"after": body["id"], "offset": "P1M"}}
    refused = client.patch("/api/v1/commitments/notice", json=cyclic, headers=ADMIN)
    assert refused.status_code == 422 and "circle" in refused.json()["detail"]
    assert client.get("/api/v1/commitments/notice/follow-ups").json() == []


FEED = """\
feed:
  title: Withdrawals
commitments:
  - id: inf-us-notice
    title: The United States gives notice of withdrawal from the INF Treaty
    kind: treaty_withdrawal
    due: "2019-02-02"
    status: occurred
    tags: [inf, withdrawal-notice]
  - id: inf-us-withdrawal
    title: US withdrawal from the INF Treaty takes effect
    kind: treaty_withdrawal
    due: {after: inf-us-notice, offset: P6M}
    status: occurred
    known_since: 2019-02-02
"""


def test_a_feed_file_may_state_a_relative_due(app: App, tmp_path: Path):
    path = tmp_path / "withdrawals.yaml"
    path.write_text(FEED, encoding="utf-8")
    first = app.feeds.load([path])
    withdrawal = app.commitments.get("inf-us-withdrawal")
    assert withdrawal.due is not None and withdrawal.due.value == "2019-08-02"
    assert first.commitments_created == 2
    assert app.feeds.load([path]).revisions_written == 0

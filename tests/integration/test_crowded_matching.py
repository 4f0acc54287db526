"""A proposal finds the commitment it repeats even when its window holds thousands of others."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from service.app import App
from service.app.upcoming import MEETING
from service.domain import ArticleIn, ChangeNote, CommitmentCreate, Kind
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SNAPBACK = yaml.safe_load(
    (ROOT / "tests/gold/passages/snapback-triggered-2025-08-28.yaml").read_text()
)
REPEATED = {
    "id": "snapback-process-ends",
    "title": "The 30-day snapback process ends",
    "kind": "deadline",
    "due": "2025-09",
    "parties": ["GB", "FR", "DE"],
}


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    opened = App.open(Settings(_env_file=None, database_url=database_url), clock=lambda: NOW)
    yield opened
    opened.close()


def test_the_repeated_commitment_is_found_behind_more_than_a_readings_worth(app: App):
    """More deadlines of September 2025 than one proposal is compared with, all sorting before
    the one the article repeats: none names its parties or shares a telling word of its title,
    so they are left out of the read and the repeat is still found."""
    crowd = [
        {"id": f"a-{n:05d}", "title": f"Quota review {n}", "kind": "deadline", "due": "2025-09"}
        | {"parties": ["JP", "KR"]}
        for n in range(MEETING + 50)
    ]
    known = [CommitmentCreate.model_validate(item) for item in [*crowd, REPEATED]]
    app.commitments.create_many(known, ChangeNote(effective=date(2025, 8, 20)), "test")
    article = ArticleIn(text=SNAPBACK["text"], published=SNAPBACK["published"])
    deadline = next(p for p in app.reading.preview(article).proposals if p.kind == Kind.DEADLINE)
    assert deadline.due is not None and deadline.due.value == "2025-09-27"
    assert deadline.matches == "snapback-process-ends"

"""/review: reading an article on the page, its mentions marked, and deciding its proposals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from service.api import create_app
from service.app import App
from service.domain import (
    ChangeNote,
    CommitmentCreate,
    CommitmentFilter,
    Mention,
    Precision,
    ProposalRecord,
    Scope,
    Tense,
)
from service.settings import Settings
from service.web.marks import highlight
from tests.support.gold import sochi_report
from tests.support.pages import sign_in, text_of

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
ADMIN_TOKEN = "review-admin-token"
GENEVA = (
    "Secretary of State Mike Pompeo and Foreign Minister Sergey Lavrov will meet in Geneva on "
    "July 17, officials said."
)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(
        _env_file=None, database_url=database_url, admin_token=ADMIN_TOKEN, feeds_dir=FEEDS
    )
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


@pytest.fixture
def use_cases(client: TestClient) -> App:
    """The use cases behind the pages, to set up and check what a test looks at."""
    found: App = client.app.state.services.app  # type: ignore[attr-defined]
    return found


@pytest.fixture
def csrf(client: TestClient) -> str:
    return sign_in(client, ADMIN_TOKEN)


def _read(client: TestClient, csrf: str, text: str, published: str, **fields: str) -> int:
    """Post an article through the form; the id of the source page it lands on."""
    posted = client.post(
        "/review",
        data={"csrf": csrf, "text": text, "published": published, **fields},
        files={"file": ("", b"", "application/octet-stream")},
        follow_redirects=False,
    )
    assert posted.status_code == 303, text_of(posted.text)
    found = re.fullmatch(r"/review/sources/(\d+)", posted.headers["location"])
    assert found
    return int(found.group(1))


def _accept_form(record: ProposalRecord, csrf: str, **changes: str) -> dict[str, str]:
    """The accept form as the page fills it in, with `changes` typed over it."""
    body = record.body
    return {
        "csrf": csrf,
        "title": body.title,
        "kind": body.kind.value,
        "parties": ", ".join(body.parties),
        "due": body.due.value if body.due else "",
        "reason": "",
    } | changes


def _proposal(use_cases: App, source_id: int, kind: str, title: str) -> ProposalRecord:
    return next(
        p
        for p in use_cases.reading.source(source_id).proposals
        if p.body.kind == kind and title in p.body.title
    )


def test_review_is_for_signed_in_editors(client: TestClient, use_cases: App):
    away = client.get("/review", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"] == "/signin?next=/review"
    _key, token = use_cases.keys.create("reader", Scope.READ)
    sign_in(client, token)
    assert client.get("/review").status_code == 403
    assert client.get("/review/sources/1").status_code == 403


def test_an_editor_reads_the_sochi_report_and_decides_its_proposals(
    client: TestClient, use_cases: App, csrf: str
):
    report = sochi_report()
    if report is None:
        pytest.skip("the Sochi report (sochi-2019-05-14.txt) is not here")
    text = report.read_text(encoding="utf-8")
    source_id = _read(client, csrf, text, "2019-05-14", title="Talks in Sochi")
    shown = client.get(f"/review/sources/{source_id}")
    assert shown.status_code == 200
    assert re.search(
        r'<mark id="m\d+" title="2021, year" aria-describedby="mention-\d+">2021</mark>', shown.text
    )
    seen = text_of(shown.text)
    assert "which is set to expire in 2021" in seen  # a proposal's quote
    assert "Seems to repeat new-start-expiry" in seen
    assert "Keyboard shortcuts" in seen
    assert "Talks in Sochi" in text_of(client.get("/review").text)

    call = _proposal(use_cases, source_id, "meeting", "phone call")
    edited = _accept_form(call, csrf, title="Trump and Putin speak by phone", due="2019-05-03")
    accepted = client.post(
        f"/review/proposals/{call.id}/accept", data=edited | {"force": "1"}, follow_redirects=False
    )
    assert accepted.status_code == 303
    landed = client.get(accepted.headers["location"])
    tracked = use_cases.reading.proposal(call.id).commitment_id
    assert tracked == "trump-and-putin-speak-by-phone-2019"
    assert 'role="status"' in landed.text and f'href="/commitments/{tracked}"' in landed.text
    assert "Trump and Putin speak by phone" in text_of(client.get(f"/commitments/{tracked}").text)
    events = Calendar.from_ical(client.get("/feeds/all.ics").content).walk("VEVENT")
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in events}
    assert summaries[f"{tracked}@treatycal"].startswith("Trump and Putin speak by phone")

    talks = _proposal(use_cases, source_id, "meeting", "New START")
    rejected = client.post(
        f"/review/proposals/{talks.id}/reject",
        data={"csrf": csrf, "reason": "no talks were scheduled"},
        follow_redirects=False,
    )
    assert rejected.status_code == 303
    assert use_cases.reading.proposal(talks.id).reason == "no talks were scheduled"
    assert "Rejected by admin-token" in text_of(client.get(rejected.headers["location"]).text)

    # New START changed in 2021 and 2026: a report of 2019 cannot revise it now.
    expiry = _proposal(use_cases, source_id, "treaty_expiry", "New START")
    late = client.post(
        f"/review/proposals/{expiry.id}/accept", data=_accept_form(expiry, csrf, revise="1")
    )
    assert late.status_code == 422
    assert "before the last recorded change" in text_of(late.text)
    due = use_cases.commitments.get("new-start-expiry").due
    assert due is not None and due.value == "2026-02-05"


def test_a_bad_due_on_the_form_is_named_and_nothing_is_tracked(
    client: TestClient, use_cases: App, csrf: str
):
    source_id = _read(client, csrf, GENEVA, "2019-06-20")
    (meeting,) = use_cases.reading.source(source_id).proposals
    before = use_cases.commitments.page(CommitmentFilter(), 500, 0).total
    refused = client.post(
        f"/review/proposals/{meeting.id}/accept", data=_accept_form(meeting, csrf, due="2019-13")
    )
    assert refused.status_code == 422
    assert "'2019-13' is not a real date" in text_of(refused.text)
    assert 'value="2019-13"' in refused.text  # what was typed stays in the form
    assert use_cases.reading.proposal(meeting.id).decision == "pending"
    assert use_cases.commitments.page(CommitmentFilter(), 500, 0).total == before


def test_accepting_as_a_revision_moves_the_matched_commitment(
    client: TestClient, use_cases: App, csrf: str
):
    expected = CommitmentCreate(
        id="pompeo-lavrov-geneva-2019",
        title="Pompeo and Lavrov meet in Geneva",
        kind="meeting",
        due="2019-07",
        status="tentative",
        parties=("US", "RU"),
    )
    use_cases.commitments.create(expected, ChangeNote(effective=date(2019, 6, 1)), "test")
    source_id = _read(client, csrf, GENEVA, "2019-06-20", url="https://news.example.org/geneva")
    shown = text_of(client.get(f"/review/sources/{source_id}").text)
    assert "Accept as a revision of pompeo-lavrov-geneva-2019" in shown
    (meeting,) = use_cases.reading.source(source_id).proposals
    revised = client.post(
        f"/review/proposals/{meeting.id}/accept",
        data=_accept_form(meeting, csrf, revise="1"),
        follow_redirects=False,
    )
    assert revised.status_code == 303
    moved = use_cases.commitments.get("pompeo-lavrov-geneva-2019")
    assert moved.revision == 2 and moved.due is not None and moved.due.value == "2019-07-17"
    assert moved.status == "scheduled" and moved.title == expected.title
    last = use_cases.commitments.history(moved.id)[-1]
    assert last.effective == date(2019, 6, 20) and last.reason == f"from proposal {meeting.id}"
    assert last.source is not None and last.source.url == "https://news.example.org/geneva"
    page = text_of(client.get(f"/commitments/{moved.id}").text)
    assert "Due date moved from July 2019" in page


def test_forms_without_the_page_token_are_refused(client: TestClient, csrf: str):
    posted = client.post("/review", data={"text": GENEVA, "published": "2019-06-20"})
    assert posted.status_code == 403
    source_id = _read(client, csrf, GENEVA, "2019-06-20")
    assert source_id
    assert client.post("/review/proposals/1/reject", data={"reason": "x"}).status_code == 403


def test_the_article_text_is_escaped_and_its_mentions_marked(client: TestClient, csrf: str):
    hostile = '<script>alert("x")</script> The <b>summit</b> will be held in 2027.'
    source_id = _read(client, csrf, hostile, "2026-11-30", title="<i>Headline</i>")
    shown = client.get(f"/review/sources/{source_id}").text
    assert "<script>alert" not in shown and "<b>summit" not in shown and "<i>Headline" not in shown
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in shown
    assert ">2027</mark>" in shown


def test_an_uploaded_file_is_read_as_utf8(client: TestClient, csrf: str):
    text = GENEVA.encode("utf-8")
    uploaded = client.post(
        "/review",
        data={"csrf": csrf, "text": "", "published": "2019-06-20"},
        files={"file": ("geneva.txt", b"\xef\xbb\xbf" + text, "text/plain")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    assert "Pompeo-Lavrov meeting in Geneva" in text_of(
        client.get(uploaded.headers["location"]).text
    )
    latin = client.post(
        "/review",
        data={"csrf": csrf, "text": "", "published": "2019-06-20"},
        files={"file": ("old.txt", "Genève, le 17 juillet".encode("latin-1"), "text/plain")},
    )
    assert latin.status_code == 422 and "old.txt is not UTF-8" in text_of(latin.text)
    both = client.post(
        "/review",
        data={"csrf": csrf, "text": GENEVA, "published": "2019-06-20"},
        files={"file": ("geneva.txt", text, "text/plain")},
    )
    assert both.status_code == 422 and "not both" in text_of(both.text)
    undated = client.post("/review", data={"csrf": csrf, "text": GENEVA, "published": ""})
    assert undated.status_code == 422 and "when the article was published" in text_of(undated.text)


def test_overlapping_mentions_share_one_mark():
    text = "From mid-July 2019 <on>."

    def mention(first: int, last: int, value: str) -> Mention:
        return Mention(
            text=text[first:last],
            start=first,
            end=last,
            value=value,
            precision=Precision.MONTH,
            earliest=date(2019, 7, 1),
            latest=date(2019, 7, 31),
            tense=Tense.PAST,
            sentence=text,
        )

    marked = highlight(
        text, [mention(5, 13, "2019-07"), mention(9, 18, "2019-07"), mention(30, 40, "x")]
    )
    assert str(marked) == (
        'From <mark id="m0" title="2019-07, month; 2019-07, month" '
        'aria-describedby="mention-0 mention-1"><span id="m1"></span>mid-July 2019</mark>'
        " &lt;on&gt;."
    )

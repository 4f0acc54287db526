"""The subscribe pages: every feed with its links and QR code, one feed's preview, private ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar

from service.api import create_app
from service.app import App
from service.domain import Scope
from service.settings import Settings
from service.web.subscribe import labelled_qr, subscribe_links
from tests.support.pages import csrf_of, sign_in, text_of

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
ADMIN_TOKEN = "test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SITE = "https://treatycal.example"
ARMS_URL = f"{SITE}/feeds/arms-control.ics"
DESK = {
    "slug": "desk-watch",
    "title": "Desk watch",
    "description": "What Russia is party to, for the desk only.",
    "selection": {"parties": ["RU"]},
    "private": True,
}


@dataclass(frozen=True, slots=True)
class Link:
    section: str
    href: str
    text: str
    label: str | None


class _Links(HTMLParser):
    """Every link of a page, with the section it is in (the id of that section's heading)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[Link] = []
        self._section = ""
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._section = dict(attrs).get("aria-labelledby") or ""
        elif tag == "a":
            self._open, self._text = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = ""
        elif tag == "a" and self._open is not None:
            text = " ".join("".join(self._text).split())
            href = self._open.get("href") or ""
            self.links.append(Link(self._section, href, text, self._open.get("aria-label")))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


def links_of(html: str, section: str | None = None) -> list[Link]:
    parser = _Links()
    parser.feed(html)
    return [link for link in parser.links if section is None or link.section == section]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        feeds_dir=FEEDS,
        public_url=SITE,
    )


@pytest.fixture
def api(settings: Settings) -> FastAPI:
    return create_app(settings, clock=lambda: NOW)


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    with TestClient(api, base_url="https://testserver") as test_client:
        yield test_client


def use_cases(api: FastAPI) -> App:
    return api.state.services.app


def make_private_feed(client: TestClient) -> str:
    """The private feed's address, as the answer that made it shows it (the only time)."""
    made = client.post("/api/v1/feeds", json=DESK, headers=ADMIN)
    assert made.status_code == 201, made.text
    url: str = made.json()["url"]
    assert url.startswith(f"{SITE}/feeds/private/tcfeed_")
    return url.removeprefix(SITE)


def make_drills(client: TestClient) -> None:
    """A feed made through the API of four dated drills and one with no date yet."""
    dues: dict[str, str | None] = {
        "drill-1": "2027-03-01",
        "drill-2": "2027-01-10",
        "drill-3": "2027-02-01",
    }
    dues |= {"drill-4": "2027-04-01", "drill-x": None}
    for commitment_id, due in dues.items():
        drill = {
            "id": commitment_id,
            "title": f"Drill {commitment_id[-1]}" if due else "Drill, date to be set",
            "kind": "deadline",
            "status": "scheduled" if due else "tentative",
            "tags": ["drill"],
            "change": {"effective": "2026-12-01", "reason": "a test"},
        } | ({"due": {"value": due}} if due else {})
        made = client.post("/api/v1/commitments", json=drill, headers=ADMIN)
        assert made.status_code == 201, made.text
    feed: dict[str, object] = {
        "slug": "drills",
        "title": "Drills",
        "description": "Desk exercises.",
    }
    feed |= {"selection": {"tags": ["drill"]}}
    assert client.post("/api/v1/feeds", json=feed, headers=ADMIN).status_code == 201


def test_subscribe_links_take_the_address_the_way_each_calendar_wants_it():
    url = "https://cal.example/feeds/us-ru.ics"
    links = {link.label: link.href for link in subscribe_links(url, "US & Russia")}
    assert links == {
        "Apple Calendar / Outlook desktop": "webcal://cal.example/feeds/us-ru.ics",
        "Google Calendar": "https://calendar.google.com/calendar/r"
        "?cid=webcal%3A%2F%2Fcal.example%2Ffeeds%2Fus-ru.ics",
        "Outlook.com": "https://outlook.live.com/calendar/0/addfromweb"
        "?url=https%3A%2F%2Fcal.example%2Ffeeds%2Fus-ru.ics&name=US%20%26%20Russia",
        "Microsoft 365": "https://outlook.office.com/calendar/0/addfromweb"
        "?url=https%3A%2F%2Fcal.example%2Ffeeds%2Fus-ru.ics&name=US%20%26%20Russia",
    }


def test_the_qr_code_is_named_for_screen_readers_and_escapes_the_title():
    svg = labelled_qr(ARMS_URL, 'The "desk" <feed>')
    assert svg.startswith('<svg role="img" aria-label="QR code of the address of The &#34;desk')
    assert "<feed>" not in svg
    assert 'viewBox="0 0 ' in svg
    assert "<?xml" not in svg


def test_every_public_feed_is_listed_with_its_count_next_items_and_subscribe_links(
    client: TestClient,
):
    page = client.get("/feeds")
    assert page.status_code == 200
    seen = text_of(page.text)
    counts = {f["slug"]: f["count"] for f in client.get("/api/v1/feeds").json()}
    assert (
        f"Arms control New START, INF, JCPOA, Open Skies, CTBT and NPT milestones. "
        f"{counts['arms-control']} commitments Next Russia's conditional pledge" in seen
    )
    assert "All commitments" in seen.rsplit("Summits and meetings", 1)[1]  # listed last

    arms = links_of(page.text, "feed-arms-control")
    hrefs = {link.text: link.href for link in arms}
    assert hrefs["Arms control"] == "/feeds/arms-control"
    assert (
        hrefs["Apple Calendar / Outlook desktop"]
        == "webcal://treatycal.example/feeds/arms-control.ics"
    )
    assert hrefs["Google Calendar"] == (
        "https://calendar.google.com/calendar/r"
        "?cid=webcal%3A%2F%2Ftreatycal.example%2Ffeeds%2Farms-control.ics"
    )
    assert hrefs["Outlook.com"] == (
        "https://outlook.live.com/calendar/0/addfromweb"
        "?url=https%3A%2F%2Ftreatycal.example%2Ffeeds%2Farms-control.ics&name=Arms%20control"
    )
    assert any(link.href.startswith("/commitments/") for link in arms)
    labels = [link.label for link in links_of(page.text) if link.text == "Google Calendar"]
    assert len(labels) == len(counts)  # every feed, `all` too
    assert len(set(labels)) == len(labels)  # each link names its feed to a screen reader
    assert f'data-copy="{ARMS_URL}"' in page.text
    assert ARMS_URL in seen  # the address itself, for print and for copying by hand


def test_the_qr_code_on_the_page_is_segnos_code_of_the_address(client: TestClient):
    page = client.get("/feeds")
    assert labelled_qr(ARMS_URL, "Arms control") in page.text
    assert "to open this address" in text_of(page.text)
    policy = page.headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert " style=" not in page.text  # the policy would block it
    assert client.get("/static/feeds.css").status_code == 200


def test_the_list_shows_the_next_three_of_a_feed_in_due_order(client: TestClient):
    make_drills(client)
    drills = links_of(client.get("/feeds").text, "feed-drills")
    listed = [link.href for link in drills if link.href.startswith("/commitments/")]
    assert listed == ["/commitments/drill-2", "/commitments/drill-3", "/commitments/drill-1"]


def test_a_feed_page_previews_its_events_and_subscribes_like_the_list(client: TestClient):
    make_drills(client)
    page = client.get("/feeds/drills")
    assert page.status_code == 200
    seen = text_of(page.text)
    assert "Drills Desk exercises. 5 commitments" in seen
    assert "Coming up by 2 December 2027" in seen
    dated = [link.href for link in links_of(page.text, "preview-h")]
    assert dated == [f"/commitments/drill-{n}" for n in (2, 3, 1, 4)]
    assert [link.href for link in links_of(page.text, "undated-h")] == ["/commitments/drill-x"]
    assert "Drill, date to be set" in seen.split("No date yet", 1)[1]
    google = next(link for link in links_of(page.text) if link.text == "Google Calendar")
    assert google.href.endswith("%2Ffeeds%2Fdrills.ics")
    assert labelled_qr(f"{SITE}/feeds/drills.ics", "Drills") in page.text

    everything = client.get("/feeds/all")
    assert everything.status_code == 200
    assert f"{SITE}/feeds/all.ics" in text_of(everything.text)


def test_an_unknown_feed_is_a_404_page_and_the_calendars_still_answer(client: TestClient):
    missing = client.get("/feeds/no-such-feed")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "no feed named 'no-such-feed'" in text_of(missing.text)

    calendar = client.get("/feeds/arms-control.ics")
    assert calendar.status_code == 200
    assert calendar.headers["content-type"] == "text/calendar; charset=utf-8"
    assert Calendar.from_ical(calendar.content).walk("VEVENT")
    assert client.get("/feeds/all.ics").headers["content-type"].startswith("text/calendar")


def test_a_private_feed_is_invisible_to_visitors(client: TestClient):
    address = make_private_feed(client)
    assert "Desk watch" not in text_of(client.get("/feeds").text)
    hidden = client.get("/feeds/desk-watch")
    assert hidden.status_code == 404
    assert "no feed named 'desk-watch'" in text_of(hidden.text)  # as if there were none
    assert client.get(address).headers["content-type"].startswith("text/calendar")


def test_a_key_holder_sees_a_private_feed_but_never_its_address(api: FastAPI, client: TestClient):
    address = make_private_feed(client)
    _key, token = use_cases(api).keys.create("reader", Scope.READ)
    sign_in(client, token)

    listing = client.get("/feeds").text
    assert "Desk watch Private What Russia is party to" in text_of(listing)
    assert "shown once only" in text_of(listing)
    assert "tcfeed_" not in listing

    page = client.get("/feeds/desk-watch")
    assert page.status_code == 200
    assert "tcfeed_" not in page.text
    assert address not in page.text
    assert "Give it a new address" not in page.text  # only an admin may
    refused = client.post("/feeds/desk-watch/address", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    assert client.get(address).status_code == 200


def test_an_admin_gives_a_private_feed_a_new_address_shown_once(client: TestClient):
    old = make_private_feed(client)
    sign_in(client, ADMIN_TOKEN)
    page = client.get("/feeds/desk-watch")
    assert "Give it a new address" in text_of(page.text)

    rotated = client.post("/feeds/desk-watch/address", data={"csrf": csrf_of(page.text)})
    assert rotated.status_code == 200
    seen = text_of(rotated.text)
    assert "Copy it now: it will not be shown again." in seen
    new = next(
        link.href for link in links_of(rotated.text) if link.text.startswith("Apple Calendar")
    ).replace("webcal://treatycal.example", "")
    assert new.startswith("/feeds/private/tcfeed_") and new != old
    assert f"{SITE}{new}" in seen
    assert labelled_qr(f"{SITE}{new}", "Desk watch") in rotated.text

    assert client.get(old).status_code == 404
    assert client.get(new).headers["content-type"].startswith("text/calendar")
    assert "tcfeed_" not in client.get("/feeds/desk-watch").text  # once only
    assert "tcfeed_" not in client.get("/feeds").text


def test_giving_a_new_address_needs_the_forms_csrf_token(client: TestClient):
    old = make_private_feed(client)
    sign_in(client, ADMIN_TOKEN)
    refused = client.post("/feeds/desk-watch/address", data={})
    assert refused.status_code == 403
    assert "Form refused" in text_of(refused.text)
    assert client.get(old).status_code == 200  # nothing happened

    client.cookies.clear()
    anonymous = client.post("/feeds/desk-watch/address", data={}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/signin")

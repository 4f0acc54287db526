"""The pages over the shipped feeds: what is coming, one commitment, signing in and out, CSRF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from service.api import create_app
from service.settings import Settings
from tests.support.pages import csrf_of, sign_in, text_of

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
ADMIN_TOKEN = "test-admin-token"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None, database_url=database_url, admin_token=ADMIN_TOKEN, feeds_dir=FEEDS
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=lambda: NOW)) as test_client:
        yield test_client


def test_the_home_page_shows_what_was_coming_as_it_looked_on_a_day(client: TestClient):
    then = client.get("/", params={"as_of": "2019-05-14", "kind": "treaty_expiry", "window": "all"})
    assert then.status_code == 200
    assert then.headers["content-type"].startswith("text/html")
    seen = text_of(then.text)
    assert "New START expires 5 February 2021" in seen
    assert "as it looked on 14 May 2019" in seen
    assert "February 2026" not in seen.split("New START expires")[1][:40]

    now = text_of(client.get("/", params={"kind": "treaty_expiry", "window": "all"}).text)
    assert "New START expires" not in now  # it expired on 5 February 2026, before today


def test_the_home_page_groups_by_month_counts_down_and_tells_precision(client: TestClient):
    page = client.get("/", params={"window": "all"})
    seen = text_of(page.text)
    assert "February 2027" in seen  # a month heading: the end of Russia's pledge window
    assert "ends in 65 days" in seen  # 2 Dec 2026 to 5 Feb 2027, a window under way
    assert "'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]


def test_bad_filters_are_named_on_the_page_not_a_500(client: TestClient):
    bad_day = client.get("/", params={"as_of": "14/05/2019"})
    assert bad_day.status_code == 422
    assert "like 2019-05-14" in text_of(bad_day.text)
    bad_kind = client.get("/", params={"kind": "picnic"})
    assert bad_kind.status_code == 422
    assert "kind:" in text_of(bad_kind.text)
    first_day = client.get("/", params={"as_of": "0001-01-01"})  # the calendar's edge: a 500 once
    assert first_day.status_code == 200
    assert "Coming up" in text_of(first_day.text)


def test_a_commitment_page_has_its_sources_history_and_calendar_file(client: TestClient):
    page = client.get("/commitments/new-start-expiry")
    assert page.status_code == 200
    seen = text_of(page.text)
    moved = "Due date moved from 5 February 2021 to 5 February 2026, effective 3 February 2021"
    assert moved in seen
    assert "set to expire in 2021" in seen  # the quote of the 14 May 2019 report
    assert "Arms control" in seen  # a feed that holds it

    event = client.get("/commitments/new-start-expiry.ics")
    assert event.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "attachment" in event.headers["content-disposition"]
    events = Calendar.from_ical(event.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["New START expires"]


def test_a_date_set_by_a_clause_names_its_rule_and_anchor(client: TestClient):
    seen = text_of(client.get("/commitments/open-skies-us-withdrawal").text)
    assert "22 November 2020" in seen
    anchor = "The United States gives notice of withdrawal from the Open Skies Treaty"
    assert f"Dated by rule 6 months after the date of {anchor}" in seen
    assert "it moves when that one does" in seen
    assert "Dated by rule" not in text_of(client.get("/commitments/new-start-expiry").text)


def test_an_unknown_commitment_is_a_404_page(client: TestClient):
    missing = client.get("/commitments/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "no commitment with id 'no-such-thing'" in text_of(missing.text)


def test_signing_in_sets_a_hardened_cookie_and_signing_out_ends_the_session(client: TestClient):
    form = client.get("/signin")
    posted = client.post(
        "/signin",
        data={"token": ADMIN_TOKEN, "csrf": csrf_of(form.text), "next": "/feeds"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == "/feeds"
    cookie = next(
        h for h in posted.headers.get_list("set-cookie") if h.startswith("treatycal_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert ADMIN_TOKEN not in cookie
    stolen = client.cookies.get("treatycal_session")
    assert stolen

    home = client.get("/")
    assert "Sign out" in text_of(home.text)
    client.post("/signout", data={"csrf": csrf_of(home.text)}, follow_redirects=False)
    assert "Sign in" in text_of(client.get("/").text)

    # The ended session stays ended, even for a copy of its cookie.
    client.cookies.set("treatycal_session", stolen)
    assert "Sign out" not in text_of(client.get("/").text)


def test_a_forged_or_wrong_key_signs_no_one_in(client: TestClient):
    client.cookies.set("treatycal_session", "made-up.signature")
    assert "Sign in" in text_of(client.get("/").text)
    form = client.get("/signin")
    wrong = client.post("/signin", data={"token": "tcal_nope", "csrf": csrf_of(form.text)})
    assert wrong.status_code == 401
    assert "not valid" in text_of(wrong.text)


def test_a_form_without_its_csrf_token_is_refused(client: TestClient):
    refused = client.post("/signin", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    assert refused.status_code == 403
    assert "Form refused" in text_of(refused.text)
    csrf = sign_in(client, ADMIN_TOKEN)
    assert client.post("/signout", data={"csrf": csrf + "x"}).status_code == 403
    assert client.post("/signout", data={}).status_code == 403
    assert "Sign out" in text_of(client.get("/").text)  # still signed in: nothing happened


def test_next_never_leads_off_the_site(client: TestClient):
    form = client.get("/signin", params={"next": "//evil.example/"})
    assert 'name="next" value="/"' in form.text

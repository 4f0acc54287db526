"""Whole journeys through the pages, as the people the service is for take them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from icalendar import Calendar

from service.domain import Scope, SubscriptionCreate
from tests.browser.conftest import ADMIN_TOKEN, ARTIFACTS, Site, looked_at, sign_in
from tests.support.gold import sochi_report
from tests.support.receiver import Received, Receiver

pytestmark = pytest.mark.browser


def test_a_newcomer_finds_the_arms_control_feed_and_its_subscribe_links(page: Any, site: Site):
    page.goto("/")
    looked_at(page, "home")
    page.get_by_role("link", name="Subscribe").click()
    looked_at(page, "feeds")
    feed = (
        page.locator("section, article")
        .filter(has=page.get_by_role("heading", name="Arms control"))
        .first
    )
    webcal = feed.get_by_role("link", name=re.compile("Apple Calendar")).first.get_attribute("href")
    google = feed.get_by_role("link", name=re.compile("Google Calendar")).first.get_attribute(
        "href"
    )
    address = f"{site.url}/feeds/arms-control.ics"
    assert webcal == "webcal://" + address.removeprefix("http://")
    assert google == "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    assert feed.locator("svg[role=img]").count() == 1  # the QR code for a phone

    feed.get_by_role("link", name="Arms control").first.click()
    page.wait_for_url("**/feeds/arms-control")
    looked_at(page, "feed")
    calendar = page.request.get(address)
    assert calendar.headers["content-type"] == "text/calendar; charset=utf-8"


def _href(within: Any, label: str) -> str:
    found = within.get_by_role("link", name=re.compile(label)).first.get_attribute("href")
    assert isinstance(found, str)
    return found


def test_an_analyst_reads_new_start_as_it_looked_in_may_2019(page: Any, site: Site):
    page.goto("/")
    page.get_by_label("As it looked on").fill("2019-05-14")
    page.get_by_label("Within").select_option("all")
    page.wait_for_url(re.compile(r"as_of=2019-05-14"))  # a changed select applies the filters
    item = page.locator("li.item").filter(has_text="New START expires")
    assert "5 February 2021" in item.inner_text()
    assert "as it looked on 14 May 2019" in page.get_by_role("heading", level=1).inner_text()
    looked_at(page, "home-as-of-2019-05-14")

    item.get_by_role("link", name="New START expires").click()
    page.wait_for_url("**/commitments/new-start-expiry")
    assert "5 February 2026" in page.locator(".due-line").inner_text()
    history = page.locator(".timeline").inner_text()
    assert "moved from 5 February 2021 to 5 February 2026" in history
    looked_at(page, "commitment")


def test_a_form_posted_without_its_csrf_token_is_refused(page: Any, site: Site):
    sign_in(page, ADMIN_TOKEN)
    page.evaluate("document.querySelector('form[action=\"/signout\"] input[name=csrf]').remove()")
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Form refused"
    looked_at(page, "form-refused")
    page.goto("/")
    assert page.get_by_role("button", name="Sign out").is_visible()  # still signed in


def test_an_admin_sees_a_failed_delivery_and_retries_it(page: Any, site: Site):
    answer = {"status": 500}

    def respond(_received: Received) -> tuple[int, dict[str, str]]:
        return answer["status"], {}

    with Receiver(respond).running() as receiver:
        created, _secret = site.app.subscriptions.subscribe(
            SubscriptionCreate(url=receiver.url, description="desk alerts"), "browser test"
        )
        site.app.subscriptions.ping(created.id)
        receiver.wait_for(1)

        sign_in(page, ADMIN_TOKEN)
        page.get_by_role("link", name="Admin").click()
        looked_at(page, "admin")
        page.get_by_role("link", name=receiver.url).first.click()
        log = page.locator("main")
        log.get_by_text("500").first.wait_for()
        looked_at(page, "subscription")

        answer["status"] = 204
        page.get_by_role("button", name=re.compile("Retry")).first.click()
        page.get_by_role("status").wait_for()
        assert len(receiver.wait_for(2)) >= 2
        for _ in range(50):
            if "Succeeded" in page.locator("main").inner_text():
                break
            page.wait_for_timeout(200)
            page.reload()
        assert "Succeeded" in page.locator("main").inner_text()


def test_a_read_key_holder_signs_in_but_may_not_review(page: Any, site: Site):
    _key, token = site.app.keys.create("reader", Scope.READ)
    page.goto("/signin")
    looked_at(page, "signin")
    sign_in(page, token)
    assert page.get_by_role("link", name="Review").count() == 0
    page.goto("/review")
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"


def test_the_api_docs_render_with_no_internet(page: Any, site: Site):
    page.goto("/docs")
    page.get_by_text("commitments").first.wait_for()  # Swagger UI drew the operations
    assert "treatycal" in page.title()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs-desktop.png"))


def test_an_editor_reads_the_report_and_tracks_a_proposal_with_a_new_title(page: Any, site: Site):
    found = sochi_report()
    if found is None:
        pytest.skip("the 14 May 2019 report (sochi-2019-05-14.txt) is not on this machine")
    report = found.read_text(encoding="utf-8")
    _key, token = site.app.keys.create("desk editor", Scope.WRITE)
    sign_in(page, token)
    page.get_by_role("link", name="Review").click()
    looked_at(page, "review")
    page.get_by_label("Article text").fill(report)
    page.get_by_label("Published on").fill("2019-05-14")
    page.get_by_label("Headline (optional)").fill("U.S.-Russia talks in Sochi")
    page.get_by_role("button", name="Read it").click()
    page.wait_for_url(re.compile(r"/review/sources/\d+"))
    assert page.locator(".text mark").count() >= 5  # the dated mentions, highlighted
    looked_at(page, "review-source")

    page.keyboard.press("j")  # the desk's keys: j to the first proposal, e to its title
    assert page.evaluate("document.activeElement.matches('article.proposal')")
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.name") == "title"
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("?")
    assert page.locator("details.keys").get_attribute("open") is not None

    heading = page.get_by_role("heading", name="New START expires", exact=True)
    proposal = page.locator("article.proposal").filter(has=heading)
    title = "New START expiry, as reported from Sochi"
    proposal.get_by_label("Title").fill(title)
    proposal.get_by_role("button", name="Track as a new commitment").click()
    notice = page.get_by_role("status")
    notice.wait_for()
    notice.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/commitments/"))
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert "effective 14 May 2019" in page.locator(".timeline").inner_text()
    assert "2021 — month and day not yet known" in page.locator(".due-line").inner_text()

    feed = Calendar.from_ical(page.request.get("/feeds/all.ics").body())
    summaries = [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]
    assert any(summary.startswith(title) for summary in summaries)

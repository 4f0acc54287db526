"""Journeys in a real browser: Debian's Chromium, headless, driven by Playwright.

The app runs under uvicorn in a thread of the test process, over a SQLite file holding the
shipped feeds, with its alert engine on the real clock (a frozen one would keep the engine's
real-time wake-ups forever early) and real HTTP on 127.0.0.1. Nothing is
downloaded: Playwright is pointed at the Chromium the machine has (TREATYCAL_TEST_CHROMIUM,
else /usr/bin/chromium); without one, these tests skip and say so. Every page a journey opens
is checked with axe-core and photographed at desktop and phone width, and as printed, into
tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from service.api import create_app
from service.app import App
from service.settings import Settings

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
ADMIN_TOKEN = "browser-admin-token"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SERIOUS = {"serious", "critical"}


def chromium() -> str | None:
    """The machine's Chromium, if it has one."""
    named = os.environ.get("TREATYCAL_TEST_CHROMIUM")
    candidates = [named] if named else ["/usr/bin/chromium", shutil.which("chromium") or ""]
    return next((path for path in candidates if path and Path(path).is_file()), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API holds an event loop in this thread while it is
    open, which would break the later tests that run one of their own."""
    executable = chromium()
    if executable is None:
        pytest.skip(
            "no Chromium here: install Debian's chromium (apt) or set TREATYCAL_TEST_CHROMIUM"
        )
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class Site:
    """The running app: its address and its use cases (to set the scene a journey starts in)."""

    url: str
    app: App


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'browser.db'}",
        feeds_dir=REPO / "feeds",
        admin_token=ADMIN_TOKEN,
        webhook_allow="127.0.0.1/32",
        engine_safety_interval=timedelta(seconds=1),
    )
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    settings = settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}"})
    web = create_app(settings, engine=True)
    server = uvicorn.Server(uvicorn.Config(web, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start within 30 s"
    try:
        yield Site(f"http://127.0.0.1:{port}", web.state.services.app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    """A tab that can reach this site only, as on a machine with no internet; a request for
    anything elsewhere (a CDN, a font service) is refused and fails the test."""
    context = browser.new_context(base_url=site.url, viewport=DESKTOP)
    elsewhere: list[str] = []

    def offline(route: Any) -> None:
        if route.request.url.startswith(site.url + "/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    assert not elsewhere, f"the pages asked for something beyond this site: {elsewhere}"


def looked_at(page: Any, name: str) -> None:
    """Check the page with axe-core (no serious or critical violation), then photograph it."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in serious
    ]
    assert not serious, f"accessibility problems on {name}:\n" + "\n".join(described)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{name} is {width}px wide on a {PHONE['width']}px phone"
    page.emulate_media(media="print")
    assert not page.locator("header nav").is_visible(), f"{name} prints its navigation"
    page.screenshot(path=str(ARTIFACTS / f"{name}-print.png"), full_page=True)
    page.emulate_media(media="screen")


def sign_in(page: Any, token: str) -> None:
    page.goto("/signin")
    page.get_by_label("API key").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

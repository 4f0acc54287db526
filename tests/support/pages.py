"""Reading the pages in tests: their CSRF token, signing in through the form, visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token the page's forms carry."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> str:
    """Sign in through the form, as a browser does; returns the session's CSRF token."""
    form = client.get("/signin")
    assert form.status_code == 200, form.text
    answer = client.post(
        "/signin",
        data={"token": token, "csrf": csrf_of(form.text), "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/").text)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """What a reader sees of the page, with runs of white space made one space."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())

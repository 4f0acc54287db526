"""The ways to subscribe to a feed's address: calendar apps' add-by-URL links and a QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from markupsafe import escape

from service.app import PublishedFeed
from service.feeds import webcal_url

GOOGLE = "https://calendar.google.com/calendar/r"
OUTLOOK_COM = "https://outlook.live.com/calendar/0/addfromweb"
MICROSOFT_365 = "https://outlook.office.com/calendar/0/addfromweb"


@dataclass(frozen=True, slots=True)
class SubscribeLink:
    label: str
    href: str


@dataclass(frozen=True, slots=True)
class Subscribe:
    """Everything a reader needs to subscribe to one address."""

    url: str
    links: tuple[SubscribeLink, ...]
    qr: str
    """An SVG made here, so the template may insert it unescaped."""


def subscribe_links(url: str, title: str) -> tuple[SubscribeLink, ...]:
    """One-click links for the calendars people use; each takes the address its own way."""
    add_from_web = urlencode({"url": url, "name": title}, quote_via=quote)
    return (
        SubscribeLink("Apple Calendar / Outlook desktop", webcal_url(url)),
        SubscribeLink("Google Calendar", f"{GOOGLE}?cid={quote(webcal_url(url), safe='')}"),
        SubscribeLink("Outlook.com", f"{OUTLOOK_COM}?{add_from_web}"),
        SubscribeLink("Microsoft 365", f"{MICROSOFT_365}?{add_from_web}"),
    )


def qr_svg(url: str) -> str:
    """The address as a QR code in SVG, sized by the stylesheet (it has a viewBox, no size)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
        light="#fff",
        nl=False,
    )
    return buffer.getvalue().decode()


def labelled_qr(url: str, title: str) -> str:
    """The QR code as an image a screen reader can name; the title is escaped, so it is safe."""
    label = escape(f"QR code of the address of {title}")
    return qr_svg(url).replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def subscribe(published: PublishedFeed) -> Subscribe | None:
    """How to subscribe to a listed feed; None when its address is not shown (a private one)."""
    if published.url is None:
        return None
    title = published.feed.title
    url = published.url
    return Subscribe(url, subscribe_links(url, title), labelled_qr(url, title))

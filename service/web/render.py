"""Templates, and the response every page is sent as: HTML under a strict policy."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from service.web import format as fmt

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""Pages load only their own files: no inline script or style, no CDN."""

_templates = Environment(
    loader=FileSystemLoader(str(files("service.web") / "templates")),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters.update(
    day=fmt.day_text,
    utc=fmt.utc_text,
    due=fmt.due_text,
    span=fmt.span_text,
    countdown=fmt.countdown,
    in_days=fmt.in_days,
    kind=fmt.kind_label,
    status=fmt.status_label,
    sentence=fmt.sentence,
    offset=fmt.offset_text,
    rule=fmt.rule_text,
)


def page(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """The template rendered with what every page shows: who is signed in, the form token."""
    state = request.state
    body = _templates.get_template(template).render(
        request=request,
        session=getattr(state, "session", None),
        csrf=getattr(state, "csrf", None) or "",
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(body, status_code=status_code, headers=headers)
    response.headers["content-security-policy"] = PAGE_POLICY
    response.headers["cache-control"] = "no-store"
    return response


def error_page(
    request: Request, title: str, status: int, detail: str, headers: dict[str, str] | None
) -> Response:
    """An error, as a page a reader can act on (the API answers the same with problem+json)."""
    return page(
        request,
        "error.html",
        status_code=status,
        headers=headers,
        title=title,
        status=status,
        detail=detail,
    )

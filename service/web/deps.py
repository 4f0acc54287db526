"""What page handlers receive: the use cases, who is signed in, and a form whose CSRF token held."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from service.app import App, Session
from service.domain import Scope
from service.errors import Forbidden
from service.web.render import error_page

SESSION_COOKIE = "treatycal_session"
VISITOR_COOKIE = "treatycal_visitor"


class SignInNeeded(Exception):
    """The page needs a signed-in key holder: answered with a redirect to /signin."""

    def __init__(self, path: str) -> None:
        super().__init__(f"{path} needs a signed-in key holder")
        self.path = path


class FormRefused(Exception):
    """A form came without the CSRF token of the page that sent it: answered with 403."""


def use_cases(request: Request) -> App:
    app: App = request.app.state.services.app
    return app


PageApp = Annotated[App, Depends(use_cases)]


def visitor(request: Request, app: PageApp) -> Session | None:
    """The signed-in key holder, or None; a stale or forged cookie is simply no one."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return app.sessions.resume(cookie) if cookie else None


Visitor = Annotated[Session | None, Depends(visitor)]


def _signed_in(needed: Scope) -> Callable[..., Session]:
    def holder(request: Request, session: Visitor) -> Session:
        if session is None:
            raise SignInNeeded(request.url.path)
        if not session.scope.allows(needed):
            raise Forbidden(needed.value, session.scope.value)
        return session

    return holder


KeyHolder = Annotated[Session, Depends(_signed_in(Scope.READ))]
Editor = Annotated[Session, Depends(_signed_in(Scope.WRITE))]
Administrator = Annotated[Session, Depends(_signed_in(Scope.ADMIN))]


def expected_csrf(request: Request, app: App, session: Session | None) -> str | None:
    """The token this browser's forms carry: its session's, or before signing in its nonce's."""
    if session is not None:
        return session.csrf
    cookie = request.cookies.get(VISITOR_COOKIE)
    return app.sessions.csrf_for_visitor(cookie) if cookie else None


async def checked_form(request: Request, app: PageApp, session: Visitor) -> FormData:
    """The posted form, once its CSRF token matches this browser's."""
    form = await request.form()
    sent = form.get("csrf")
    expected = expected_csrf(request, app, session)
    if not isinstance(sent, str) or expected is None or not hmac.compare_digest(sent, expected):
        raise FormRefused
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def mark_page(request: Request) -> None:
    """Errors on this request are shown as a page, not as a problem document."""
    request.state.page_error = error_page


def page_context(request: Request, session: Visitor) -> None:
    """What every page shows: who is signed in, and the token its forms carry."""
    request.state.session = session
    request.state.csrf = session.csrf if session is not None else None


PAGE = [Depends(mark_page), Depends(page_context)]
"""The dependencies of every page router."""

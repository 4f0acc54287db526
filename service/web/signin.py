"""/signin and /signout: an API key becomes a signed, HttpOnly session cookie, and back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from service.web.deps import (
    PAGE,
    SESSION_COOKIE,
    VISITOR_COOKIE,
    CheckedForm,
    PageApp,
    Visitor,
)
from service.web.render import page

router = APIRouter(dependencies=PAGE, include_in_schema=False)


def safe_next(target: object) -> str:
    """Where to go after signing in: a path on this site only, never another host."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _secure(request: Request, app: PageApp) -> bool:
    """Cookies are Secure when the service is reached over https (directly or behind a proxy)."""
    public = app.settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


@router.get("/signin", summary="Sign in with an API key")
def signin_form(
    request: Request,
    app: PageApp,
    session: Visitor,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    if session is not None:
        return RedirectResponse(safe_next(next_path), status_code=303)
    return _form(request, app, safe_next(next_path), None, 200)


def _form(
    request: Request, app: PageApp, next_path: str, error: str | None, status: int
) -> Response:
    """The sign-in form, with a CSRF token bound to this browser's visitor cookie."""
    cookie = request.cookies.get(VISITOR_COOKIE)
    csrf = app.sessions.csrf_for_visitor(cookie) if cookie else None
    if csrf is None:
        cookie = app.sessions.visitor_cookie()
        csrf = app.sessions.csrf_for_visitor(cookie)
    request.state.csrf = csrf
    response = page(
        request, "signin.html", status_code=status, title="Sign in", next=next_path, error=error
    )
    response.set_cookie(
        VISITOR_COOKIE,
        cookie or "",
        httponly=True,
        samesite="lax",
        secure=_secure(request, app),
        path="/",
    )
    return response


@router.post("/signin")
def signin(request: Request, app: PageApp, form: CheckedForm) -> Response:
    token = form.get("token")
    next_path = safe_next(form.get("next"))
    client = request.client.host if request.client else "unknown"
    signed_in = app.sessions.sign_in(token, client) if isinstance(token, str) and token else None
    if signed_in is None:
        return _form(request, app, next_path, "That key is not valid, or it has been revoked.", 401)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.cookie,
        max_age=int(app.settings.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request, app),
        path="/",
    )
    response.delete_cookie(VISITOR_COOKIE, path="/")
    return response


@router.post("/signout")
def signout(request: Request, app: PageApp, form: CheckedForm) -> Response:
    """End the session in the database, so a copied cookie signs no one in either."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        app.sessions.sign_out(cookie)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

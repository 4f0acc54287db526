"""Mounting the pages on the app: their routers, their files, and how they answer errors."""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from service.web import admin, commitments, feeds, home, review, signin
from service.web.deps import FormRefused, SignInNeeded
from service.web.render import error_page

PAGES = (home, commitments, signin, admin, feeds, review)


def install(app: FastAPI) -> None:
    for module in PAGES:
        app.include_router(module.router)
    static = StaticFiles(directory=str(files("service.web") / "static"))
    app.mount("/static", static, name="static")
    app.add_exception_handler(SignInNeeded, _sign_in_first)
    app.add_exception_handler(FormRefused, _refused)


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    back = exc.path if request.method == "GET" else "/"  # a form's target cannot be re-opened
    return RedirectResponse(f"/signin?next={quote(back)}", status_code=303)


async def _refused(request: Request, exc: Exception) -> Response:
    detail = (
        "This form was not sent from a page of this site, or the page is too old. "
        "Go back, reload the page and send it again."
    )
    return error_page(request, "Form refused", 403, detail, None)

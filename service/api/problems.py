"""RFC 9457 problem documents, and the one place that maps errors to HTTP status codes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import (
    BadRequest,
    DeliveryNotRetryable,
    DuplicateCommitment,
    FeedConflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ProposalAlreadyDecided,
    ProposalIsDuplicate,
    RevisionConflict,
    ServiceError,
    StoreError,
    TooManyFailures,
    Unauthorized,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

PageError = Callable[[Request, str, int, str, dict[str, str] | None], Response]
"""How a page shows an error: (request, title, status, detail, headers) to a response."""

STATUS_FOR: tuple[tuple[type[ServiceError], int], ...] = (
    (RevisionConflict, 412),
    (BadRequest, 400),
    (InvalidInput, 422),
    (NotFound, 404),
    (DuplicateCommitment, 409),
    (FeedConflict, 409),
    (ProposalAlreadyDecided, 409),
    (ProposalIsDuplicate, 409),
    (DeliveryNotRetryable, 409),
    (Unauthorized, 401),
    (TooManyFailures, 429),
    (Forbidden, 403),
    (StoreError, 503),
)

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
    422: "Invalid input",
    500: "Internal error",
    503: "Service unavailable",
}


class FieldProblem(BaseModel):
    field: str = Field(description="Where in the request, e.g. body.due.value or query.within")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": TITLES[code]}
    for code in (400, 401, 403, 404, 409, 412, 413, 422, 429, 503)
}


def problem(
    status: int,
    detail: str,
    request: Request | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The problem document; on a page (one that set `request.state.page_error`), a page."""
    body = Problem(
        title=TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        instance=request.url.path if request else None,
        errors=errors,
    )
    as_page: PageError | None = getattr(request.state, "page_error", None) if request else None
    if as_page is not None and request is not None:
        return as_page(request, body.title, status, detail, headers)
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def status_for(exc: ServiceError) -> int:
    return next((code for kind, code in STATUS_FOR if isinstance(exc, kind)), 500)


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    status = status_for(exc)
    if status >= 500:
        log.error("request %s failed: %s", request.url.path, exc, exc_info=exc.__cause__)
    return problem(status, str(exc), request, headers=_headers_for(exc))


def _headers_for(exc: ServiceError) -> dict[str, str] | None:
    if isinstance(exc, Unauthorized):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, TooManyFailures):
        return {"Retry-After": str(exc.retry_after)}
    return None


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [_field_problem(error) for error in exc.errors()]
    if any(error.get("type") == "json_invalid" for error in exc.errors()):
        return problem(400, "the body is not valid JSON: " + errors[0].message, request, errors)
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem(422, summary or "the request is not valid", request, errors)


def _field_problem(error: Mapping[str, Any]) -> FieldProblem:
    location = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return FieldProblem(field=location or "request", message=message)


async def _model_error(request: Request, exc: Exception) -> Response:
    """A model a handler built from valid input refused it after all: still the input's fault."""
    assert isinstance(exc, ValidationError)
    errors = [_field_problem(error) for error in exc.errors()]
    summary = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
    return problem(422, summary or "the request is not valid", request, errors)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing is served at {request.url.path}; see /docs"
    return problem(exc.status_code, detail, request, headers=dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "an unexpected error occurred; it has been logged", request)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _model_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

"""What route handlers receive: the use cases and the caller's verified key."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.metrics import Metrics
from service.app import App, Caller
from service.domain import Scope
from service.errors import Forbidden, Unauthorized


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request may use, built once by create_app."""

    app: App
    metrics: Metrics
    warmed: threading.Event = field(default_factory=threading.Event)


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_app(request: Request) -> App:
    services: Services = request.app.state.services
    return services.app


ServicesDep = Annotated[Services, Depends(get_services)]
AppDep = Annotated[App, Depends(get_app)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key from `treatycal keys create`, or TREATYCAL_ADMIN_TOKEN",
)


def _identify(
    app: App, request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized
    client = request.client.host if request.client else "unknown"
    caller = app.keys.authenticate(credentials.credentials, client)
    if caller is None:
        raise Unauthorized("the API key is not valid or has been revoked")
    return caller


def _requiring(needed: Scope) -> Callable[..., Caller]:
    def caller(
        app: AppDep,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        found = _identify(app, request, credentials)
        if not found.scope.allows(needed):
            raise Forbidden(needed.value, found.scope.value)
        return found

    return caller


def _optional_caller(
    app: AppDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller | None:
    """No key is fine; a key that is sent must be valid, or the caller would be misled."""
    return None if credentials is None else _identify(app, request, credentials)


Anyone = Annotated[Caller | None, Depends(_optional_caller)]
Reader = Annotated[Caller, Depends(_requiring(Scope.READ))]
Writer = Annotated[Caller, Depends(_requiring(Scope.WRITE))]
Admin = Annotated[Caller, Depends(_requiring(Scope.ADMIN))]

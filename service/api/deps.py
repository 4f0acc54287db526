"""What route handlers receive: the app's services and the caller's verified key."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.alerts import Engine, Planner
from service.api.feedcache import FeedCache
from service.api.metrics import Metrics
from service.clock import Clock
from service.domain import Scope
from service.errors import Forbidden, Unauthorized
from service.settings import Settings
from service.store import Store


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a request may use, built once by create_app."""

    settings: Settings
    store: Store
    planner: Planner
    engine: Engine | None
    clock: Clock
    feed_cache: FeedCache
    metrics: Metrics
    warmed: threading.Event = field(default_factory=threading.Event)

    def wake_engine(self) -> None:
        """Have an in-process engine look for work now; a separate worker polls on its own."""
        if self.engine is not None:
            self.engine.poke()


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is making a write: recorded as the actor of every revision."""

    actor: str
    scope: Scope


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API key from `treatycal keys create`, or TREATYCAL_ADMIN_TOKEN",
)


def _identify(services: Services, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized
    token = credentials.credentials
    admin = services.settings.admin_token
    if admin is not None and hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
        return Caller(actor="admin-token", scope=Scope.ADMIN)
    key = services.store.keys.verify(token)
    if key is None:
        raise Unauthorized("the API key is not valid or has been revoked")
    return Caller(actor=f"key:{key.id} ({key.name})", scope=key.scope)


def _requiring(needed: Scope) -> Callable[..., Caller]:
    def caller(
        services: ServicesDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Caller:
        found = _identify(services, credentials)
        if not found.scope.allows(needed):
            raise Forbidden(needed.value, found.scope.value)
        return found

    return caller


def _optional_caller(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller | None:
    """No key is fine; a key that is sent must be valid, or the caller would be misled."""
    return None if credentials is None else _identify(services, credentials)


Anyone = Annotated[Caller | None, Depends(_optional_caller)]
Reader = Annotated[Caller, Depends(_requiring(Scope.READ))]
Writer = Annotated[Caller, Depends(_requiring(Scope.WRITE))]

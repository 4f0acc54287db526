"""API keys and their scopes."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from service.domain.base import FROZEN, UtcDatetime


class Scope(StrEnum):
    """What an API key may do; each scope includes those before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def allows(self, needed: Scope) -> bool:
        order = list(Scope)
        return order.index(self) >= order.index(needed)


class ApiKey(BaseModel):
    """A stored API key; the secret itself is never kept, only its hash."""

    model_config = FROZEN

    id: str
    name: str
    scope: Scope
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None = None

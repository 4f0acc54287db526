"""API keys: made with a secret shown once, checked on every write, revoked for good."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from service.app.context import Context
from service.app.throttle import FailureWindow
from service.domain import ApiKey, Scope
from service.errors import TooManyFailures


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is making a write: recorded as the actor of every revision."""

    actor: str
    scope: Scope
    key_id: str | None = None
    """The stored key, or None for TREATYCAL_ADMIN_TOKEN."""


class Keys:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        settings = ctx.settings
        self._failures = FailureWindow(
            settings.auth_failure_limit, settings.auth_failure_window, ctx.clock
        )

    def create(self, name: str, scope: Scope) -> tuple[ApiKey, str]:
        """A new key and its token; the token is not stored and cannot be shown again."""
        with self._ctx.transaction() as tx:
            return tx.keys.create(name, scope)

    def all(self) -> list[ApiKey]:
        with self._ctx.read() as tx:
            return tx.keys.all()

    def revoke(self, key_id: str) -> ApiKey:
        with self._ctx.transaction() as tx:
            return tx.keys.revoke(key_id)

    def authenticate(self, token: str, client: str) -> Caller | None:
        """Who this token is: TREATYCAL_ADMIN_TOKEN, a live stored key, or no one (None).

        A client address that failed too often in a short time gets TooManyFailures instead
        of another answer; a valid key is answered whatever its address did.
        """
        caller = self._identify(token)
        if caller is not None:
            return caller
        wait = self._failures.wait(client)
        if wait is not None:
            raise TooManyFailures(wait.total_seconds())
        self._failures.record(client)
        return None

    def _identify(self, token: str) -> Caller | None:
        admin = self._ctx.settings.admin_token
        if admin is not None and hmac.compare_digest(
            token.encode(), admin.get_secret_value().encode()
        ):
            return Caller(actor="admin-token", scope=Scope.ADMIN)
        with self._ctx.read() as tx:
            key = tx.keys.verify(token)
        if key is None:
            return None
        return Caller(actor=f"key:{key.id} ({key.name})", scope=key.scope, key_id=key.id)

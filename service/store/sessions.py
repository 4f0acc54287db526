"""Signed-in browsers, and the secret their cookies are signed with, kept in the database.

Keeping the secret here (made once, on first use) means every replica and every restart signs
and checks cookies alike without a setting to share.
"""

from __future__ import annotations

import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from service.clock import Clock
from service.domain import Scope
from service.store.keys import hash_token
from service.store.tables import api_keys, service_secrets, web_sessions


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A session as stored: whose key, and until when it holds."""

    key_id: str | None
    actor: str
    scope: Scope
    expires_at: datetime


class Sessions:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def secret(self, name: str) -> str:
        """The named secret, made on first use; a replica racing to make it reads the winner's."""
        query = select(service_secrets.c.value).where(service_secrets.c.name == name)
        found = self._conn.execute(query).scalar()
        if found is not None:
            return str(found)
        made = service_secrets.insert().values(
            name=name, value=secrets.token_urlsafe(48), created_at=self._clock()
        )
        with suppress(IntegrityError), self._conn.begin_nested():  # lost a race: read theirs
            self._conn.execute(made)
        return str(self._conn.execute(query).scalar_one())

    def start(
        self, token: str, key_id: str | None, actor: str, scope: Scope, until: datetime
    ) -> None:
        self._conn.execute(
            web_sessions.insert().values(
                token_hash=hash_token(token),
                key_id=key_id,
                actor=actor,
                scope=scope.value,
                created_at=self._clock(),
                expires_at=until,
            )
        )

    def find(self, token: str) -> SessionRecord | None:
        """The live session with this token: not ended, not expired, its key not revoked."""
        query = (
            select(web_sessions, api_keys.c.revoked_at)
            .outerjoin(api_keys, api_keys.c.id == web_sessions.c.key_id)
            .where(
                web_sessions.c.token_hash == hash_token(token),
                web_sessions.c.ended_at.is_(None),
                web_sessions.c.expires_at > self._clock(),
            )
        )
        row = self._conn.execute(query).mappings().first()
        if row is None or row["revoked_at"] is not None:
            return None
        return SessionRecord(row["key_id"], row["actor"], Scope(row["scope"]), row["expires_at"])

    def end(self, token: str) -> None:
        self._conn.execute(
            update(web_sessions)
            .where(web_sessions.c.token_hash == hash_token(token))
            .values(ended_at=self._clock())
        )

    def forget_expired(self) -> int:
        """Delete sessions that ended or expired; returns how many."""
        now = self._clock()
        gone = web_sessions.delete().where(
            (web_sessions.c.expires_at <= now) | web_sessions.c.ended_at.is_not(None)
        )
        return self._conn.execute(gone).rowcount

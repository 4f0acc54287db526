"""API keys: made with a secret shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Connection, RowMapping, select, update

from service.clock import Clock
from service.domain import ApiKey, Scope
from service.errors import ApiKeyNotFound
from service.store.tables import api_keys

TOKEN_PREFIX = "tcal_"  # noqa: S105 - a prefix, not a secret


def hash_token(token: str) -> str:
    """SHA-256 is enough here: tokens carry 256 random bits, so there is nothing to guess."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiKeys:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def create(self, name: str, scope: Scope) -> tuple[ApiKey, str]:
        """A new key and its token; the token is not stored and cannot be shown again."""
        key_id = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        key = ApiKey(id=key_id, name=name, scope=scope, created_at=self._clock())
        self._conn.execute(
            api_keys.insert().values(
                id=key.id,
                name=key.name,
                scope=key.scope.value,
                key_hash=hash_token(token),
                created_at=key.created_at,
            )
        )
        return key, token

    def verify(self, token: str) -> ApiKey | None:
        """The live key this token belongs to, or None."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        query = select(api_keys).where(api_keys.c.key_hash == hash_token(token))
        row = self._conn.execute(query).mappings().first()
        key = _key(row) if row else None
        return key if key is not None and key.revoked_at is None else None

    def all(self) -> list[ApiKey]:
        rows = self._conn.execute(select(api_keys).order_by(api_keys.c.created_at)).mappings()
        return [_key(row) for row in rows]

    def revoke(self, key_id: str) -> ApiKey:
        self._conn.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=self._clock())
        )
        row = self._conn.execute(select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
        if row is None:
            raise ApiKeyNotFound(key_id)
        return _key(row)


def _key(row: RowMapping) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        scope=Scope(row["scope"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )

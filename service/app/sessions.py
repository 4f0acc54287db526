"""Signing in to the pages: an API key becomes a session, named by a signed cookie.

The cookie is `<token>.<signature>`: the token is random and stored only as a hash; the
signature (HMAC-SHA256 under a secret kept in the database) lets a forged cookie be refused
before any lookup. Every form carries a CSRF token bound to the session, or, before signing
in, to a signed visitor nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from service.app.context import Context
from service.app.keys import Caller, Keys
from service.domain import Scope

_SECRET_NAME = "session-signing"  # noqa: S105 - the name of a stored secret


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser: who, and the CSRF token its forms must carry."""

    caller: Caller
    csrf: str

    @property
    def scope(self) -> Scope:
        return self.caller.scope


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session and the cookie value that names it (set once, never shown)."""

    session: Session
    cookie: str


class Sessions:
    def __init__(self, ctx: Context, keys: Keys) -> None:
        self._ctx = ctx
        self._keys = keys
        self._key: bytes | None = None

    def sign_in(self, token: str, client: str) -> SignedIn | None:
        """A session for the holder of this API key, or None if the key is not valid.

        Failed tries count against the client like any other (TooManyFailures past the limit).
        """
        caller = self._keys.authenticate(token, client)
        if caller is None:
            return None
        session_token = secrets.token_urlsafe(32)
        until = self._ctx.clock() + self._ctx.settings.session_lifetime
        with self._ctx.transaction() as tx:
            tx.sessions.forget_expired()
            tx.sessions.start(session_token, caller.key_id, caller.actor, caller.scope, until)
        session = Session(caller, self.csrf_token(session_token))
        return SignedIn(session, self.sign(session_token))

    def resume(self, cookie: str) -> Session | None:
        """The live session this cookie names, or None (forged, ended, expired, key revoked)."""
        session_token = self.verify(cookie)
        if session_token is None:
            return None
        with self._ctx.read() as tx:
            found = tx.sessions.find(session_token)
        if found is None or (found.key_id is None and self._ctx.settings.admin_token is None):
            return None
        caller = Caller(actor=found.actor, scope=found.scope, key_id=found.key_id)
        return Session(caller, self.csrf_token(session_token))

    def sign_out(self, cookie: str) -> None:
        """End the session for good: the cookie no longer signs anyone in, wherever it is."""
        session_token = self.verify(cookie)
        if session_token is not None:
            with self._ctx.transaction() as tx:
                tx.sessions.end(session_token)

    def visitor_cookie(self) -> str:
        """A signed nonce for a browser not signed in, so its sign-in form has a CSRF token."""
        return self.sign(secrets.token_urlsafe(16))

    def csrf_for_visitor(self, cookie: str) -> str | None:
        nonce = self.verify(cookie)
        return None if nonce is None else self.csrf_token(nonce)

    def csrf_token(self, seed: str) -> str:
        return self._mac(f"csrf:{seed}")

    def sign(self, value: str) -> str:
        return f"{value}.{self._mac(f'cookie:{value}')}"

    def verify(self, signed: str) -> str | None:
        """The value a signed cookie carries, if the signature is ours."""
        value, _, signature = signed.rpartition(".")
        if not value or not hmac.compare_digest(signature, self._mac(f"cookie:{value}")):
            return None
        return value

    def _mac(self, message: str) -> str:
        if self._key is None:
            with self._ctx.transaction() as tx:
                self._key = tx.sessions.secret(_SECRET_NAME).encode()
        digest = hmac.new(self._key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

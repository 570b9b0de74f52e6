"""Who is asking: access tokens (JWT, HS256 via joserfc), the identity they carry, and the checks every request gets
(signature, `exp`/`iat`/`jti`, the login it belongs to still open, the account still active).

Access tokens are short-lived and name their login (`sid`). Logging out, or reusing a spent refresh token, revokes
that login; each app process re-reads a login's state at most every `_RECHECK_S` seconds, so a revoked token stops
working everywhere within that time, and at once in the process that revoked it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import AuthSession, User, as_utc
from studio.errors import AccountSuspended, TokenExpired, Unauthorized

COOKIE = "comicreel_session"  # the studio's HttpOnly cookie holding an access token
_ALGORITHM = "HS256"
_RECHECK_S = 2.0


@dataclass(frozen=True)
class Identity:
    """An authenticated caller. `session_id` is None for the embedded studio's local creator (auth off)."""

    user_id: uuid.UUID
    role: str = "user"
    session_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def signing_key(secret: bytes) -> OctKey:
    """A key for JWTs only, derived from the app secret (which also signs file URLs)."""
    return OctKey.import_key(hmac.new(secret, b"comicreel access tokens v1", hashlib.sha256).digest())


class Authenticator:
    def __init__(self, sessions: sessionmaker[Session], secret: bytes, *, access_ttl: int) -> None:
        self.sessions, self.access_ttl = sessions, access_ttl
        self._key = signing_key(secret)
        self._claims = jwt.JWTClaimsRegistry(exp={"essential": True}, iat={"essential": True},
                                             jti={"essential": True}, sub={"essential": True})  # fmt: skip
        self._checked: dict[uuid.UUID, tuple[float, str, str]] = {}  # sid -> (when read, refusal or "", role)
        self._lock = threading.Lock()

    def issue(self, user: User, session_id: uuid.UUID, plan: str | None) -> tuple[str, int]:
        """An access token for `user` in login `session_id`, and its lifetime in seconds."""
        now = int(time.time())
        claims = {"sub": str(user.id), "user_id": str(user.id), "username": user.username, "email": user.email,
                  "role": user.role, "plan": plan, "sid": str(session_id), "iat": now, "exp": now + self.access_ttl,
                  "jti": uuid.uuid4().hex}  # fmt: skip
        return jwt.encode({"alg": _ALGORITHM}, claims, self._key, algorithms=[_ALGORITHM]), self.access_ttl

    def verify(self, token: str) -> Identity:
        """The identity of a valid access token; Unauthorized (tampered, malformed, revoked), TokenExpired or
        AccountSuspended otherwise."""
        try:
            decoded = jwt.decode(token, self._key, algorithms=[_ALGORITHM])
            self._claims.validate(decoded.claims)
            claims = decoded.claims
            user_id, session_id = uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["sid"]))
        except ExpiredTokenError:
            raise TokenExpired("the access token has expired: refresh it at /api/v1/auth/refresh") from None
        except (JoseError, KeyError, ValueError, TypeError):
            raise Unauthorized("the access token is invalid: log in again") from None
        refusal, role = self._login_state(session_id, user_id)
        if refusal == "suspended":
            raise AccountSuspended("this account is suspended")
        if refusal:
            raise Unauthorized("this login has ended: log in again")
        return Identity(user_id=user_id, role=role, session_id=session_id)

    def forget(self, session_id: uuid.UUID) -> None:
        """Drop what this process remembers of a login (it was just revoked, or its user changed)."""
        with self._lock:
            self._checked.pop(session_id, None)

    def _login_state(self, session_id: uuid.UUID, user_id: uuid.UUID) -> tuple[str | None, str]:
        now = time.monotonic()
        with self._lock:
            hit = self._checked.get(session_id)
        if hit is not None and now - hit[0] < _RECHECK_S:
            return hit[1] or None, hit[2]
        with self.sessions() as s:
            row = s.execute(
                select(AuthSession.revoked_at, AuthSession.expires_at, User.status, User.role)
                .join(User, User.id == AuthSession.user_id)
                .where(AuthSession.id == session_id, AuthSession.user_id == user_id)
            ).first()  # fmt: skip
        if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= datetime.now(UTC):
            refusal = "ended"
        elif row.status != "active":
            refusal = "suspended"
        else:
            refusal = ""
        role = row.role if row is not None else "user"
        with self._lock:
            if len(self._checked) > 10_000:
                self._checked.clear()
            self._checked[session_id] = (now, refusal, role)
        return (refusal or None), role


def token_from(headers: Any, cookies: Any) -> str:
    """The access token a request carries: `Authorization: Bearer …`, else the studio's session cookie."""
    scheme, _, value = str(headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return str(cookies.get(COOKIE) or "")



def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

"""Accounts (seed §3.1): register, log in, refresh with rotation, log out; profiles, plans and quotas; what admins
change. Passwords are hashed with Argon2id (argon2-cffi); refresh tokens are random and kept only as SHA-256.

A login is an `AuthSession`; each refresh token it hands out is used once. Exchanging a spent one means it leaked:
the whole login (every token of that family) is revoked.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import AuthSession, Plan, RefreshToken, Subscription, User, as_utc
from db.session import changed_rows, transaction
from studio.auth import digest
from studio.errors import AccountSuspended, Conflict, Forbidden, InvalidParams, NotFound, Unauthorized
from studio.services import Services

_HASHER = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_USERNAME = re.compile(r"^[\w.-]{3,50}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
PLANS = ("free", "basic", "pro", "enterprise")
ROLES = ("user", "admin")
# Verified against when the account does not exist, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def _now() -> datetime:
    return datetime.now(UTC)


def checked_email(value: Any) -> str:
    email = str(value or "").strip().lower()
    if len(email) > 255 or not _EMAIL.match(email):
        raise InvalidParams("email must be an email address", field="email")
    return email


def checked_username(value: Any) -> str:
    name = str(value or "").strip()
    if not _USERNAME.match(name):
        raise InvalidParams("username must be 3-50 letters, digits, '.', '_' or '-'", field="username")
    return name


def checked_password(value: Any) -> str:
    password = str(value or "")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidParams(f"password must be {MIN_PASSWORD}-{MAX_PASSWORD} characters", field="password")
    return password


def register(svc: Services, *, email: str, password: str, username: str) -> dict[str, Any]:
    """A new active account on the free plan, logged in. Never an admin: nobody has verified the email (operators
    promote with `comicreel admin EMAIL`)."""
    if not svc.settings.registration_open:
        raise Forbidden("registration is closed here: ask an admin for an account")
    email, username, password = checked_email(email), checked_username(username), checked_password(password)
    hashed = _HASHER.hash(password)
    with transaction(svc.sessions) as s:
        taken = s.scalars(select(User).where((func.lower(User.email) == email) | (User.username == username))).first()
        if taken is not None:
            field = "email" if taken.email.lower() == email else "username"
            raise Conflict(f"that {field} is already registered", field=field)
        user_id = add_account(s, svc, email=email, username=username, password_hash=hashed, may_be_admin=False)
    return {"user_id": str(user_id), **open_login(svc, user_id)}


def add_account(
    s: Session, svc: Services, *, email: str, username: str, password_hash: str, may_be_admin: bool
) -> uuid.UUID:
    """A new active account on the free plan, in the caller's transaction; admin if its email is in
    COMICREEL_ADMIN_EMAILS and `may_be_admin` (false for an email nobody has verified)."""
    admin = may_be_admin and email in {e.lower() for e in svc.settings.admin_emails}
    user = User(email=email, username=username, password_hash=password_hash, role="admin" if admin else "user")
    s.add(user)
    s.flush()
    s.add(Subscription(user_id=user.id, plan="free", videos_quota=_plan_quota(s, "free")))
    s.flush()
    return user.id


def login(svc: Services, *, email: str, password: str) -> dict[str, Any]:
    """Tokens for a correct email and password; Unauthorized (the same message for an unknown email) otherwise."""
    email = str(email or "").strip().lower()
    with svc.sessions() as s:
        user = s.scalars(select(User).where(func.lower(User.email) == email)).first()
        stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, str(password or ""))
        matched = user is not None
    except (VerificationError, InvalidHashError):
        matched = False
    if not matched or user is None:
        raise Unauthorized("wrong email or password")
    if user.status != "active":
        raise AccountSuspended("this account is suspended")
    if _HASHER.check_needs_rehash(stored):
        with transaction(svc.sessions) as s:
            s.execute(update(User).where(User.id == user.id).values(password_hash=_HASHER.hash(str(password))))
    return {**open_login(svc, user.id), "user": user_public(svc, user.id)}


def refresh(svc: Services, *, refresh_token: str) -> dict[str, Any]:
    """New access and refresh tokens for an unused refresh token of an open login; a spent one revokes its login."""
    hashed = digest(str(refresh_token or ""))
    with transaction(svc.sessions) as s:
        row = s.get(RefreshToken, hashed)
        login_row = s.get(AuthSession, row.session_id) if row is not None else None
        if row is None or login_row is None or login_row.revoked_at is not None:
            raise Unauthorized("the refresh token is invalid: log in again")
        if as_utc(login_row.expires_at) <= _now():
            raise Unauthorized("this login has expired: log in again")
        spent = not changed_rows(s, update(RefreshToken).where(RefreshToken.token_hash == hashed,
                                                                RefreshToken.used_at.is_(None)).values(used_at=_now()))  # fmt: skip
        session_id = login_row.id
        if spent:
            login_row.revoked_at, login_row.revoked_why = _now(), "refresh token reused"
        else:
            user = s.get(User, login_row.user_id)
            if user is None or user.status != "active":
                raise AccountSuspended("this account is suspended")
            # The next token is written with this one's use: a failure leaves this one unused, for a retry.
            tokens = _tokens(s, svc, user.id, session_id)
    if spent:  # committed above, so the revocation stands although this request is refused
        svc.authenticator.forget(session_id)
        raise Unauthorized("this refresh token was already used: the login is revoked; log in again")
    return tokens


def logout(svc: Services, *, user_id: uuid.UUID, session_id: uuid.UUID | None) -> None:
    """End the caller's login: its access and refresh tokens stop working."""
    if session_id is None:
        return
    with transaction(svc.sessions) as s:
        s.execute(update(AuthSession).where(AuthSession.id == session_id, AuthSession.user_id == user_id,
                                            AuthSession.revoked_at.is_(None))
                  .values(revoked_at=_now(), revoked_why="logout"))  # fmt: skip
    svc.authenticator.forget(session_id)


def user_public(svc: Services, user_id: uuid.UUID) -> dict[str, Any]:
    with svc.sessions() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        sub = _subscription(s, user.id)
        quota = None if sub is None else {"videos_total": sub.videos_quota, "videos_used": sub.videos_used,
                                          "videos_remaining": max(0, sub.videos_quota - sub.videos_used)}  # fmt: skip
        return {
            "id": str(user.id), "username": user.username, "email": user.email, "role": user.role,
            "status": user.status, "preferences": user.preferences or {},
            "subscription": None if sub is None else {"plan": sub.plan, "status": sub.status, "quota": quota,
                                                       "expires_at": sub.expires_at.isoformat() if sub.expires_at else None},
            "created_at": user.created_at.isoformat(),
        }  # fmt: skip


def update_user(svc: Services, *, user_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """The caller's own username and preferences (a JSON object of at most 16 KB)."""
    with transaction(svc.sessions) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        if changes.get("username") is not None:
            name = checked_username(changes["username"])
            if s.scalars(select(User.id).where(User.username == name, User.id != user_id)).first():
                raise Conflict("that username is taken", field="username")
            user.username = name
        if changes.get("preferences") is not None:
            user.preferences = changes["preferences"]
    return user_public(svc, user_id)


def admin_update_user(svc: Services, *, user_id: uuid.UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """Suspend or reactivate an account, change its role or plan."""
    with transaction(svc.sessions) as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        if changes.get("status") is not None:
            user.status = changes["status"]  # every token of a suspended account answers 20004 until reactivated
        if changes.get("role") is not None:
            user.role = changes["role"]
        if changes.get("plan") is not None:
            quota = _plan_quota(s, changes["plan"])
            sub = _subscription(s, user_id)
            if sub is None:
                s.add(Subscription(user_id=user_id, plan=changes["plan"], videos_quota=quota))
            else:
                sub.plan, sub.videos_quota = changes["plan"], quota
    _forget_logins(svc, user_id)
    return user_public(svc, user_id)


def set_role(svc: Services, *, email: str, role: str) -> uuid.UUID:
    """Make the account with `email` an admin or a user again (the operator's way to the first admin)."""
    if role not in ROLES:
        raise InvalidParams(f"role must be one of {list(ROLES)}", field="role")
    with transaction(svc.sessions) as s:
        user = s.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()
        if user is None:
            raise NotFound(f"no account has the email {email!r}: register it first")
        user.role = role
        user_id = user.id
    _forget_logins(svc, user_id)
    return user_id


def _forget_logins(svc: Services, user_id: uuid.UUID) -> None:
    """This process re-reads the user's logins at their next request (their role or status just changed)."""
    with svc.sessions() as s:
        for session_id in s.scalars(select(AuthSession.id).where(AuthSession.user_id == user_id)):
            svc.authenticator.forget(session_id)


def list_users(svc: Services, *, page: int, page_size: int) -> dict[str, Any]:
    with svc.sessions() as s:
        total = s.scalar(select(func.count()).select_from(User)) or 0
        ids = list(s.scalars(select(User.id).order_by(User.created_at).offset((page - 1) * page_size).limit(page_size)))
    return {"items": [user_public(svc, i) for i in ids], "total": total, "page": page, "page_size": page_size}


def list_plans(svc: Services) -> list[dict[str, Any]]:
    with svc.sessions() as s:
        return [_plan_public(p) for p in s.scalars(select(Plan).order_by(Plan.videos_quota))]


def update_plan(svc: Services, *, name: str, videos_quota: int, description: str | None) -> dict[str, Any]:
    """Change a plan's quota; active subscriptions on it follow (what they used stays)."""
    with transaction(svc.sessions) as s:
        plan = s.get(Plan, name)
        if plan is None:
            raise NotFound(f"plan {name} does not exist; plans: {', '.join(PLANS)}")
        plan.videos_quota = videos_quota
        if description is not None:
            plan.description = description
        s.execute(update(Subscription).where(Subscription.plan == name).values(videos_quota=videos_quota))
        return _plan_public(plan)


def _plan_public(plan: Plan) -> dict[str, Any]:
    return {"name": plan.name, "videos_quota": plan.videos_quota, "description": plan.description}


def _plan_quota(s: Session, name: str) -> int:
    plan = s.get(Plan, name)
    if plan is None:
        raise InvalidParams(f"plan {name!r} does not exist; plans: {', '.join(PLANS)}", field="plan")
    return plan.videos_quota


def _subscription(s: Session, user_id: uuid.UUID) -> Subscription | None:
    return s.scalars(select(Subscription).where(Subscription.user_id == user_id)
                     .order_by(Subscription.created_at.desc())).first()  # fmt: skip


def open_login(svc: Services, user_id: uuid.UUID) -> dict[str, Any]:
    """A new login for `user_id` (already checked: right password, or a provider's valid ID token): its tokens."""
    with transaction(svc.sessions) as s:
        row = AuthSession(user_id=user_id, expires_at=_now() + timedelta(seconds=svc.settings.refresh_token_ttl))
        s.add(row)
        s.flush()
        return _tokens(s, svc, user_id, row.id)


def _tokens(s: Session, svc: Services, user_id: uuid.UUID, session_id: uuid.UUID) -> dict[str, Any]:
    """An access token and a new refresh token of login `session_id`, written in the caller's transaction."""
    refresh_token = secrets.token_urlsafe(32)
    s.add(RefreshToken(token_hash=digest(refresh_token), session_id=session_id))
    user = s.get(User, user_id)
    assert user is not None
    sub = _subscription(s, user_id)
    access, ttl = svc.authenticator.issue(user, session_id, sub.plan if sub else None)
    return {"access_token": access, "refresh_token": refresh_token, "token_type": "bearer", "expires_in": ttl}


"""Accounts (seed §3.1, §6.5): register, log in, refresh, log out, profiles; and what admins manage (users, plans).

Login and registration are throttled per address, failed logins also per account. When auth is off (the embedded
studio on loopback), these routes still work, but the API does not ask for their tokens.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from studio import accounts
from studio.api.deps import AdminDep, IdentityDep, ServicesDep
from studio.api.envelope import Envelope, errors, ok
from studio.auth import COOKIE
from studio.errors import Forbidden, InvalidParams, Unauthorized
from studio.services import Services

router = APIRouter(tags=["accounts"])
MAX_PREFERENCES = 16_384


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(_Body):
    email: str = Field(max_length=255, description="The login; must be unique.")
    password: str = Field(min_length=1, max_length=256, description="8-256 characters.")
    username: str = Field(max_length=50, description="3-50 letters, digits, '.', '_' or '-'; unique.")


class LoginRequest(_Body):
    email: str = Field(max_length=255)
    password: str = Field(max_length=256)


class RefreshRequest(_Body):
    refresh_token: str = Field(min_length=1, max_length=200, description="Used once: the answer carries the next one.")


class UserUpdate(_Body):
    username: str | None = Field(None, max_length=50)
    preferences: dict[str, Any] | None = Field(None, description="Any JSON object, at most 16 KB (UI language...).")

    @field_validator("preferences")
    @classmethod
    def _small(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(json.dumps(value, ensure_ascii=False)) > MAX_PREFERENCES:
            raise ValueError(f"preferences must be at most {MAX_PREFERENCES} bytes of JSON")
        return value


class AdminUserUpdate(_Body):
    status: Literal["active", "suspended"] | None = None
    role: Literal["user", "admin"] | None = None
    plan: Literal["free", "basic", "pro", "enterprise"] | None = None


class PlanUpdate(_Body):
    videos_quota: int = Field(ge=0, le=1_000_000)
    description: str | None = Field(None, max_length=255)


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid.")


class Quota(BaseModel):
    videos_total: int
    videos_used: int
    videos_remaining: int


class SubscriptionPublic(BaseModel):
    plan: str
    status: str
    quota: Quota
    expires_at: str | None


class UserPublic(BaseModel):
    id: str
    username: str
    email: str
    role: str
    status: str
    preferences: dict[str, Any]
    subscription: SubscriptionPublic | None
    created_at: str


class Registered(Tokens):
    user_id: str


class LoggedIn(Tokens):
    user: UserPublic


class UserPage(BaseModel):
    items: list[UserPublic]
    total: int
    page: int
    page_size: int


class PlanPublic(BaseModel):
    name: str
    videos_quota: int
    description: str


class PlanList(BaseModel):
    plans: list[PlanPublic]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/register", status_code=201, response_model=Envelope[Registered],
             responses=errors(409, unsafe=True, public=True))  # fmt: skip
def register(body: RegisterRequest, request: Request, svc: ServicesDep) -> Envelope[Registered]:
    """Create an account on the free plan and log it in; 409 if the email or username is taken."""
    svc.throttle.hit(svc.throttle.address_logins, "register", client_address(request), what="registrations from here")
    return ok(request, Registered.model_validate(accounts.register(svc, **body.model_dump())))


@router.post("/auth/login", response_model=Envelope[LoggedIn], responses=errors(401, unsafe=True))
def login(body: LoginRequest, request: Request, svc: ServicesDep) -> Envelope[LoggedIn]:
    """Tokens for an email and password: 20001 wrong, 20004 suspended; failed tries are throttled (429)."""
    result = throttled_login(svc, email=body.email, password=body.password, address=client_address(request))
    return ok(request, LoggedIn.model_validate(result))


def throttled_login(svc: Services, *, email: str, password: str, address: str) -> dict[str, Any]:
    """`accounts.login` behind the failed-login throttles (per account and per address: TooManyRequests when over);
    the REST route and the studio's login page both log in through it."""
    throttle, email = svc.throttle, email.strip().lower()
    throttle.check(throttle.account_logins, "login", email, what="failed logins for this account")
    throttle.check(throttle.address_logins, "login", address, what="failed logins from this address")
    try:
        result = accounts.login(svc, email=email, password=password)
    except Unauthorized:
        throttle.hit(throttle.account_logins, "login", email, what="failed logins for this account")
        throttle.hit(throttle.address_logins, "login", address, what="failed logins from this address")
        raise
    throttle.clear(throttle.account_logins, "login", email)
    return result


@router.post("/auth/refresh", response_model=Envelope[Tokens], responses=errors(401, unsafe=True))
def refresh(body: RefreshRequest, request: Request, svc: ServicesDep) -> Envelope[Tokens]:
    """Exchange a refresh token (once) for new tokens; reusing a spent one revokes its whole login."""
    svc.throttle.hit(svc.throttle.api, "refresh", client_address(request), what="token refreshes from here")
    return ok(request, Tokens.model_validate(accounts.refresh(svc, refresh_token=body.refresh_token)))


class LoggedOut(BaseModel):
    logged_out: bool = True


@router.post("/auth/logout", response_model=Envelope[LoggedOut], responses=errors(unsafe=True))
def logout(request: Request, response: Response, svc: ServicesDep, identity: IdentityDep) -> Envelope[LoggedOut]:
    """End this login: its access and refresh tokens stop working (and the studio's cookie is cleared)."""
    accounts.logout(svc, user_id=identity.user_id, session_id=identity.session_id)
    response.delete_cookie(COOKIE, path="/")
    return ok(request, LoggedOut())


def _self_or_admin(identity: Any, user_id: uuid.UUID) -> None:
    if identity.user_id != user_id and not identity.is_admin:
        raise Forbidden("you can only see and change your own account")


@router.get("/users/{user_id}", response_model=Envelope[UserPublic], responses=errors(404))
def get_user(user_id: uuid.UUID, request: Request, svc: ServicesDep, identity: IdentityDep) -> Envelope[UserPublic]:
    """A profile with its plan and remaining quota (yours; admins see anyone's)."""
    _self_or_admin(identity, user_id)
    return ok(request, UserPublic.model_validate(accounts.user_public(svc, user_id)))


@router.patch("/users/{user_id}", response_model=Envelope[UserPublic],
              responses=errors(404, 409, unsafe=True))  # fmt: skip
def update_user(
    user_id: uuid.UUID, body: UserUpdate, request: Request, svc: ServicesDep, identity: IdentityDep
) -> Envelope[UserPublic]:
    """Change your username or preferences."""
    _self_or_admin(identity, user_id)
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidParams("nothing to change: send username or preferences")
    return ok(request, UserPublic.model_validate(accounts.update_user(svc, user_id=user_id, changes=changes)))


@router.get("/admin/users", response_model=Envelope[UserPage], responses=errors())
def list_users(
    request: Request, svc: ServicesDep, _: AdminDep, page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(20, ge=1, le=100),
) -> Envelope[UserPage]:  # fmt: skip
    """Every account, oldest first (admins only)."""
    return ok(request, UserPage.model_validate(accounts.list_users(svc, page=page, page_size=page_size)))


@router.patch("/admin/users/{user_id}", response_model=Envelope[UserPublic],
              responses=errors(404, unsafe=True))  # fmt: skip
def admin_update_user(
    user_id: uuid.UUID, body: AdminUserUpdate, request: Request, svc: ServicesDep, admin: AdminDep
) -> Envelope[UserPublic]:
    """Suspend (its tokens then answer 20004) or reactivate an account, change its role or plan (admins only)."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidParams("nothing to change: send status, role or plan")
    if user_id == admin.user_id and (changes.get("status") == "suspended" or changes.get("role") == "user"):
        raise InvalidParams("admins cannot suspend or demote themselves")
    return ok(request, UserPublic.model_validate(accounts.admin_update_user(svc, user_id=user_id, changes=changes)))


@router.get("/admin/plans", response_model=Envelope[PlanList], responses=errors())
def list_plans(request: Request, svc: ServicesDep, _: AdminDep) -> Envelope[PlanList]:
    return ok(request, PlanList.model_validate({"plans": accounts.list_plans(svc)}))


@router.patch("/admin/plans/{name}", response_model=Envelope[PlanPublic],
              responses=errors(404, unsafe=True))  # fmt: skip
def update_plan(name: str, body: PlanUpdate, request: Request, svc: ServicesDep, _: AdminDep) -> Envelope[PlanPublic]:
    """Change a plan's quota (its subscribers follow) or description (admins only)."""
    plan = accounts.update_plan(svc, name=name, videos_quota=body.videos_quota, description=body.description)
    return ok(request, PlanPublic.model_validate(plan))

"""Request dependencies: the Services, the caller's identity, and the per-user rate limit.

With COMICREEL_AUTH_ENABLED off (the embedded studio on loopback) every caller is the one local creator. With it on,
every API route but login, registration and refresh needs an access token (`Authorization: Bearer`, or the studio's
session cookie), and each user gets COMICREEL_RATE_LIMIT requests per route (COMICREEL_RATE_LIMIT_TASKS for routes
that start work).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from studio.auth import Identity
from studio.errors import Forbidden
from studio.services import Services

# Path endings of the routes that start a task (parse, draw, voice, render, export...): the tighter limit.
_TASK_ROUTES = ("/parse", "/generate", "/regenerate", "/render", "/export", "/tts", "/voice", "/import",
                "/reference-image/generate", "/update-stale")  # fmt: skip


async def get_services(request: Request) -> Services:  # async: no thread hop per request
    return request.app.state.services


def identity_of(request: Request) -> Identity:
    """Who sends `request` (cached on it): the local creator when auth is off, else the holder of a valid token."""
    known = getattr(request.state, "identity", None)
    if known is not None:
        return known
    identity = request.app.state.services.identify(request.headers, request.cookies)
    request.state.identity = identity
    return identity


async def current_identity(request: Request) -> Identity:
    identity = identity_of(request)
    svc: Services = request.app.state.services
    if svc.settings.auth_enabled:
        route = request.scope.get("route")
        path = getattr(route, "path", request.url.path)
        starts_work = request.method == "POST" and path.endswith(_TASK_ROUTES)
        svc.throttle.hit(svc.throttle.tasks if starts_work else svc.throttle.api, str(identity.user_id),
                         request.method, path, what="requests to this route")  # fmt: skip
    return identity


async def current_user(identity: Annotated[Identity, Depends(current_identity)]) -> uuid.UUID:
    return identity.user_id


async def admin(identity: Annotated[Identity, Depends(current_identity)]) -> Identity:
    if not identity.is_admin:
        raise Forbidden("admins only")
    return identity


ServicesDep = Annotated[Services, Depends(get_services)]
IdentityDep = Annotated[Identity, Depends(current_identity)]
UserDep = Annotated[uuid.UUID, Depends(current_user)]
AdminDep = Annotated[Identity, Depends(admin)]

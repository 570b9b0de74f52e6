"""Request dependencies: the Services and the current user."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from studio.services import Services


async def get_services(request: Request) -> Services:  # async: no thread hop per request
    return request.app.state.services


async def current_user(request: Request) -> uuid.UUID:
    """The embedded studio has one local creator; JWT login replaces this dependency when accounts arrive."""
    return request.app.state.services.default_user_id


ServicesDep = Annotated[Services, Depends(get_services)]
UserDep = Annotated[uuid.UUID, Depends(current_user)]

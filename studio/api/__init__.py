"""REST API `/api/v1/...`: the seed's endpoints with its response envelope and error codes."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from storage.base import StorageError
from studio.api.envelope import envelope_response, request_id
from studio.api.guards import API_PREFIX
from studio.errors import AppError, Conflict, MethodNotAllowed, NotFound, StorageFailed

logger = logging.getLogger(__name__)


def install_error_handlers(app: FastAPI) -> None:
    from studio.api.outages import install_outage_handlers

    install_outage_handlers(app)  # the database or Redis away: 503

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return envelope_response(request_id(request), code=exc.code, message=exc.message, status=exc.http_status,
                                 error={"field": exc.field, "reason": exc.message, **exc.details},
                                 headers=exc.headers)  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", ())]
        field = ".".join(loc[1:]) or (loc[0] if loc else None)
        reason = str(first.get("msg", "invalid request"))
        message = f"{field}: {reason}" if field else reason
        return envelope_response(request_id(request), code=10002, message=message, status=400,
                                 error={"field": field, "reason": reason})  # fmt: skip

    @app.exception_handler(IntegrityError)
    async def _race(request: Request, exc: IntegrityError) -> JSONResponse:
        # Two requests creating the same unique thing at once (an email, a username, a provider account): the one
        # that lost the race, as if it had come second.
        logger.info("integrity conflict on %s (request %s): %s", request.url.path, request_id(request), exc.orig)
        return envelope_response(request_id(request), code=Conflict.code, status=Conflict.http_status,
                                 message="that already exists (another request made it at the same moment)")  # fmt: skip

    @app.exception_handler(StorageError)
    async def _storage(request: Request, exc: StorageError) -> JSONResponse:
        logger.warning("storage failed on %s (request %s): %s", request.url.path, request_id(request), exc)
        return envelope_response(request_id(request), code=StorageFailed.code, status=StorageFailed.http_status,
                                 message="object storage is unavailable; try again shortly")  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: 10003, 401: 20001, 403: 20003, 429: 10004}.get(exc.status_code, 10002 if exc.status_code < 500 else 10001)
        return envelope_response(request_id(request), code=code, message=str(exc.detail), status=exc.status_code,
                                 headers=dict(exc.headers or {}))  # fmt: skip


def api_router() -> APIRouter:
    from studio.api import (
        accounts,
        admin_library,
        assets,
        audio,
        bundle,
        characters,
        exports,
        oauth,
        projects,
        scripts,
        shots,
        storyboard,
        subtitles,
        tasks,
    )

    router = APIRouter(prefix=API_PREFIX)
    # Task status first: it is the most polled route, and routes are matched in order.
    for module in (tasks, accounts, oauth, admin_library, projects, bundle, scripts, characters, storyboard, shots,
                   audio, subtitles, exports, assets):
        router.include_router(module.router)

    # Last: any other path under /api/v1 answers the envelope (404, or 405 when the path exists for other methods),
    # instead of falling through to the Gradio mount's bare 404.
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    @router.api_route("", methods=methods, include_in_schema=False)
    @router.api_route("/{path:path}", methods=methods, include_in_schema=False)
    def unknown_route(request: Request) -> None:
        allowed = _documented_methods(request.app, request.url.path)
        if allowed:
            raise MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}; use {', '.join(allowed)}",
                                   headers={"Allow": ", ".join(allowed)})  # fmt: skip
        raise NotFound(f"no API route {request.method} {request.url.path}; see /docs")

    return router


def _documented_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for `path` (it lists every API route, as a test checks)."""
    for template, operations in app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return sorted(method.upper() for method in operations)
    return []


def install_openapi(app: FastAPI) -> None:
    """OpenAPI without FastAPI's automatic 422: invalid input answers 400 with the envelope, as each route lists."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the schema

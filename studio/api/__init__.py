"""REST API `/api/v1/...`: the seed's endpoints with its response envelope and error codes."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from storage.base import StorageError
from studio.errors import AppError, StorageFailed

logger = logging.getLogger(__name__)


def request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or request.headers.get("x-request-id") or str(uuid.uuid4())


def envelope(request: Request, data: Any = None, *, code: int = 0, message: str = "success", status: int = 200,
             error: dict[str, Any] | None = None) -> JSONResponse:  # fmt: skip
    body: dict[str, Any] = {"code": code, "message": message, "data": data,
                            "timestamp": datetime.now(UTC).isoformat(), "request_id": request_id(request)}  # fmt: skip
    if error is not None:
        body["error"] = error
    return JSONResponse(body, status_code=status, headers={"X-Request-ID": body["request_id"]})


def install_error_handlers(app: FastAPI) -> None:
    @app.middleware("http")
    async def _request_id(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        response = await call_next(request)
        response.headers.setdefault("X-Request-ID", request.state.request_id)
        return response

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return envelope(request, code=exc.code, message=exc.message, status=exc.http_status,
                        error={"field": exc.field, "reason": exc.message, **exc.details})  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        reason = first.get("msg", "invalid request")
        return envelope(request, code=10002, message="Invalid request parameters", status=400,
                        error={"field": field, "reason": reason})  # fmt: skip

    @app.exception_handler(StorageError)
    async def _storage(request: Request, exc: StorageError) -> JSONResponse:
        logger.exception("storage failed on %s", request.url.path)
        return envelope(
            request, code=StorageFailed.code, message=f"storage error: {exc}", status=StorageFailed.http_status
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s", request.url.path)
        return envelope(request, code=10001, message="internal error", status=500)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: 10003, 401: 20001, 403: 20003, 405: 10002}.get(exc.status_code, 10001)
        return envelope(request, code=code, message=str(exc.detail), status=exc.status_code)


def api_router() -> APIRouter:
    from studio.api import projects, scripts, storyboard, tasks

    router = APIRouter(prefix="/api/v1")
    for module in (projects, scripts, storyboard, tasks):
        router.include_router(module.router)
    return router

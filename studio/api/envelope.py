"""The seed's response envelope `{code, message, data, timestamp, request_id}` (§6.1), typed for OpenAPI, and the
error statuses each route declares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    code: int = 0
    message: str = "success"
    data: T
    timestamp: str
    request_id: str


class ErrorDetail(BaseModel):
    field: str | None = None
    reason: str


class ErrorEnvelope(BaseModel):
    code: int = Field(description="The seed's error code, e.g. 10002 invalid parameters, 30002 project not found.")
    message: str
    data: None = None
    timestamp: str
    request_id: str
    error: ErrorDetail | None = None


def now() -> str:
    return datetime.now(UTC).isoformat()


def request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "") or "")


def ok(request: Request, data: T) -> Envelope[T]:
    return Envelope[Any](data=data, timestamp=now(), request_id=request_id(request))


def envelope_response(
    rid: str, *, code: int, message: str, status: int, error: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:  # fmt: skip
    body: dict[str, Any] = {"code": code, "message": message, "data": None, "timestamp": now(), "request_id": rid}
    if error is not None:
        body["error"] = error
    return JSONResponse(body, status_code=status, headers={"X-Request-ID": rid, **(headers or {})})


_REASONS = {
    400: "Invalid parameters (10002), or a host that is not served here",
    401: "Not logged in (20001): no access token, or a tampered or revoked one; or it expired (20002)",
    403: "Forbidden (20003): a cross-origin request or someone else's account; suspended account (20004); quota used "
    "up (30001)",
    404: "The project (30002) or another resource (10003) does not exist or is not yours",
    405: "Method not allowed (10002)",
    409: "Conflict with the resource's current state (10002)",
    413: "Request body too large (10002)",
    415: "Request body is not JSON (10002)",
    429: "Too many requests (10004): Retry-After says in how many seconds to try again",
    500: "Internal error (10001); the server log has the details, joined by request_id",
    503: "Object storage unavailable (40002)",
}
BASE_ERRORS = (400, 403, 413, 429, 500)


def errors(*statuses: int, unsafe: bool = False, public: bool = False) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: the error statuses it can really answer, each with the error envelope. Every
    route but the `public` ones (login, registration) answers 401 without a valid token when auth is on."""
    codes = sorted({*BASE_ERRORS, *statuses, *((415,) if unsafe else ()), *(() if public else (401,))})
    return {code: {"model": ErrorEnvelope, "description": _REASONS[code]} for code in codes}

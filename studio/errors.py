"""The edge's errors with the seed's codes (§6.4); the API turns them into envelopes, the UI into gr.Error."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = 10001
    http_status = 500

    def __init__(
        self, message: str, *, field: str | None = None, headers: dict[str, str] | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.headers = headers
        self.details = details


class InvalidParams(AppError):
    code, http_status = 10002, 400


class NotSupported(InvalidParams):
    """A parameter the API knows but cannot honour yet: refused, never silently ignored."""


class Conflict(AppError):
    code, http_status = 10002, 409


class PayloadTooLarge(AppError):
    """A body over its route's limit, found while it streams in (a stated Content-Length is refused by the guard)."""

    code, http_status = 10002, 413


class MethodNotAllowed(AppError):
    code, http_status = 10002, 405


class Forbidden(AppError):
    code, http_status = 20003, 403


class Unauthorized(AppError):
    """No valid credentials (20001): missing, tampered or revoked token, or a wrong password."""

    code, http_status = 20001, 401

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"}, **kwargs)


class TokenExpired(Unauthorized):
    code = 20002


class AccountSuspended(AppError):
    code, http_status = 20004, 403


class TooManyRequests(AppError):
    """A rate limit or the login throttle (10004, not in the seed's list); `Retry-After` says when to try again."""

    code, http_status = 10004, 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})


class QuotaExceeded(AppError):
    code, http_status = 30001, 403


class NotFound(AppError):
    code, http_status = 10003, 404


class ProjectNotFound(NotFound):
    code = 30002


class StorageFailed(AppError):
    code, http_status = 40002, 503

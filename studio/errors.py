"""The edge's errors with the seed's codes (§6.4); the API turns them into envelopes, the UI into gr.Error."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    code = 10001
    http_status = 500

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details


class InvalidParams(AppError):
    code, http_status = 10002, 400


class NotFound(AppError):
    code, http_status = 10003, 404


class ProjectNotFound(NotFound):
    code = 30002


class Unauthorized(AppError):
    code, http_status = 20001, 401


class Forbidden(AppError):
    code, http_status = 20003, 403


class Conflict(AppError):
    code, http_status = 10002, 409


class GenerationFailed(AppError):
    code, http_status = 30003, 500


class RenderFailed(AppError):
    code, http_status = 30004, 500


class StorageFailed(AppError):
    code, http_status = 40002, 503

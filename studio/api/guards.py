"""The HTTP edge every request passes first: request id, allowed hosts, same-origin, body type and size, and a
last-resort 500 that keeps the connection open.

A pure ASGI middleware (not BaseHTTPMiddleware): it sits outside FastAPI's exception handlers and inside Starlette's
ServerErrorMiddleware, which would otherwise answer a 500 and then re-raise, making the server drop the connection.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from studio.api.envelope import envelope_response

logger = logging.getLogger(__name__)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_PREFIX = "/api/v1"
# The one route whose body is a file, not JSON: a project bundle, up to COMICREEL_MAX_IMPORT_BYTES.
IMPORT_PATH = API_PREFIX + "/projects/import"
BUNDLE_TYPE = "application/zip"
# The local backend's asset uploads (studio/api/files.py): any bytes (checked when the upload completes), up to
# COMICREEL_MAX_UPLOAD_BYTES.
UPLOAD_PREFIX = "/files/upload/"
ANY_TYPE = "*/*"
JSON_TYPE = "application/json"


class BodyTooLarge(Exception):
    pass


def _is_api(scope: Scope) -> bool:
    path = scope.get("path", "")
    return bool(path == API_PREFIX or path.startswith(API_PREFIX + "/"))


def host_allowed(host: str, allowed: Sequence[str]) -> bool:
    """`host` is the Host header without its port; entries may be `*` (any) or `*.example.com`."""
    host = host.lower().rstrip(".")
    for entry in allowed:
        entry = entry.lower()
        if entry == "*" or entry == host or (entry.startswith("*.") and host.endswith(entry[1:])):
            return True
    return False


_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$")


def split_host(value: str) -> str:
    """Host header without its port (`example.com:8080` -> `example.com`, `[::1]:7860` -> `[::1]`); "" if malformed."""
    match = _HOST.match(value)
    return match.group(1) if match else ""


class RequestGuard:
    def __init__(
        self, app: ASGIApp, *, allowed_hosts: Sequence[str], allowed_origins: Sequence[str], max_body: int,
        max_import_body: int, max_upload_body: int,
    ) -> None:  # fmt: skip
        self.app = app
        self.allowed_hosts = list(allowed_hosts)
        self.allowed_origins = {o.rstrip("/").lower() for o in allowed_origins}
        self.max_body = max_body
        self.max_import_body = max_import_body
        self.max_upload_body = max_upload_body

    def _limit(self, scope: Scope) -> tuple[int, str]:
        """The body size limit and content type of the request's route: a bundle import, an upload, or JSON."""
        if scope.get("method") == "POST" and scope.get("path") == IMPORT_PATH:
            return self.max_import_body, BUNDLE_TYPE
        if scope.get("method") == "PUT" and str(scope.get("path", "")).startswith(UPLOAD_PREFIX):
            return self.max_upload_body, ANY_TYPE
        return self.max_body, JSON_TYPE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for key, value in scope["headers"]:  # the first of repeated headers, as Starlette reads them
            headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
        rid = headers.get("x-request-id", "")[:100] or str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = rid
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, code, message = refusal
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await envelope_response(rid, code=code, message=message, status=status)(scope, receive, send)
            return

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in raw):
                    raw.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": raw}
            await send(message)

        limit, body_type = self._limit(scope)

        async def too_large() -> None:
            await envelope_response(rid, code=10002, status=413, message=_too_large(limit, body_type))(
                scope, receive, send
            )

        try:
            if (_is_api(scope) or body_type == ANY_TYPE) and scope["type"] == "http":
                # A bundle or an upload streams through (its route writes it to disk), counted; JSON is read whole.
                receive = await self._buffered(receive) if body_type == JSON_TYPE else _counted(receive, limit)
        except BodyTooLarge:
            await too_large()
            return
        try:
            await self.app(scope, receive, send_with_id)
        except BodyTooLarge:
            if started:
                raise
            await too_large()
        except Exception:
            if started or scope["type"] != "http":
                raise
            logger.exception("unhandled error on %s %s (request %s)", scope.get("method"), scope.get("path"), rid)
            await envelope_response(
                rid, code=10001, status=500, message=f"internal error; the server log has the details (request {rid})"
            )(scope, receive, send)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, int, str] | None:
        host = headers.get("host", "")
        if scope.get("path") == "/healthz":  # probes reach it by address; it tells nothing
            return None
        if not host_allowed(split_host(host), self.allowed_hosts):
            return 400, 10002, f"host {host!r} is not served here; add it to COMICREEL_ALLOWED_HOSTS"
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, host, scope):
            return 403, 20003, f"cross-origin request from {origin!r} refused; add it to COMICREEL_ALLOWED_ORIGINS"
        if scope["type"] != "http":
            return None
        method, is_api = scope["method"], _is_api(scope)
        limit, body_type = self._limit(scope)
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit) and (is_api or body_type == ANY_TYPE):
            return 413, 10002, _too_large(limit, body_type)
        if is_api and method in UNSAFE_METHODS:
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            has_body = (length not in (None, "0")) or "transfer-encoding" in headers
            if (content_type or has_body) and content_type != body_type:
                if body_type == BUNDLE_TYPE:
                    return 415, 10002, f"send the project bundle as the raw body (Content-Type: {BUNDLE_TYPE})"
                return 415, 10002, "send the request body as JSON (Content-Type: application/json)"
        return None

    def _origin_allowed(self, origin: str, host: str, scope: Scope) -> bool:
        origin = origin.rstrip("/").lower()
        if origin in self.allowed_origins or "*" in self.allowed_origins:
            return True
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        return origin == f"{scheme}://{host.lower()}"

    async def _buffered(self, receive: Receive) -> Receive:
        """Read the whole (bounded) API body first, so a body sent without a Content-Length, or with a false one,
        is refused with 413 before any handler runs; then replay it."""
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_body:
                raise BodyTooLarge()
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        return replayed


def _too_large(limit: int, body_type: str) -> str:
    if body_type == BUNDLE_TYPE:
        return f"the project bundle is larger than {limit} bytes (COMICREEL_MAX_IMPORT_BYTES)"
    if body_type == ANY_TYPE:
        return f"the upload is larger than {limit} bytes (COMICREEL_MAX_UPLOAD_BYTES)"
    return f"the request body is larger than {limit} bytes"


def _counted(receive: Receive, limit: int) -> Receive:
    """`receive` that raises BodyTooLarge once more than `limit` body bytes came in, whatever Content-Length said."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
        return message

    return counted

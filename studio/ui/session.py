"""The studio's browser session when auth is on: two HttpOnly cookies carry a login (the short-lived access token,
and the refresh token that renews it unseen), and a gate stands in front of every Gradio route, so that no handler,
upload or file is reached without a valid identity (401; the page itself redirects to /login)."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import quote

import anyio
from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from studio import accounts
from studio.api.envelope import envelope_response
from studio.auth import COOKIE, digest, token_from
from studio.errors import AppError, Unauthorized
from studio.services import Services

REFRESH_COOKIE = "comicreel_refresh"  # the studio's HttpOnly cookie holding the login's refresh token
LOGIN_PATH = "/login"
_GRACE_S = 30.0  # how long requests racing a renewal get the tokens it obtained


def set_session_cookies(response: Response, tokens: dict[str, Any], *, secure: bool, refresh_ttl: int) -> None:
    """Both cookies of a login: HttpOnly (no script reads them), SameSite=Lax, Path=/, Secure over https. The access
    cookie lives as long as its token; the refresh cookie as long as the login."""
    options: dict[str, Any] = {"path": "/", "secure": secure, "httponly": True, "samesite": "lax"}
    response.set_cookie(COOKIE, tokens["access_token"], max_age=int(tokens["expires_in"]), **options)
    response.set_cookie(REFRESH_COOKIE, tokens["refresh_token"], max_age=refresh_ttl, **options)


def clear_session_cookies(response: Response, *, secure: bool) -> None:
    for name in (COOKIE, REFRESH_COOKIE):
        response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (never `//elsewhere` or a full URL)."""
    target = str(target or "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target


class Renewer:
    """Exchanges a browser's refresh cookie for new tokens. A refresh token is used once, and reusing one revokes its
    login; but a page sends several requests at once when its access token lapses. So each token is exchanged once in
    this process, and the requests racing that exchange get the same new tokens for `_GRACE_S` seconds."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self._lock = threading.Lock()  # held through the exchange: renewals are rare (one per login per access TTL)
        self._recent: dict[str, tuple[float, dict[str, Any]]] = {}

    def renew(self, refresh_token: str) -> dict[str, Any]:
        key = digest(refresh_token)
        with self._lock:
            now = time.monotonic()
            self._recent = {k: v for k, v in self._recent.items() if now - v[0] < _GRACE_S}
            if key in self._recent:
                return self._recent[key][1]
            tokens = accounts.refresh(self.svc, refresh_token=refresh_token)
            self._recent[key] = (now, tokens)
            return tokens


class StudioGate:
    """ASGI middleware of the mounted Gradio app (installed only when auth is on): admits a request carrying a valid
    access token (`Authorization: Bearer`, else the session cookie), renewing a lapsed cookie from the refresh cookie;
    refuses every other with the API's envelope (401, 403 when suspended), or sends a browser opening the page to
    /login. The handlers then check the same token themselves (`studio.ui.common.user_of`)."""

    def __init__(self, app: ASGIApp, *, svc: Services) -> None:
        self.app, self.svc = app, svc
        self.renewer = Renewer(svc)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        try:
            fresh = await self._admit(conn)
        except AppError as exc:
            await self._refuse(conn, exc)(scope, receive, send)
            return
        if fresh is None:
            await self.app(scope, receive, send)
            return
        # Renewed: the handlers read the new access token from the request's cookie, the browser keeps both.
        scope = {**scope, "headers": _with_cookie(scope["headers"], COOKIE, fresh["access_token"])}
        carrier = Response()
        set_session_cookies(carrier, fresh, secure=is_https(scope), refresh_ttl=self.svc.settings.refresh_token_ttl)
        cookies = [(k, v) for k, v in carrier.raw_headers if k == b"set-cookie"]

        async def send_with_cookies(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message = {**message, "headers": [*message.get("headers", []), *cookies]}
            await send(message)

        await self.app(scope, receive, send_with_cookies)

    async def _admit(self, conn: HTTPConnection) -> dict[str, Any] | None:
        """None when the request's token is valid; new tokens when its session cookie was renewed; else raises."""
        token = token_from(conn.headers, conn.cookies)
        from_cookie = token == conn.cookies.get(COOKIE, "")
        refresh_token = conn.cookies.get(REFRESH_COOKIE, "")
        try:
            if not token:
                raise Unauthorized("log in first: open /login, or send Authorization: Bearer <access token>")
            self.svc.authenticator.verify(token)
            return None
        except Unauthorized:  # also expired; a suspended account (AccountSuspended) is never renewed
            if not (from_cookie and refresh_token):
                raise
        fresh = await anyio.to_thread.run_sync(self.renewer.renew, refresh_token)
        # Renewed tokens may come from the grace cache: the login must still be open and the account active.
        await anyio.to_thread.run_sync(self.svc.authenticator.verify, fresh["access_token"])
        return fresh

    def _refuse(self, conn: HTTPConnection, exc: AppError) -> ASGIApp:
        if conn.scope["type"] == "websocket":

            async def close(scope: Scope, receive: Receive, send: Send) -> None:
                await send({"type": "websocket.close", "code": 1008})

            return close
        if conn.scope["method"] in ("GET", "HEAD") and _is_page(conn):
            target = conn.url.path + (f"?{conn.url.query}" if conn.url.query else "")
            response: Response = RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)
            if COOKIE in conn.cookies or REFRESH_COOKIE in conn.cookies:  # what they hold no longer works
                clear_session_cookies(response, secure=is_https(conn.scope))
            return response
        rid = str(conn.scope.get("state", {}).get("request_id", ""))
        return envelope_response(rid, code=exc.code, message=exc.message, status=exc.http_status,
                                 error={"field": None, "reason": exc.message}, headers=exc.headers)  # fmt: skip


def _is_page(conn: HTTPConnection) -> bool:
    """A browser opening the studio (the page, or any address it navigates to), not one of the page's requests."""
    return conn.url.path in ("", "/") or "text/html" in conn.headers.get("accept", "")


def _with_cookie(headers: list[tuple[bytes, bytes]], name: str, value: str) -> list[tuple[bytes, bytes]]:
    """The request's headers with cookie `name` set to `value` (the other cookies kept)."""
    kept = []
    for key, raw in headers:
        if key.lower() != b"cookie":
            continue
        for part in raw.decode("latin-1").split(";"):
            if part.strip() and part.split("=", 1)[0].strip() != name:
                kept.append(part.strip())
    cookie = "; ".join([*kept, f"{name}={value}"]).encode("latin-1")
    return [(k, v) for k, v in headers if k.lower() != b"cookie"] + [(b"cookie", cookie)]

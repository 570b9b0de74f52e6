"""The studio's door when auth is on: `GET /login` (a plain form, Chinese and English, no external assets),
`POST /login` (the REST login's checks and throttles, then the session cookies and back to the studio) and
`POST /logout` (the login revoked, the cookies cleared). With auth off they lead straight to the studio."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from studio import accounts
from studio.api.accounts import client_address, throttled_login
from studio.api.deps import ServicesDep
from studio.auth import COOKIE
from studio.errors import AppError
from studio.services import Services
from studio.ui.session import (
    LOGIN_PATH,
    REFRESH_COOKIE,
    clear_session_cookies,
    is_https,
    safe_next,
    set_session_cookies,
)

router = APIRouter(include_in_schema=False)
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 4096  # an email, a password and a path
# The page loads nothing and runs nothing; its form posts only here; no other site may frame it.
_PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                 "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                            "frame-ancestors 'none'; base-uri 'none'"}  # fmt: skip

_PAGE = """<!doctype html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · Log in — ComicReel</title>
<style>
  body {{ font-family: system-ui, sans-serif; background: #f4f4f6; margin: 0; display: grid; place-items: center;
         min-height: 100vh; color: #222; }}
  main {{ background: #fff; padding: 2rem; border-radius: 12px; box-shadow: 0 2px 12px #0002; width: min(360px, 90vw); }}
  h1 {{ font-size: 1.3rem; margin: 0 0 1.2rem; }}
  label {{ display: block; margin: 0.8rem 0 0.3rem; font-size: 0.9rem; }}
  input {{ width: 100%; box-sizing: border-box; padding: 0.55rem; font-size: 1rem; border: 1px solid #bbb;
          border-radius: 6px; }}
  button {{ margin-top: 1.2rem; width: 100%; padding: 0.6rem; font-size: 1rem; border: 0; border-radius: 6px;
           background: #f97316; color: #fff; cursor: pointer; }}
  .error {{ color: #b91c1c; background: #fee2e2; padding: 0.5rem; border-radius: 6px; }}
  .note {{ font-size: 0.8rem; color: #666; margin-top: 1rem; }}
</style>
</head>
<body>
<main>
<h1>ComicReel · 漫画视频工作室</h1>
{error}
<form method="post" action="{action}">
  <input type="hidden" name="next" value="{next}">
  <label for="email">邮箱 · Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="{email}" autofocus>
  <label for="password">密码 · Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">登录 · Log in</button>
</form>
<p class="note">没有账号？请管理员创建，或通过 POST /api/v1/auth/register 注册。<br>
No account? Ask an admin, or register through POST /api/v1/auth/register.</p>
</main>
</body>
</html>
"""


def login_page(*, next_path: str = "/", email: str = "", error: str = "") -> str:
    return _PAGE.format(action=LOGIN_PATH, next=html.escape(next_path), email=html.escape(email),
                        error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "")  # fmt: skip


def account_html(username: str) -> str:
    """The studio's account line: who is logged in, and the button that logs out (a same-origin form post)."""
    return (f'<form method="post" action="/logout" id="logout-form" style="text-align:right">'
            f"{html.escape(username)} · <button type=\"submit\" id=\"logout\">退出登录 · Log out</button></form>")  # fmt: skip


@router.get(LOGIN_PATH)
def show_login(svc: ServicesDep, next_path: str = Query("/", alias="next", max_length=2000)) -> Response:
    if not svc.settings.auth_enabled:  # the local creator needs no login
        return RedirectResponse(safe_next(next_path), status_code=303)
    return HTMLResponse(login_page(next_path=safe_next(next_path)), headers=_PAGE_HEADERS)


@router.post(LOGIN_PATH)
async def log_in(request: Request, svc: ServicesDep) -> Response:
    """The form's email and password, checked as POST /api/v1/auth/login checks them; the page again with the
    reason when refused."""
    if not svc.settings.auth_enabled:
        return RedirectResponse("/", status_code=303)
    fields, status, problem = await _form(request)
    next_path, email = safe_next(fields.get("next")), fields.get("email", "")
    if problem:
        return _again(next_path, email, problem, status)
    try:
        tokens = await run_in_threadpool(throttled_login, svc, email=email, password=fields.get("password", ""),
                                         address=client_address(request))  # fmt: skip  # Argon2: off the loop
    except AppError as exc:
        retry = {"Retry-After": exc.headers["Retry-After"]} if exc.headers and "Retry-After" in exc.headers else {}
        return _again(next_path, email, exc.message, exc.http_status, retry)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookies(response, tokens, secure=is_https(request.scope), refresh_ttl=svc.settings.refresh_token_ttl)
    return response


@router.post("/logout")
async def log_out(request: Request, svc: ServicesDep) -> Response:
    """End the browser's login (its tokens stop working everywhere) and clear its cookies."""
    if not svc.settings.auth_enabled:
        return RedirectResponse("/", status_code=303)
    await run_in_threadpool(_end_login, svc, request.cookies.get(COOKIE, ""), request.cookies.get(REFRESH_COOKIE, ""))
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    clear_session_cookies(response, secure=is_https(request.scope))
    return response


def _end_login(svc: Services, access_token: str, refresh_token: str) -> None:
    """Revoke the login the cookies name (when the access token has lapsed, the refresh token names it); with nothing
    valid to revoke, the cookies are cleared all the same."""
    try:
        identity = svc.authenticator.verify(access_token)
    except AppError:
        if not refresh_token:
            return
        try:
            identity = svc.authenticator.verify(accounts.refresh(svc, refresh_token=refresh_token)["access_token"])
        except AppError:
            return
    accounts.logout(svc, user_id=identity.user_id, session_id=identity.session_id)


async def _form(request: Request) -> tuple[dict[str, str], int, str]:
    """The posted form's fields (the first of each), or the status and reason it is refused for."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        return {}, 415, f"send the login form as {FORM_TYPE}"
    body = b""
    async for chunk in request.stream():  # counted: a form is small, whatever Content-Length says
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}, 413, f"the login form is larger than {MAX_FORM_BYTES} bytes"
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return {}, 400, "the login form could not be read: send it as UTF-8"
    return {k: v[0] for k, v in parsed.items()}, 200, ""


def _again(next_path: str, email: str, problem: str, status: int, headers: dict[str, Any] | None = None) -> Response:
    return HTMLResponse(login_page(next_path=next_path, email=email, error=problem), status_code=status,
                        headers={**_PAGE_HEADERS, **(headers or {})})  # fmt: skip

"""The studio's door with COMICREEL_AUTH_ENABLED (studio/ui/session.py, studio/ui/login.py), under TestClient: every
Gradio route refuses a caller without a valid identity, the page sends a browser to the login form, the form logs in
with HttpOnly SameSite=Lax cookies, a lapsed session cookie is renewed once even when requests race, logging out
ends the login; and with auth off nothing of this is in the way."""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount, WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from app import create_app
from studio.auth import COOKIE
from studio.services import build_services
from studio.ui.session import REFRESH_COOKIE
from tests.api.conftest import BASE_URL, ok, refused

PASSWORD = "correct horse battery"


@pytest.fixture
def auth_settings(settings):
    return settings.model_copy(update={"auth_enabled": True, "login_attempts": "3/minute"})


def _client(settings, base_url: str = BASE_URL) -> TestClient:
    app = create_app(settings, services=build_services(settings, immediate=True))
    return TestClient(app, base_url=base_url, follow_redirects=False)


@pytest.fixture
def door(auth_settings):
    with _client(auth_settings) as client:
        yield client


def register(client: TestClient, name: str) -> dict:
    body = {"email": f"{name}@example.com", "password": PASSWORD, "username": name}
    return ok(client.post("/api/v1/auth/register", json=body), 201)


def log_in(client: TestClient, name: str, next_path: str = "/") -> dict[str, SimpleCookie]:
    """The login form posted as a browser posts it; returns the Set-Cookie headers by cookie name."""
    client.cookies.clear()
    response = client.post("/login", data={"email": f"{name}@example.com", "password": PASSWORD, "next": next_path})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_path
    return set_cookies(response)


def set_cookies(response) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        found.update({name: cookie for name in cookie})
    return found


def call(client: TestClient, method: str, path: str, cookies: dict[str, str] | None = None,
         headers: dict[str, str] | None = None):  # fmt: skip
    """One request carrying exactly `cookies` (not what the client's jar picked up before)."""
    client.cookies.clear()
    header = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    return client.request(method, path, headers={**(headers or {}), **({"cookie": header} if header else {})})


def served(routes, prefix: str = "") -> set[tuple[str, str]]:
    """(method, path) of every route in `routes`, path parameters filled in; a mount inside as one path below it."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
        if inner is not None:
            found |= served(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            found.add(("GET", prefix + route.path + "/probe"))
        elif isinstance(route, WebSocketRoute):
            found.add(("WS", prefix + route.path))
        else:
            found |= {(method, prefix + route.path) for method in getattr(route, "methods", None) or ["GET"]}
    return {(m, re.sub(r"\{[^}]+\}", "probe", p)) for m, p in found}


def gradio_mount(app) -> Mount:
    return next(r for r in app.routes if isinstance(r, Mount) and r.path == "")


def test_every_gradio_route_refuses_a_caller_without_a_valid_identity(door, auth_settings) -> None:
    routes = sorted(served(gradio_mount(door.app).app.routes))
    paths = {p for _, p in routes}
    assert {"/gradio_api/queue/join", "/gradio_api/upload", "/config", "/"} <= paths  # the walk found Gradio's routes
    # What the app serves itself before the mount (the door, the REST API's /openapi.json...) never reaches Gradio.
    ours = served([r for r in door.app.routes if r is not gradio_mount(door.app)])
    assert {("POST", "/login"), ("GET", "/login"), ("POST", "/logout"), ("GET", "/openapi.json")} <= ours
    alice = register(door, "alice")
    token = alice["access_token"]
    for method, path in routes:
        if (method, path) in ours:
            continue
        if method == "WS":
            with pytest.raises(WebSocketDisconnect):
                with door.websocket_connect(path):
                    pass
            continue
        response = call(door, method, path)
        if method in ("GET", "HEAD") and path == "/":
            assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F"
            continue
        assert response.status_code == 401, (method, path, response.status_code)
        if method != "HEAD":
            refused(response, 401, 20001)
        bad = call(door, method, path, headers={"Authorization": f"Bearer {token[:-6]}AAAAAA"})  # tampered
        assert bad.status_code == 401, (method, path)
    # A valid token opens them (the API step list, the config), by header for programs, by cookie for browsers.
    assert call(door, "GET", "/gradio_api/info", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert call(door, "GET", "/config", {COOKIE: alice["access_token"]}).status_code == 200
    # An expired token says so (20002), like the REST API.
    real_time = time.time
    try:
        time.time = lambda: real_time() + 2 * auth_settings.access_token_ttl  # type: ignore[assignment]
        refused(call(door, "GET", "/config", headers={"Authorization": f"Bearer {token}"}), 401, 20002)
    finally:
        time.time = real_time  # type: ignore[assignment]


def test_the_page_sends_a_browser_to_the_login_form_and_back(door) -> None:
    response = call(door, "GET", "/?project=42&x=1")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2F%3Fproject%3D42%26x%3D1"
    page = call(door, "GET", response.headers["location"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert all(label in page.text for label in ("邮箱 · Email", "密码 · Password", "登录 · Log in"))
    assert 'name="next" value="/?project=42&amp;x=1"' in page.text
    assert not re.search(r"<(script|link|img)\b|src=|https?://", page.text)  # no external assets, no script
    assert "form-action 'self'" in page.headers["content-security-policy"]
    register(door, "alice")
    assert set(log_in(door, "alice", next_path="/?project=42")) == {COOKIE, REFRESH_COOKIE}
    # Only paths on this site: anything else lands on the studio.
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        door.cookies.clear()
        sent = door.post("/login", data={"email": "alice@example.com", "password": PASSWORD, "next": elsewhere})
        assert sent.status_code == 303 and sent.headers["location"] == "/", elsewhere


def test_the_login_form_sets_httponly_samesite_cookies_that_open_the_studio(door, auth_settings) -> None:
    alice = register(door, "alice")
    cookies = log_in(door, "alice")
    access, refresh = cookies[COOKIE][COOKIE], cookies[REFRESH_COOKIE][REFRESH_COOKIE]
    for morsel in (access, refresh):
        assert morsel["httponly"] and morsel["samesite"].lower() == "lax" and morsel["path"] == "/"
        assert not morsel["secure"]  # plain http here; over https they are Secure (below)
    assert int(access["max-age"]) == auth_settings.access_token_ttl
    assert int(refresh["max-age"]) == auth_settings.refresh_token_ttl
    studio = call(door, "GET", "/", {COOKIE: access.value})
    assert studio.status_code == 200 and "ComicReel" in studio.text
    # The access cookie is the same token the REST API takes: it names alice.
    me = ok(call(door, "GET", f"/api/v1/users/{alice['user_id']}", {COOKIE: access.value}))
    assert me["username"] == "alice"
    with _client(auth_settings, base_url="https://127.0.0.1") as secure:
        register(secure, "bob")
        assert all(c[name]["secure"] for name, c in log_in(secure, "bob").items())


def test_the_login_form_refuses_bad_input_with_the_page_and_a_clear_reason(door) -> None:
    register(door, "alice")
    wrong = door.post("/login", data={"email": "alice@example.com", "password": "wrong password!", "next": "/"})
    assert wrong.status_code == 401 and "wrong email or password" in wrong.text and "alice@example.com" in wrong.text
    assert not wrong.headers.get_list("set-cookie")
    as_json = door.post("/login", json={"email": "alice@example.com", "password": PASSWORD})
    assert as_json.status_code == 415 and "x-www-form-urlencoded" in as_json.text
    huge = door.post("/login", data={"email": "alice@example.com", "password": "x" * 10_000})
    assert huge.status_code == 413
    foreign = door.post("/login", data={"email": "alice@example.com", "password": PASSWORD},
                        headers={"Origin": "http://evil.example"})  # fmt: skip
    refused(foreign, 403, 20003)  # the guard: a form posted from another site logs nobody in
    for _ in range(3):  # the REST login's throttle counts the form's failures too
        door.post("/login", data={"email": "alice@example.com", "password": "wrong password!"})
    throttled = door.post("/login", data={"email": "alice@example.com", "password": PASSWORD})
    assert throttled.status_code == 429 and throttled.headers["Retry-After"]
    refused(door.post("/api/v1/auth/login", json={"email": "alice@example.com", "password": PASSWORD}), 429, 10004)


def test_a_lapsed_session_cookie_is_renewed_once_even_when_requests_race(door, auth_settings) -> None:
    register(door, "alice")
    cookies = log_in(door, "alice")
    old = {COOKIE: cookies[COOKIE][COOKIE].value, REFRESH_COOKIE: cookies[REFRESH_COOKIE][REFRESH_COOKIE].value}
    real_time = time.time
    try:
        time.time = lambda: real_time() + 2 * auth_settings.access_token_ttl  # type: ignore[assignment]
        refused(call(door, "GET", "/config", {COOKIE: old[COOKIE]}), 401, 20002)  # no refresh cookie: expired
        first = call(door, "GET", "/config", old)
        assert first.status_code == 200
        renewed = set_cookies(first)
        new = {COOKIE: renewed[COOKIE][COOKIE].value, REFRESH_COOKIE: renewed[REFRESH_COOKIE][REFRESH_COOKIE].value}
        assert new[COOKIE] != old[COOKIE] and new[REFRESH_COOKIE] != old[REFRESH_COOKIE]
        assert renewed[COOKIE][COOKIE]["httponly"] and renewed[COOKIE][COOKIE]["samesite"].lower() == "lax"
        # The page's other requests, sent with the same lapsed cookies at the same moment: all admitted, with the
        # same new tokens (a refresh token is used once; a second exchange would revoke the whole login).
        with ThreadPoolExecutor(4) as pool:
            racing = list(pool.map(lambda _: call(door, "GET", "/gradio_api/info", dict(old)), range(4)))
        assert [r.status_code for r in racing] == [200] * 4
        assert {set_cookies(r)[REFRESH_COOKIE][REFRESH_COOKIE].value for r in racing} == {new[REFRESH_COOKIE]}
        # The browser's cookie alone (the access one dropped at its Max-Age) renews too, and the login lives on.
        again = call(door, "GET", "/config", {REFRESH_COOKIE: new[REFRESH_COOKIE]})
        assert again.status_code == 200 and set_cookies(again)[COOKIE][COOKIE].value
        ok(call(door, "GET", "/api/v1/projects", {COOKIE: set_cookies(again)[COOKIE][COOKIE].value}))
    finally:
        time.time = real_time  # type: ignore[assignment]
    # A made-up refresh cookie renews nothing; the page goes back to the login form, its dead cookies cleared.
    page = call(door, "GET", "/", {REFRESH_COOKIE: "made-up"})
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert {name for name, c in set_cookies(page).items() if c[name]["max-age"] == "0"} == {COOKIE, REFRESH_COOKIE}


def test_logging_out_ends_the_login_everywhere(door) -> None:
    register(door, "alice")
    cookies = log_in(door, "alice")
    jar = {COOKIE: cookies[COOKIE][COOKIE].value, REFRESH_COOKIE: cookies[REFRESH_COOKIE][REFRESH_COOKIE].value}
    out = call(door, "POST", "/logout", jar)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert {name for name, c in set_cookies(out).items() if c[name]["max-age"] == "0"} == {COOKIE, REFRESH_COOKIE}
    refused(call(door, "GET", "/config", {COOKIE: jar[COOKIE]}), 401, 20001)  # revoked, not merely forgotten
    refused(call(door, "GET", "/config", jar), 401, 20001)  # and its refresh token renews nothing
    refused(call(door, "GET", "/api/v1/projects", {COOKIE: jar[COOKIE]}), 401, 20001)
    # A lapsed access cookie still names the login through its refresh token: logging out ends it too.
    second = log_in(door, "alice")
    refresh = second[REFRESH_COOKIE][REFRESH_COOKIE].value
    assert call(door, "POST", "/logout", {COOKIE: "lapsed", REFRESH_COOKIE: refresh}).status_code == 303
    refused(door.post("/api/v1/auth/refresh", json={"refresh_token": refresh}), 401, 20001)


def test_with_auth_off_the_studio_opens_without_a_login(settings) -> None:
    with _client(settings) as client:
        assert call(client, "GET", "/").status_code == 200
        assert call(client, "GET", "/gradio_api/info").status_code == 200
        login = call(client, "GET", "/login?next=/%3Fproject%3D1")
        assert login.status_code == 303 and login.headers["location"] == "/?project=1"
        assert call(client, "POST", "/logout").headers["location"] == "/"


def test_handlers_act_as_the_caller_of_each_request(door) -> None:
    """`user_of`: the token of the request at hand (header, else cookie), checked every call."""
    import gradio as gr
    from starlette.requests import Request

    from studio.errors import Unauthorized
    from studio.ui.common import user_of

    svc = door.app.state.services
    alice, bob = register(door, "alice"), register(door, "bob")

    def request(headers: dict[str, str]) -> gr.Request:
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        return gr.Request(request=Request({"type": "http", "headers": raw, "method": "POST", "path": "/"}))

    assert user_of(svc, request({"Authorization": f"Bearer {alice['access_token']}"})) == uuid.UUID(alice["user_id"])
    assert user_of(svc, request({"Cookie": f"{COOKIE}={bob['access_token']}"})) == uuid.UUID(bob["user_id"])
    for anonymous in (None, request({}), request({"Authorization": "Bearer nonsense"})):
        with pytest.raises(Unauthorized):
            user_of(svc, anonymous)
    ok(door.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {alice['access_token']}"}))
    with pytest.raises(Unauthorized):  # checked on every call, not once per page
        user_of(svc, request({"Authorization": f"Bearer {alice['access_token']}"}))

"""The studio in Chromium with COMICREEL_AUTH_ENABLED: the page sends a stranger to the login form; logging in opens
the studio with only that user's projects, on HttpOnly SameSite=Lax cookies no script can read; another user's
project cannot be opened by its address; logging out ends it."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from studio.auth import COOKIE
from studio.ui.session import REFRESH_COOKIE
from tests.conftest import app_running

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def door(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("studio-auth")
    with app_running(root, COMICREEL_AUTH_ENABLED="true", GRADIO_TEMP_DIR=str(root / "gradio")) as url:
        yield url


@pytest.fixture(scope="module")
def expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    return expect


def post(url: str, path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)["data"]


def account_with_project(url: str, name: str, project: str) -> str:
    """A registered user with one project (made through REST); returns the project's id."""
    tokens = post(url, "/api/v1/auth/register", {"email": f"{name}@example.com", "password": PASSWORD,
                                                 "username": name})  # fmt: skip
    return post(url, "/api/v1/projects", {"name": project, "aspect_ratio": "1:1"}, tokens["access_token"])["project_id"]


def test_logging_in_opens_the_studio_with_only_ones_own_projects(browser, door, expect) -> None:
    alices = account_with_project(door, "alice", "Alice reel")
    bobs = account_with_project(door, "bob", "Bob reel")
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        # 1. No session: the studio's address shows the login form (and remembers where the browser was going).
        page.goto(f"{door}/?project={alices}")
        assert re.search(r"/login\?next=", page.url), page.url
        expect(page.get_by_role("button", name="登录 · Log in")).to_be_visible()
        page.get_by_label("邮箱 · Email").fill("alice@example.com")
        page.get_by_label("密码 · Password").fill("not her password")
        page.get_by_role("button", name="登录 · Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("wrong email or password")
        assert not context.cookies()
        # 2. Logged in: back at the studio, her project opened from the address, her name and a way out shown.
        page.get_by_label("密码 · Password").fill(PASSWORD)
        page.get_by_role("button", name="登录 · Log in").click()
        expect(page.locator("#project-status")).to_contain_text("Opened Alice reel")
        expect(page.locator("#account")).to_contain_text("alice")
        cookies = {c["name"]: c for c in context.cookies()}
        for name in (COOKIE, REFRESH_COOKIE):
            assert cookies[name]["httpOnly"] and cookies[name]["sameSite"] == "Lax" and cookies[name]["path"] == "/"
        assert COOKIE not in page.evaluate("document.cookie")  # no script on the page can read the token
        # 3. The project list holds her projects only.
        page.get_by_label("Open project").click()
        expect(page.get_by_role("option")).to_have_text([re.compile("Alice reel · 1:1")])
        page.keyboard.press("Escape")
        # 4. Bob's project by its address: refused as if it did not exist, nothing of it shown.
        page.goto(f"{door}/?project={bobs}")
        expect(page.get_by_text(f"project {bobs} does not exist").first).to_be_visible()
        expect(page.get_by_label("Project name")).not_to_have_value("Bob reel")
        # 5. Logging out: the login form again, the cookies gone, the studio closed to this browser.
        page.get_by_role("button", name="退出登录 · Log out").click()
        page.wait_for_url(re.compile(r"/login$"))
        assert not {c["name"] for c in context.cookies()} & {COOKIE, REFRESH_COOKIE}
        page.goto(door + "/")
        assert "/login" in page.url
    finally:
        context.close()


def test_a_revoked_session_cookie_opens_nothing(browser, door) -> None:
    """A token copied out of a logged-out browser is worth nothing to another one."""
    context = browser.new_context()
    try:
        page = context.new_page()
        tokens = post(door, "/api/v1/auth/register", {"email": "carol@example.com", "password": PASSWORD,
                                                      "username": "carol"})  # fmt: skip
        post(door, "/api/v1/auth/logout", {}, tokens["access_token"])
        context.add_cookies([{"name": COOKIE, "value": tokens["access_token"], "url": door}])
        page.goto(door + "/")
        assert "/login" in page.url
        response = page.request.get(door + "/gradio_api/info")
        assert response.status == 401 and response.json()["code"] == 20001
    finally:
        context.close()

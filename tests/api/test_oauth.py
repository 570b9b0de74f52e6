"""Social login (OpenID Connect) against a fake provider on loopback: discovery, authorization code with PKCE, the ID
token's signature, audience, expiry and nonce; the state used once and bound to its browser; accounts made, found and
linked; the studio's cookie and redirect; and every refusal a 4xx envelope that leaves nothing behind."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app import create_app
from db.models import OAuthIdentity, OAuthLogin, User
from studio.services import build_services
from tests import fake_oidc
from tests.api.conftest import BASE_URL, ok, refused
from tests.conftest import free_port

LOGIN = "/api/v1/auth/oauth/login"


@pytest.fixture
def provider():
    with fake_oidc.serve() as fake:
        yield fake


def _oidc(settings, issuer: str, **more):
    return settings.model_copy(update={"auth_enabled": True, "rate_limit": "1000/minute", "oidc_issuer": issuer,
                                       "oidc_client_id": "comicreel-test", "oidc_client_secret": "test-secret",
                                       **more})  # fmt: skip


@pytest.fixture
def api(settings, provider):
    on = _oidc(settings, provider.url, oidc_name="Fake ID")
    with TestClient(create_app(on, services=build_services(on, immediate=True)), base_url=BASE_URL) as client:
        yield client


def at_provider(api, next_path: str | None = None) -> str:
    """Start a sign-in and pass the provider's page: the callback URL the provider sends the browser back to."""
    start = api.get(LOGIN, params={"next": next_path} if next_path else None, follow_redirects=False)
    assert start.status_code == 302, start.text
    assert start.headers["location"].startswith(api.app.state.services.settings.oidc_issuer + "/authorize?")
    page = httpx.get(start.headers["location"], follow_redirects=False)
    assert page.status_code == 302, page.text
    return page.headers["location"]


def sign_in(api, next_path: str | None = None) -> httpx.Response:
    return api.get(at_provider(api, next_path), follow_redirects=False)


def counts(api) -> tuple[int, ...]:
    """(users, provider accounts linked)."""
    with api.app.state.services.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(table)) for table in (User, OAuthIdentity))


def test_a_first_sign_in_makes_the_account_and_the_next_finds_it(api, provider) -> None:
    assert ok(api.get("/api/v1/auth/oauth/provider")) == {"name": "Fake ID", "issuer": provider.url,
                                                         "login_url": LOGIN}  # fmt: skip
    users = counts(api)[0]
    first = ok(sign_in(api))
    assert first["new_account"] is True and first["token_type"] == "bearer"
    user = first["user"]
    assert (user["email"], user["username"], user["role"], user["subscription"]["plan"]) == (
        "alice@example.com", "alice", "user", "free")  # fmt: skip
    headers = {"Authorization": f"Bearer {first['access_token']}"}
    assert ok(api.get(f"/api/v1/users/{user['id']}", headers=headers))["email"] == "alice@example.com"
    # PKCE really ran: the provider saw the verifier of the challenge it was shown (it refuses otherwise).
    assert provider.token_requests[-1]["code_verifier"]
    again = ok(sign_in(api))
    assert (again["new_account"], again["user"]["id"]) == (False, user["id"])
    assert again["access_token"] != first["access_token"]
    ok(api.post("/api/v1/auth/refresh", json={"refresh_token": again["refresh_token"]}))  # a login like any other
    assert counts(api) == (users + 1, 1)
    # A password login for the account made here never matches.
    refused(api.post("/api/v1/auth/login", json={"email": "alice@example.com", "password": "!"}), 401, 20001)


def test_the_studio_gets_its_session_cookie_and_goes_back_to_next(api) -> None:
    back = sign_in(api, "/studio?tab=render")
    assert back.status_code == 302 and back.headers["location"] == "/studio?tab=render"
    cookie = next(c for c in back.headers.get_list("set-cookie") if c.startswith("comicreel_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    refresh = next(c for c in back.headers.get_list("set-cookie") if c.startswith("comicreel_refresh="))
    assert "HttpOnly" in refresh  # so the studio renews the access cookie, as after a password login
    token = cookie.split(";")[0].split("=", 1)[1]
    api.cookies.clear()
    refused(api.get("/api/v1/projects"), 401, 20001)
    api.cookies.set("comicreel_session", token)
    ok(api.get("/api/v1/projects"))  # the cookie alone is a login


@pytest.mark.parametrize("target", ["//evil.example.com/", "https://evil.example.com/", "/\\evil.example.com",
                                    "studio", "javascript:alert(1)", "/a\r\nSet-Cookie: x=1"])  # fmt: skip
def test_next_must_be_a_path_on_this_site(api, target) -> None:
    refused(api.get(LOGIN, params={"next": target}, follow_redirects=False), 400, 10002, field="next")
    with api.app.state.services.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OAuthLogin)) == 0


BAD_ANSWERS = [
    ({"tweak": {"nonce": "someone-elses-nonce"}}, "nonce"),
    ({"tweak": {"nonce": None}}, "nonce"),
    ({"forge": True}, "signature"),
    ({"tweak": {"aud": "another-app"}}, "'aud'"),
    ({"tweak": {"aud": ["comicreel-test", "another-app"], "azp": "another-app"}}, "azp"),
    ({"tweak": {"iss": "http://127.0.0.1:1"}}, "'iss'"),
    ({"tweak": {"exp": int(time.time()) - 600}}, "expired"),
    ({"deny": "access_denied"}, "access_denied"),
]


def test_a_bad_answer_from_the_provider_is_refused_and_creates_nothing(api, provider) -> None:
    before = counts(api)
    for change, reason in BAD_ANSWERS:  # one app for all: each case is a fresh sign-in
        provider.tweak, provider.forge, provider.deny = {}, False, ""
        for name, value in change.items():
            setattr(provider, name, value)
        body = refused(sign_in(api), 401, 20001)
        assert reason in body["message"], (change, body)
        assert counts(api) == before, change
        with api.app.state.services.sessions() as s:
            assert s.scalar(select(func.count()).select_from(OAuthLogin)) == 0, change  # the state is used up too
    provider.tweak, provider.forge, provider.deny = {}, False, ""
    ok(sign_in(api))  # and the same provider, answering right, signs in


def test_the_state_is_used_once_known_and_bound_to_its_browser(api) -> None:
    callback = at_provider(api)
    ok(api.get(callback))
    refused(api.get(callback), 401, 20001)  # replayed
    before = counts(api)
    api.cookies.set("comicreel_oauth_state", "made-up", path="/api/v1/auth/oauth")
    refused(api.get("/api/v1/auth/oauth/callback", params={"code": "x", "state": "made-up"}), 401, 20001)
    # A callback link someone else started (login CSRF): this browser has no state cookie for it.
    stranger = at_provider(api)
    api.cookies.clear()
    body = refused(api.get(stranger), 401, 20001)
    assert "browser" in body["message"]
    refused(api.get("/api/v1/auth/oauth/callback"), 401, 20001)  # no state at all
    assert counts(api) == before


def test_the_code_is_worthless_without_its_pkce_verifier(api, provider) -> None:
    # The provider insists on a challenge...
    assert httpx.get(f"{provider.url}/authorize", params={"client_id": provider.client_id, "response_type": "code",
                                                          "redirect_uri": "http://127.0.0.1/cb"}).status_code == 400
    # ...and a code stolen on its way back cannot be redeemed without the verifier, which never left the server.
    callback = at_provider(api)
    code = dict(httpx.URL(callback).params)["code"]
    stolen = httpx.post(f"{provider.url}/token", auth=(provider.client_id, provider.client_secret),
                        data={"grant_type": "authorization_code", "code": code, "redirect_uri": callback.split("?")[0]})
    assert stolen.status_code == 400 and "PKCE" in stolen.json()["error_description"]
    # The app with a lost (here: wrong) verifier is refused too, and creates nothing.
    callback = at_provider(api)
    with api.app.state.services.sessions() as s, s.begin():
        s.execute(update(OAuthLogin).values(code_verifier="x" * 64))
    before = counts(api)
    body = refused(api.get(callback), 401, 20001)
    assert "PKCE verifier" in body["message"] and counts(api) == before


def test_a_password_account_is_never_taken_over_by_email(api, provider) -> None:
    """Nobody verified a password account's email (whoever registered it first may not own it): a provider account
    with that email, verified or not, is refused instead of being linked to it."""
    ok(api.post("/api/v1/auth/register", json={"email": "bob@example.com", "password": "correct horse b",
                                               "username": "bob"}), 201)  # fmt: skip
    before = counts(api)
    for subject, verified in (("mallory-1", False), ("bob-1", True)):
        provider.subject, provider.profile = subject, {"email": "Bob@Example.com", "email_verified": verified}
        refused(sign_in(api), 409, 10002, field="email")
    assert counts(api) == before


def test_an_unverified_email_makes_an_account_but_never_an_admin(settings, provider) -> None:
    on = _oidc(settings, provider.url, admin_emails=["boss@example.com"])
    with TestClient(create_app(on, services=build_services(on, immediate=True)), base_url=BASE_URL) as api:
        provider.subject, provider.profile = "boss-1", {"email": "boss@example.com", "email_verified": False}
        made = ok(sign_in(api))["user"]
        assert made["role"] == "user"
        provider.subject, provider.profile = "boss-2", {"email": "boss@example.com", "email_verified": True}
        linked = ok(sign_in(api))["user"]  # verified: linked, and admin is only ever given when an account is made
        assert (linked["id"], linked["role"]) == (made["id"], "user")


def test_a_suspended_account_is_refused(api) -> None:
    ok(sign_in(api))
    with api.app.state.services.sessions() as s, s.begin():
        s.execute(update(User).where(User.email == "alice@example.com").values(status="suspended"))
    refused(sign_in(api), 403, 20004)


def test_closed_registration_lets_linked_accounts_in_but_makes_none(settings, provider) -> None:
    on = _oidc(settings, provider.url, registration_open=False)
    with TestClient(create_app(on, services=build_services(on, immediate=True)), base_url=BASE_URL) as api:
        before = counts(api)
        refused(sign_in(api), 403, 20003)
        assert counts(api) == before


def test_social_login_is_off_without_an_issuer(client) -> None:
    for path in ("/api/v1/auth/oauth/provider", LOGIN, "/api/v1/auth/oauth/callback?code=x&state=y"):
        body = refused(client.get(path, follow_redirects=False), 404, 10003)
        assert "COMICREEL_OIDC_ISSUER" in body["message"]


def test_an_unreachable_provider_is_a_clear_refusal(settings) -> None:
    on = _oidc(settings, f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(on, services=build_services(on, immediate=True)), base_url=BASE_URL) as api:
        body = refused(api.get(LOGIN, follow_redirects=False), 401, 20001)
        assert "could not be read" in body["message"]
        with api.app.state.services.sessions() as s:
            assert s.scalar(select(func.count()).select_from(OAuthLogin)) == 0


def test_the_issuer_setting_is_checked() -> None:
    from pydantic import ValidationError

    from studio.config import Settings

    for bad in ({"oidc_issuer": "http://accounts.example.com"},  # plain http beyond loopback
                {"oidc_issuer": "https://a.example.com?x=1"},
                {"oidc_issuer": "https://accounts.example.com"},  # no client id
                {"oidc_issuer": "https://a.example.com", "oidc_client_id": "x", "oidc_scopes": "email"}):  # fmt: skip
        with pytest.raises(ValidationError, match="COMICREEL_OIDC"):
            Settings(_env_file=None, **bad)
    good = Settings(_env_file=None, oidc_issuer="https://accounts.example.com/", oidc_client_id="x")
    assert good.oidc_issuer == "https://accounts.example.com"

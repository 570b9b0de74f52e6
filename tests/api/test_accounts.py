"""Accounts through the REST API with COMICREEL_AUTH_ENABLED: register, log in, refresh with rotation (a reused
refresh token revokes its login), log out, suspension, throttled logins, per-user rate limits, ownership, quotas
(atomic under concurrency, given back when a render fails), and the refusal to listen beyond loopback without auth."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import OctKey

from app import create_app
from studio.config import Settings
from studio.services import build_services
from tests.api.conftest import BASE_URL, ok, refused, wait

PASSWORD = "correct horse battery"


@pytest.fixture
def auth_settings(settings):
    return settings.model_copy(update={"auth_enabled": True, "admin_emails": ["boss@example.com"],  # for OIDC only
                                       "login_attempts": "3/minute", "rate_limit": "1000/minute"})  # fmt: skip


@pytest.fixture
def api(auth_settings):
    with TestClient(create_app(auth_settings, services=build_services(auth_settings, immediate=True)),
                    base_url=BASE_URL) as client:  # fmt: skip
        yield client


def register(api, name: str, email: str | None = None) -> dict:
    body = {"email": email or f"{name}@example.com", "password": PASSWORD, "username": name}
    return ok(api.post("/api/v1/auth/register", json=body), 201)


def admin(api, name: str) -> dict:
    """A registered account made an admin the operator's way (`comicreel admin EMAIL`): registering never does."""
    from studio import accounts

    tokens = register(api, name, f"{name}@example.com")
    assert ok(api.get(f"/api/v1/users/{tokens['user_id']}", headers=bearer(tokens)))["role"] == "user"
    accounts.set_role(api.app.state.services, email=f"{name}@example.com", role="admin")
    return tokens


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_register_login_and_profile_with_quota(api) -> None:
    alice = register(api, "alice")
    assert alice["user_id"] and alice["token_type"] == "bearer" and alice["expires_in"] > 0
    me = ok(api.get(f"/api/v1/users/{alice['user_id']}", headers=bearer(alice)))
    assert (me["username"], me["email"], me["role"], me["status"]) == ("alice", "alice@example.com", "user", "active")
    assert me["subscription"]["plan"] == "free"
    assert me["subscription"]["quota"] == {"videos_total": 5, "videos_used": 0, "videos_remaining": 5}
    logged = ok(api.post("/api/v1/auth/login", json={"email": "ALICE@example.com", "password": PASSWORD}))
    assert logged["user"]["id"] == alice["user_id"]
    changed = ok(api.patch(f"/api/v1/users/{alice['user_id']}", headers=bearer(logged),
                           json={"username": "alice2", "preferences": {"language": "zh"}}))  # fmt: skip
    assert (changed["username"], changed["preferences"]) == ("alice2", {"language": "zh"})
    refused(api.post("/api/v1/auth/register", json={"email": "alice@example.com", "password": PASSWORD,
                                                    "username": "other"}), 409, 10002, "email")  # fmt: skip
    refused(api.post("/api/v1/auth/register", json={"email": "x@example.com", "password": "short",
                                                    "username": "xx1"}), 400, 10002, "password")  # fmt: skip


def test_every_api_route_needs_a_valid_token(api, auth_settings) -> None:
    alice = register(api, "alice")
    refused(api.get("/api/v1/projects"), 401, 20001)
    refused(api.get("/api/v1/projects", headers={"Authorization": "Bearer not-a-jwt"}), 401, 20001)
    token = alice["access_token"]
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    refused(api.get("/api/v1/projects", headers={"Authorization": f"Bearer {tampered}"}), 401, 20001)
    wrong_key = jwt.encode({"alg": "HS256"}, {"sub": alice["user_id"], "sid": str(uuid.uuid4()), "iat": 1, "exp": 2**31,
                                              "jti": "x"}, OctKey.import_key(b"k" * 32))  # fmt: skip
    refused(api.get("/api/v1/projects", headers={"Authorization": f"Bearer {wrong_key}"}), 401, 20001)
    assert ok(api.get("/api/v1/projects", headers=bearer(alice)))["projects"] == []
    response = api.get("/api/v1/projects")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_an_expired_access_token_is_refused_with_its_own_code(auth_settings) -> None:
    short = auth_settings.model_copy(update={"access_token_ttl": 30})
    svc = build_services(short, immediate=True)
    with TestClient(create_app(short, services=svc), base_url=BASE_URL) as api:
        alice = register(api, "alice")
        real_time = time.time
        try:
            time.time = lambda: real_time() + 120  # type: ignore[assignment]  # 2 minutes later
            refused(api.get("/api/v1/projects", headers=bearer(alice)), 401, 20002)
        finally:
            time.time = real_time  # type: ignore[assignment]


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_login(api) -> None:
    first = register(api, "alice")
    second = ok(api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}))
    assert second["refresh_token"] != first["refresh_token"]
    ok(api.get("/api/v1/projects", headers=bearer(second)))
    # The spent token again (stolen?): refused, and the whole login with it, including the newer tokens.
    refused(api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}), 401, 20001)
    refused(api.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}), 401, 20001)
    refused(api.get("/api/v1/projects", headers=bearer(second)), 401, 20001)
    refused(api.post("/api/v1/auth/refresh", json={"refresh_token": "made-up"}), 401, 20001)


def test_logout_ends_the_login_everywhere(api) -> None:
    alice = register(api, "alice")
    other = ok(api.post("/api/v1/auth/login", json={"email": "alice@example.com", "password": PASSWORD}))
    assert ok(api.post("/api/v1/auth/logout", headers=bearer(alice))) == {"logged_out": True}
    refused(api.get("/api/v1/projects", headers=bearer(alice)), 401, 20001)
    refused(api.post("/api/v1/auth/refresh", json={"refresh_token": alice["refresh_token"]}), 401, 20001)
    ok(api.get("/api/v1/projects", headers=bearer(other)))  # another login of the same account goes on


def test_failed_logins_are_throttled_per_account(api) -> None:
    register(api, "alice")
    for _ in range(3):
        refused(api.post("/api/v1/auth/login", json={"email": "alice@example.com", "password": "wrong pass"}),
                401, 20001)  # fmt: skip
    response = api.post("/api/v1/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    refused(response, 429, 10004)
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    refused(api.post("/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}), 401, 20001)


def test_admins_suspend_users_who_then_get_20004(api) -> None:
    boss, alice = admin(api, "boss"), register(api, "alice")
    refused(api.get("/api/v1/admin/users", headers=bearer(alice)), 403, 20003)
    listed = ok(api.get("/api/v1/admin/users", headers=bearer(boss)))
    assert {u["username"] for u in listed["items"]} >= {"boss", "alice"}
    ok(api.patch(f"/api/v1/admin/users/{alice['user_id']}", headers=bearer(boss), json={"status": "suspended"}))
    refused(api.get("/api/v1/projects", headers=bearer(alice)), 403, 20004)
    refused(api.post("/api/v1/auth/login", json={"email": "alice@example.com", "password": PASSWORD}), 403, 20004)
    refused(api.post("/api/v1/auth/refresh", json={"refresh_token": alice["refresh_token"]}), 403, 20004)
    ok(api.patch(f"/api/v1/admin/users/{alice['user_id']}", headers=bearer(boss), json={"status": "active"}))
    ok(api.post("/api/v1/auth/login", json={"email": "alice@example.com", "password": PASSWORD}))
    ok(api.get("/api/v1/projects", headers=bearer(alice)))  # the same token again, once the account is active
    plans = ok(api.get("/api/v1/admin/plans", headers=bearer(boss)))["plans"]
    assert [p["name"] for p in plans] == ["free", "basic", "pro", "enterprise"]
    ok(api.patch("/api/v1/admin/plans/free", headers=bearer(boss), json={"videos_quota": 7}))
    me = ok(api.get(f"/api/v1/users/{alice['user_id']}", headers=bearer(alice)))
    assert me["subscription"]["quota"]["videos_total"] == 7


def test_one_user_cannot_touch_anothers_projects_or_profile(api) -> None:
    alice, bob = register(api, "alice"), register(api, "bob")
    project = ok(api.post("/api/v1/projects", headers=bearer(alice), json={"name": "Mine"}), 201)
    pid = project["project_id"]
    refused(api.get(f"/api/v1/projects/{pid}", headers=bearer(bob)), 404, 30002)
    refused(api.patch(f"/api/v1/projects/{pid}", headers=bearer(bob), json={"name": "x"}), 404, 30002)
    refused(api.delete(f"/api/v1/projects/{pid}", headers=bearer(bob)), 404, 30002)
    refused(api.get(f"/api/v1/users/{alice['user_id']}", headers=bearer(bob)), 403, 20003)
    refused(api.patch(f"/api/v1/users/{alice['user_id']}", headers=bearer(bob), json={"username": "evil"}), 403, 20003)
    assert ok(api.get(f"/api/v1/projects/{pid}", headers=bearer(alice)))["name"] == "Mine"


def test_a_burst_gets_429_with_retry_after(auth_settings) -> None:
    tight = auth_settings.model_copy(update={"rate_limit": "5/minute"})
    with TestClient(create_app(tight, services=build_services(tight, immediate=True)), base_url=BASE_URL) as api:
        alice, bob = register(api, "alice"), register(api, "bob")
        statuses = [api.get("/api/v1/projects", headers=bearer(alice)).status_code for _ in range(8)]
        assert statuses == [200] * 5 + [429] * 3
        response = api.get("/api/v1/projects", headers=bearer(alice))
        refused(response, 429, 10004)
        assert int(response.headers["Retry-After"]) >= 1
        ok(api.get("/api/v1/projects", headers=bearer(bob)))  # per user
        ok(api.get(f"/api/v1/users/{alice['user_id']}", headers=bearer(alice)))  # and per route


def test_a_failed_final_render_gives_its_video_back(api) -> None:
    alice = register(api, "alice")
    pid = ok(api.post("/api/v1/projects", headers=bearer(alice), json={"name": "Empty"}), 201)["project_id"]
    queued = ok(api.post(f"/api/v1/projects/{pid}/render/final", headers=bearer(alice), json={}), 202)
    task = wait(api, queued["render_task_id"], headers=bearer(alice))
    assert task["status"] == "failed", task  # nothing to render: no storyboard
    me = ok(api.get(f"/api/v1/users/{alice['user_id']}", headers=bearer(alice)))
    assert me["subscription"]["quota"]["videos_remaining"] == 5


def test_quota_is_never_overspent_under_concurrency(auth_settings) -> None:
    """50 final renders at once against a quota of 5 (of a project with no storyboard, so they fail fast and, being
    failed, give their videos back only after all 50 asked): exactly 5 start."""
    _quota_race(auth_settings)


@pytest.mark.services
def test_quota_is_never_overspent_under_concurrency_on_postgresql(auth_settings, pg_url) -> None:
    _quota_race(auth_settings.model_copy(update={"database_url": pg_url}))


def _quota_race(settings: Settings) -> None:
    from jobs import quota

    svc = build_services(settings, immediate=False)  # tasks stay queued: nothing gives quota back meanwhile
    with TestClient(create_app(settings, services=svc), base_url=BASE_URL) as api:
        alice = register(api, f"alice{uuid.uuid4().hex[:6]}")
        pid = ok(api.post("/api/v1/projects", headers=bearer(alice), json={"name": "Race"}), 201)["project_id"]
        answers: list[tuple[int, dict]] = []
        barrier = threading.Barrier(50)

        def render() -> None:
            barrier.wait()
            response = api.post(f"/api/v1/projects/{pid}/render/final", headers=bearer(alice), json={})
            answers.append((response.status_code, response.json()))

        threads = [threading.Thread(target=render) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted((status, body["code"]) for status, body in answers) == [(202, 0)] * 5 + [(403, 30001)] * 45
        me = ok(api.get(f"/api/v1/users/{alice['user_id']}", headers=bearer(alice)))
        assert me["subscription"]["quota"]["videos_remaining"] == 0
        # Cancelled (or failed) renders give their video back, each once (cancelling twice changes nothing).
        for status, body in answers:
            if status == 202:
                task_id = body["data"]["render_task_id"]
                ok(api.post(f"/api/v1/tasks/{task_id}/cancel", headers=bearer(alice)))
                refused(api.post(f"/api/v1/tasks/{task_id}/cancel", headers=bearer(alice)), 409, 10002)
        me = ok(api.get(f"/api/v1/users/{alice['user_id']}", headers=bearer(alice)))
        assert me["subscription"]["quota"]["videos_remaining"] == 5
    assert quota.REFUNDED_STATUSES == ("failed", "cancelled")


@pytest.mark.parametrize("host, allowed", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                           ("0.0.0.0", False), ("192.168.1.5", False)])  # fmt: skip
def test_listening_beyond_loopback_needs_auth(host, allowed) -> None:
    settings = Settings(_env_file=None, host=host)
    if allowed:
        settings.refuse_open_without_auth()
    else:
        with pytest.raises(SystemExit, match="COMICREEL_AUTH_ENABLED=true"):
            settings.refuse_open_without_auth()
    Settings(_env_file=None, host=host, auth_enabled=True).refuse_open_without_auth()


def test_without_auth_the_local_creator_needs_no_token(client) -> None:
    ok(api_get := client.get("/api/v1/projects"))
    assert api_get.status_code == 200


@pytest.mark.services
def test_rate_limits_are_shared_by_replicas_through_redis(redis_url) -> None:
    from studio.errors import TooManyRequests
    from studio.throttle import Throttle

    first, second = (Throttle(redis_url, api="3/minute", tasks="1/minute", logins="2/minute") for _ in range(2))
    user = uuid.uuid4().hex
    first.hit(first.api, user, "GET", "/x", what="requests")
    second.hit(second.api, user, "GET", "/x", what="requests")
    first.hit(first.api, user, "GET", "/x", what="requests")
    with pytest.raises(TooManyRequests) as refused_here:
        second.hit(second.api, user, "GET", "/x", what="requests")
    assert refused_here.value.http_status == 429 and 1 <= int(refused_here.value.headers["Retry-After"]) <= 60
    second.hit(second.api, user, "GET", "/y", what="requests")  # another route has its own count

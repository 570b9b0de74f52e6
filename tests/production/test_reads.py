"""Fast reads: task status and project reads come from memory until a write makes them stale — at once for writes in
this process, within COMICREEL_READ_CACHE_TTL for writes by other processes — and never from before a write."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from db.models import Task
from db.session import make_engine, make_sessionmaker, transaction
from jobs.progress import TaskReporter
from studio import projects
from studio.read_cache import ReadCache
from studio.services import build_services
from tests.production.conftest import until


@pytest.fixture
def app_and_services(settings):  # type: ignore[no-untyped-def]
    from app import create_app

    svc = build_services(settings.model_copy(update={"read_cache_ttl": 0.5}))
    with TestClient(create_app(svc.settings, services=svc), base_url="http://127.0.0.1") as client:
        yield client, svc


def _selects(svc) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(svc.engine, "before_cursor_execute", lambda *a: seen.append(a[2]) if a[2].startswith("SELECT") else None)
    return seen


def test_task_status_is_read_once_and_follows_every_write(app_and_services) -> None:
    client, svc = app_and_services
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="r")["id"]
    task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="nlp")  # no worker: it waits

    def status() -> dict:
        response = client.get(f"/api/v1/tasks/{task_id}")
        assert response.status_code == 200
        return response.json()["data"]

    assert status()["status"] == "queued"
    selects = _selects(svc)
    for _ in range(20):
        assert status()["status"] == "queued"
    assert selects == []  # served from memory
    reporter = TaskReporter(svc.sessions, uuid.UUID(task_id))  # a worker thread of this process takes it
    assert reporter.start()
    assert status()["status"] == "processing"
    reporter.progress(0.5, "drawing")
    assert (status()["progress"], status()["current_step"]) == (50, "drawing")
    assert status()["estimated_remaining"] is not None
    reporter.stop_heartbeat()
    cancelled = client.post(f"/api/v1/tasks/{task_id}/cancel")
    assert cancelled.status_code == 200 and status()["status"] == "cancelled"
    assert client.get(f"/api/v1/tasks/{uuid.uuid4()}").status_code == 404


def test_project_reads_follow_writes(app_and_services) -> None:
    client, svc = app_and_services
    pid = client.post("/api/v1/projects", json={"name": "before"}).json()["data"]["project_id"]
    assert client.get(f"/api/v1/projects/{pid}").json()["data"]["name"] == "before"
    assert client.get("/api/v1/projects").json()["data"]["projects"][0]["name"] == "before"
    selects = _selects(svc)
    client.get(f"/api/v1/projects/{pid}")
    client.get("/api/v1/projects")
    assert selects == []
    assert client.patch(f"/api/v1/projects/{pid}", json={"name": "after"}).status_code == 200
    assert client.get(f"/api/v1/projects/{pid}").json()["data"]["name"] == "after"
    assert client.get("/api/v1/projects").json()["data"]["projects"][0]["name"] == "after"
    projects.save_script(svc, user_id=svc.default_user_id, project_id=pid, content="场景:街,白天\n阿福: 你好。\n")
    assert client.get(f"/api/v1/projects/{pid}").json()["data"]["script"]["version"] == 1
    assert client.delete(f"/api/v1/projects/{pid}").status_code == 200
    assert client.get(f"/api/v1/projects/{pid}").status_code == 404
    assert client.get("/api/v1/projects").json()["data"]["total"] == 0


def test_a_write_by_another_process_shows_within_the_ttl(app_and_services) -> None:
    client, svc = app_and_services
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="r")["id"]
    task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="nlp")
    assert client.get(f"/api/v1/tasks/{task_id}").json()["data"]["progress"] == 0
    other = make_engine(svc.settings.resolved_database_url)  # a worker process: its own engine, unseen by the cache
    try:
        with transaction(make_sessionmaker(other)) as s:
            s.execute(update(Task).where(Task.id == uuid.UUID(task_id)).values(progress=42))
        until(lambda: client.get(f"/api/v1/tasks/{task_id}").json()["data"]["progress"] == 42, timeout=10,
              what="the other process's write to show")  # fmt: skip
    finally:
        other.dispose()


def test_a_value_read_before_a_write_is_not_kept() -> None:
    cache = ReadCache(ttl=60)
    generation = cache.generation  # a reader starts its query...
    cache.invalidate()  # ...a write commits meanwhile...
    cache.put("k", "stale", generation)  # ...and the reader's (old) value is dropped
    assert cache.get("k") is None
    cache.put("k", "fresh", cache.generation)
    assert cache.get("k") == "fresh"
    off = ReadCache(ttl=0)
    off.put("k", "v", off.generation)
    assert off.get("k") is None
    with pytest.raises(ValueError, match="ttl must be at least 0"):
        ReadCache(ttl=-1)

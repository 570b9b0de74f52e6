"""Live task progress as Server-Sent Events (`GET /api/v1/tasks/{task_id}/events`) from a real server: the task's state
at once, each change while a real worker runs it, heartbeats while it waits, the end of the stream when it is done;
and nobody but its owner gets a stream."""

from __future__ import annotations

import json
import threading
import time
import uuid

import httpx
import pytest
import uvicorn

from app import create_app
from jobs.huey_app import QUEUES
from jobs.work import parse_project_script, plan_project_storyboard
from studio import projects, task_events
from studio.api import tasks
from studio.services import build_services
from tests.api.conftest import ok, refused
from tests.api.test_accounts import PASSWORD, api, auth_settings, bearer, register  # noqa: F401 - fixtures
from tests.conftest import free_port

SCRIPT = "场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(微笑): 昨天的话,我想了一整天。\n（小明看着远处）\n小明(开心): 太好了!\n"


@pytest.fixture
def server(settings):
    yield from _serving(settings)


@pytest.fixture
def auth_server(auth_settings):  # noqa: F811
    yield from _serving(auth_settings)


def _serving(settings):
    """The app on a real port, with no worker running yet: tasks wait in the queue until a test starts one."""
    svc = build_services(settings)  # embedded_workers=0
    server = uvicorn.Server(uvicorn.Config(create_app(settings, services=svc), host="127.0.0.1", port=free_port(),
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield svc, f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(20)


def _events(lines) -> list[dict | str]:
    """Parsed events (their JSON data, or `event: name`), and `heartbeat` for each comment line."""
    events: list[dict | str] = []
    name = None
    for line in lines:
        if line.startswith(": heartbeat"):
            events.append("heartbeat")
        elif line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            events.append(name or json.loads(line.removeprefix("data: ")))
            name = None
    return events


def _storyboarded(svc) -> str:
    """A project with a parsed script and a storyboard of three shots (planned here; no worker runs yet)."""
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="live", aspect_ratio="1:1")["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content=SCRIPT)
    parse_project_script(svc.ctx, uuid.UUID(pid), lambda fraction, step: None)
    plan_project_storyboard(svc.ctx, uuid.UUID(pid), {}, lambda fraction, step: None)
    return pid


def test_a_real_task_is_followed_until_it_completes(server, monkeypatch) -> None:
    svc, base = server
    monkeypatch.setattr(tasks, "HEARTBEAT_S", 0.3)
    monkeypatch.setattr(task_events, "POLL_S", 0.05)  # three sketch panels may take less than the usual 0.5 s
    pid = _storyboarded(svc)
    with httpx.Client(base_url=base, timeout=60) as http:
        task_id = ok(http.post(f"/api/v1/projects/{pid}/storyboard/generate-images"), 202)["batch_task_id"]
        lines: list[str] = []
        with http.stream("GET", f"/api/v1/tasks/{task_id}/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["cache-control"] == "no-cache"
            started = time.monotonic()
            for line in stream.iter_lines():  # the server ends the stream after the last event
                lines.append(line)
                waited = time.monotonic() - started
                if not svc.consumers and (line.startswith(": heartbeat") or waited > 5):
                    svc.run_workers(QUEUES, 1)  # the task waited, heard as heartbeats; now a worker runs it
                assert waited < 120, "the stream goes on after the task ended"
    events = _events(lines)
    states = [e for e in events if isinstance(e, dict)]
    assert states[0]["status"] == "queued" and events[1] == "heartbeat"
    assert states[-1]["status"] == "completed" and states[-1]["progress"] == 100 and events[-1] == states[-1]
    assert states[-1]["result"] == ok(httpx.get(f"{base}/api/v1/tasks/{task_id}"))["result"]
    running = [s for s in states if s["status"] == "processing"]
    assert running and any(s["current_step"] == "generating_images" for s in running), states
    progress = [(s["progress"], s["current_step"], s["status"]) for s in states]
    assert len(set(progress)) == len(progress), "an event is sent only when something changed"
    assert [p for p, _, _ in progress] == sorted(p for p, _, _ in progress)
    assert all(s["task_id"] == task_id and s["type"] == "image_generation" for s in states)


def test_a_deleted_tasks_stream_says_so_and_ends(server, monkeypatch) -> None:
    svc, base = server
    monkeypatch.setattr(task_events, "POLL_S", 2.0)  # the project is deleted before the stream looks again
    pid = _storyboarded(svc)
    with httpx.Client(base_url=base, timeout=60) as http:
        task_id = ok(http.post(f"/api/v1/projects/{pid}/storyboard/generate-images"), 202)["batch_task_id"]
        with http.stream("GET", f"/api/v1/tasks/{task_id}/events") as stream:
            lines = []
            for line in stream.iter_lines():
                lines.append(line)
                if line.startswith('data: {"task_id"'):
                    ok(http.delete(f"/api/v1/projects/{pid}"))  # the task goes with its project
    assert _events(lines)[-1] == "gone"


def test_only_the_owner_gets_the_stream(api) -> None:  # noqa: F811
    alice, bob = register(api, "alice"), register(api, "bob")
    her = bearer(alice)
    pid = ok(api.post("/api/v1/projects", json={"name": "hers"}, headers=her), 201)["project_id"]
    ok(api.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT}, headers=her))
    task_id = ok(api.post(f"/api/v1/projects/{pid}/script/parse", headers=her), 202)["task_id"]  # done at once here
    url = f"/api/v1/tasks/{task_id}/events"
    refused(api.get(url, headers=bearer(bob)), 404, 10003)
    refused(api.get(url), 401, 20001)
    refused(api.get(f"/api/v1/tasks/{uuid.uuid4()}/events", headers=her), 404, 10003)
    refused(api.get("/api/v1/tasks/not-a-task/events", headers=her), 400, 10002, "task_id")
    mine = api.get(url, headers=her)
    assert mine.status_code == 200 and mine.headers["content-type"].startswith("text/event-stream")
    assert [e["status"] for e in _events(mine.text.splitlines()) if isinstance(e, dict)] == ["completed"]


def test_a_stream_ends_when_its_login_does(auth_server, monkeypatch) -> None:
    """Logged out while following a task: the stream says so (20001) and ends, though the task goes on."""
    svc, base = auth_server
    monkeypatch.setattr(tasks, "HEARTBEAT_S", 0.3)  # a quiet stream looks again this often
    with httpx.Client(base_url=base, timeout=60) as http:
        alice = ok(http.post("/api/v1/auth/register", json={"email": "alice@example.com", "password": PASSWORD,
                                                            "username": "alice"}), 201)  # fmt: skip
        her = bearer(alice)
        pid = ok(http.post("/api/v1/projects", json={"name": "hers"}, headers=her), 201)["project_id"]
        ok(http.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT}, headers=her))
        task_id = ok(http.post(f"/api/v1/projects/{pid}/script/parse", headers=her), 202)["task_id"]  # no worker
        lines: list[str] = []
        with http.stream("GET", f"/api/v1/tasks/{task_id}/events", headers=her) as stream:
            for line in stream.iter_lines():
                lines.append(line)
                if line.startswith("data: {") and len(lines) < 3:
                    ok(http.post("/api/v1/auth/logout", headers=her))
                assert len(lines) < 100, "the stream goes on after its login ended"
    events = _events(lines)
    assert [e["status"] for e in events if isinstance(e, dict) and "status" in e] == ["queued"]
    assert events[-1] == "unauthorized", lines
    assert json.loads(lines[lines.index("event: unauthorized") + 1].removeprefix("data: "))["code"] == 20001
    assert projects.get_task(svc, user_id=uuid.UUID(alice["user_id"]), task_id=task_id)["status"] == "queued"

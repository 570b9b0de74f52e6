"""The REST API: the seed's endpoints, envelope and error codes; embedded and on the production services."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from app import create_app
from studio.services import build_services
from tests.media import assert_video

TINY = "场景:学校天台,夜晚\n角色:小明(男,高中生),小红(女,红色围巾)\n小红(微笑): 昨天的话,我想了一整天。\n小明(开心): 太好了!\n"


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, services=build_services(settings, immediate=True))) as c:
        yield c


def _ok(response, status=200) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == 0 and body["message"] == "success" and body["request_id"] and body["timestamp"]
    return body["data"]


def _wait(client, task_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        task = _ok(client.get(f"/api/v1/tasks/{task_id}"))
        if task["status"] in ("completed", "failed") or time.monotonic() > deadline:
            return task
        time.sleep(0.2)


def _script_to_video(client, tmp_path, aspect: str, size: tuple[int, int]) -> None:
    pid = _ok(client.post("/api/v1/projects", json={"name": "天台", "aspect_ratio": aspect}), 201)["project_id"]
    saved = _ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": TINY}))
    assert saved["version"] == 1 and saved["word_count"] > 10
    task = _ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)
    assert _wait(client, task["task_id"])["status"] == "completed"
    parsed = _ok(client.get(f"/api/v1/projects/{pid}/script/parsed"))
    assert parsed["scenes"][0]["shots"][0] == {"type": "dialogue", "text": "昨天的话,我想了一整天。", "duration": 2.8,
                                               "character": "小红", "emotion": "微笑", "characters": ["小红"], "sound_effects": []}  # fmt: skip
    task = _ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate", json={"options": {"max_shots": 50}}), 202)
    assert _wait(client, task["task_id"])["status"] == "completed"
    batch = _ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate-images"), 202)
    assert batch["total_shots"] == 2 and _wait(client, batch["batch_task_id"])["status"] == "completed"
    board = _ok(client.get(f"/api/v1/projects/{pid}/storyboard"))
    assert [s["status"] for s in board["shots"]] == ["completed", "completed"]
    render = _ok(client.post(f"/api/v1/projects/{pid}/render/final", json={"platform_preset": "douyin"}), 202)
    done = _wait(client, render["render_task_id"])
    assert done["status"] == "completed", done["error"]
    download = _ok(client.get(f"/api/v1/projects/{pid}/video/download"))
    svc = client.app.state.services
    path = svc.storage.download(download["video_key"], str(tmp_path / "video.mp4"))
    board = _ok(client.get(f"/api/v1/projects/{pid}/storyboard"))
    assert_video(path, width=size[0], height=size[1], shot_durations=[s["duration"] for s in board["shots"]])
    assert _ok(client.get(f"/api/v1/projects/{pid}"))["status"] == "completed"


def test_script_to_video_embedded(client, tmp_path) -> None:
    _script_to_video(client, tmp_path, "1:1", (1080, 1080))


def test_errors_use_the_seed_envelope_and_codes(client) -> None:
    bad = client.post("/api/v1/projects", json={"name": "x", "aspect_ratio": "4:3"})
    assert bad.status_code == 400 and bad.json()["code"] == 10002 and bad.json()["error"]["field"] == "aspect_ratio"
    missing = client.get("/api/v1/projects/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == 30002
    assert client.get("/api/v1/tasks/not-a-uuid").json()["code"] == 10003
    pid = _ok(client.post("/api/v1/projects", json={"name": "p"}), 201)["project_id"]
    empty = client.post(f"/api/v1/projects/{pid}/script", json={"content": ""})
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "content"
    assert client.get(f"/api/v1/projects/{pid}/storyboard").json()["code"] == 10003
    # A parse with no script fails its task with a reason; nothing is left "processing".
    task = _ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)
    done = _wait(client, task["task_id"])
    assert done["status"] == "failed" and "no script" in done["error"]
    assert client.get("/api/v1/projects/x", headers={"X-Request-ID": "abc"}).json()["request_id"] == "abc"


def test_projects_crud(client) -> None:
    pid = _ok(client.post("/api/v1/projects", json={"name": "one", "style": "anime"}), 201)["project_id"]
    _ok(client.post("/api/v1/projects", json={"name": "two"}), 201)
    listing = _ok(client.get("/api/v1/projects?page=1&page_size=1"))
    assert listing["total"] == 2 and len(listing["projects"]) == 1
    assert _ok(client.patch(f"/api/v1/projects/{pid}", json={"name": "renamed"}))["name"] == "renamed"
    _ok(client.delete(f"/api/v1/projects/{pid}"))
    assert client.get(f"/api/v1/projects/{pid}").status_code == 404
    assert "/api/v1/projects/{project_id}/render/final" in client.get("/openapi.json").json()["paths"]


@pytest.mark.services
def test_script_to_video_on_postgres_redis_and_s3(settings, pg_url, redis_url, s3_server, tmp_path) -> None:
    """The production configuration runs the same code: PostgreSQL, PriorityRedisHuey with a worker, S3."""
    prod = settings.model_copy(update={
        "database_url": pg_url, "redis_url": redis_url, "storage_backend": "s3", "s3_endpoint": s3_server["endpoint"],
        "s3_access_key": s3_server["access_key"], "s3_secret_key": s3_server["secret_key"], "s3_bucket": "prod-test",
        "embedded_workers": 1,
    })  # fmt: skip
    services = build_services(prod)
    services.huey.flush()
    with TestClient(create_app(prod, services=services)) as client:
        assert services.consumer is not None and services.storage.name == "s3"
        _script_to_video(client, tmp_path, "9:16", (1080, 1920))


def test_a_storage_outage_answers_with_the_envelope(client, monkeypatch) -> None:
    from storage.base import StorageError

    pid = _ok(client.post("/api/v1/projects", json={"name": "p"}), 201)["project_id"]

    def down(prefix: str) -> list[str]:
        raise StorageError("S3 unreachable")

    monkeypatch.setattr(client.app.state.services.storage, "list", down)
    response = client.delete(f"/api/v1/projects/{pid}")
    assert response.status_code == 503 and response.json()["code"] == 40002
    assert "S3 unreachable" in response.json()["message"]
    assert _ok(client.get(f"/api/v1/projects/{pid}"))["name"] == "p"  # nothing half-deleted

"""The REST API: the seed's endpoints, envelope and error codes; embedded and on the production services."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app import create_app
from studio.services import build_services
from tests.api.conftest import BASE_URL, ok, refused, wait
from tests.media import assert_video

TINY = "场景:学校天台,夜晚\n角色:小明(男,高中生),小红(女,红色围巾)\n小红(微笑): 昨天的话,我想了一整天。\n小明(开心): 太好了!\n"


def _script_to_video(client, tmp_path, aspect: str, size: tuple[int, int]) -> None:
    pid = ok(client.post("/api/v1/projects", json={"name": "天台", "aspect_ratio": aspect}), 201)["project_id"]
    saved = ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": TINY}))
    assert saved["version"] == 1 and saved["word_count"] > 10
    task = ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)
    assert wait(client, task["task_id"])["status"] == "completed"
    parsed = ok(client.get(f"/api/v1/projects/{pid}/script/parsed"))
    assert parsed["scenes"][0]["shots"][0] == {"type": "dialogue", "text": "昨天的话,我想了一整天。", "duration": 3.5, "line": 3,
                                               "character": "小红", "emotion": "微笑", "characters": ["小红"], "sound_effects": []}  # fmt: skip
    task = ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate", json={"options": {"max_shots": 50}}), 202)
    assert wait(client, task["task_id"])["status"] == "completed"
    batch = ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate-images"), 202)
    assert batch["total_shots"] == 2 and wait(client, batch["batch_task_id"])["status"] == "completed"
    board = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))
    assert [s["status"] for s in board["shots"]] == ["completed", "completed"]
    render = ok(client.post(f"/api/v1/projects/{pid}/render/final", json={"resolution": "1080p"}), 202)
    done = wait(client, render["render_task_id"])
    assert done["status"] == "completed", done["error"]
    download = ok(client.get(f"/api/v1/projects/{pid}/video/download"))
    svc = client.app.state.services
    path = svc.storage.download(download["video_key"], str(tmp_path / "video.mp4"))
    board = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))
    assert_video(path, width=size[0], height=size[1], shot_durations=[s["duration"] for s in board["shots"]])
    assert ok(client.get(f"/api/v1/projects/{pid}"))["status"] == "completed"


def test_script_to_video_embedded(client, tmp_path) -> None:
    _script_to_video(client, tmp_path, "1:1", (1080, 1080))


def test_errors_use_the_seed_envelope_and_codes(client) -> None:
    bad = client.post("/api/v1/projects", json={"name": "x", "aspect_ratio": "4:3"})
    assert bad.status_code == 400 and bad.json()["code"] == 10002 and bad.json()["error"]["field"] == "aspect_ratio"
    missing = client.get("/api/v1/projects/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == 30002
    refused(client.get("/api/v1/tasks/not-a-uuid"), 400, 10002, field="task_id")
    pid = ok(client.post("/api/v1/projects", json={"name": "p"}), 201)["project_id"]
    empty = client.post(f"/api/v1/projects/{pid}/script", json={"content": ""})
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "content"
    assert client.get(f"/api/v1/projects/{pid}/storyboard").json()["code"] == 10003
    # A parse with no script fails its task with a reason; nothing is left "processing".
    task = ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)
    done = wait(client, task["task_id"])
    assert done["status"] == "failed" and "no script" in done["error"]
    assert client.get("/api/v1/projects/x", headers={"X-Request-ID": "abc"}).json()["request_id"] == "abc"


def test_projects_crud(client) -> None:
    pid = ok(client.post("/api/v1/projects", json={"name": "one", "style": "anime"}), 201)["project_id"]
    ok(client.post("/api/v1/projects", json={"name": "two"}), 201)
    listing = ok(client.get("/api/v1/projects?page=1&page_size=1"))
    assert listing["total"] == 2 and len(listing["projects"]) == 1
    assert ok(client.patch(f"/api/v1/projects/{pid}", json={"name": "renamed"}))["name"] == "renamed"
    ok(client.delete(f"/api/v1/projects/{pid}"))
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
    services.queues.flush()
    with TestClient(create_app(prod, services=services), base_url=BASE_URL) as client:
        assert services.consumers and services.storage.name == "s3"
        _script_to_video(client, tmp_path, "9:16", (1080, 1920))

"""The diffusers backend through the REST API: a project's character lock, image quality and scene reference (fields
on create and update, with an effect either way), consistency scores on shots and on every panel version, and a
missing model's error on the failed task."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from app import create_app
from studio.services import build_services
from tests.api.conftest import BASE_URL, ok, refused, wait
from tests.diffusion_models import diffusion_settings, tiny_diffusion

SCRIPT = "场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(微笑): 昨天的话,我想了一整天。\n（小明看着远处）\n小明(开心): 太好了!\n"


@contextmanager
def diffusion_client(client: TestClient, name: str, **overrides: Any) -> Iterator[TestClient]:
    """Another app beside `client`'s (its own data directory), drawing with the tiny diffusion model."""
    base = client.app.state.services.settings  # type: ignore[attr-defined]
    settings = base.model_copy(update={**diffusion_settings(tiny_diffusion(), **overrides),
                                       "data_dir": base.data_dir.parent / name})  # fmt: skip
    with TestClient(create_app(settings, services=build_services(settings, immediate=True)), base_url=BASE_URL) as c:
        yield c


def _project(client: TestClient, **fields: Any) -> str:
    return ok(client.post("/api/v1/projects", json={"name": "p", "aspect_ratio": "1:1", **fields}), 201)["project_id"]


def _task(client: TestClient, url: str, json: dict | None = None) -> dict:
    data = ok(client.post(url, json=json), 202)
    return wait(client, data.get("task_id") or data.get("batch_task_id"))


def _drawn(client: TestClient, pid: str) -> dict:
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT}))
    for url in ("script/parse", "storyboard/generate", "storyboard/generate-images"):
        task = _task(client, f"/api/v1/projects/{pid}/{url}", {} if url == "storyboard/generate" else None)
        assert task["status"] == "completed", task
    return ok(client.get(f"/api/v1/projects/{pid}/storyboard"))


def _references(client: TestClient, pid: str) -> dict[str, str | None]:
    return {c["name"]: c["reference_image_key"] for c in ok(client.get(f"/api/v1/projects/{pid}/characters"))["characters"]}


def check_character_lock(client: TestClient) -> None:
    """ProjectCreate/ProjectUpdate.character_lock: shown on the project; "reference" draws a character sheet for
    every character in frame before the panels (with any backend), and the model's panels are conditioned on them;
    values there are no such method for are refused."""
    pid = _project(client, character_lock="reference")
    assert ok(client.get(f"/api/v1/projects/{pid}"))["character_lock"] == "reference"
    _drawn(client, pid)
    assert all(_references(client, pid).values())
    plain = _project(client)
    assert ok(client.get(f"/api/v1/projects/{plain}"))["character_lock"] == "none"
    _drawn(client, plain)
    assert not any(_references(client, plain).values())
    changed = ok(client.patch(f"/api/v1/projects/{plain}", json={"character_lock": "reference"}))
    assert changed["character_lock"] == "reference" and changed["image_quality"] == "final"
    assert _task(client, f"/api/v1/projects/{plain}/storyboard/update-stale")["status"] == "completed"
    assert not any(_references(client, plain).values())  # nothing was stale: nothing drawn, no sheets
    shot = ok(client.get(f"/api/v1/projects/{plain}/storyboard"))["shots"][0]
    assert _task(client, f"/api/v1/projects/{plain}/shots/{shot['shot_id']}/regenerate")["status"] == "completed"
    assert _references(client, plain)["小红"]  # the shot's character got its sheet first
    refused(client.post("/api/v1/projects", json={"name": "p", "character_lock": "ipadapter"}), 400, 10002,
            field="character_lock")  # fmt: skip
    refused(client.patch(f"/api/v1/projects/{plain}", json={"character_lock": None}), 400, 10002)
    with diffusion_client(client, "lock") as model:
        pid = _project(model, character_lock="consistent")
        board = _drawn(model, pid)
        assert {s["generation_params"]["lock_method"] for s in board["shots"]} == {"consistent_self_attention"}


def check_scene_reference(client: TestClient) -> None:
    """ProjectCreate/ProjectUpdate.scene_reference: off by default, shown on the project, changed by update; with a
    model the scene's first panel conditions its other shots (the sketch ignores it); non-booleans are refused."""
    plain = _project(client)
    assert ok(client.get(f"/api/v1/projects/{plain}"))["scene_reference"] is False
    changed = ok(client.patch(f"/api/v1/projects/{plain}", json={"scene_reference": True}))
    assert changed["scene_reference"] is True and changed["character_lock"] == "none"
    assert ok(client.get(f"/api/v1/projects/{plain}"))["scene_reference"] is True
    board = _drawn(client, plain)  # the sketch draws as ever
    assert not any("scene_reference" in s["generation_params"] for s in board["shots"])
    refused(client.post("/api/v1/projects", json={"name": "p", "scene_reference": "yes"}), 400, 10002,
            field="scene_reference")  # fmt: skip
    refused(client.patch(f"/api/v1/projects/{plain}", json={"scene_reference": 1}), 400, 10002)
    refused(client.patch(f"/api/v1/projects/{plain}", json={"scene_reference": None}), 400, 10002)
    with diffusion_client(client, "scene") as model:
        pid = _project(model, scene_reference=True)
        assert ok(model.get(f"/api/v1/projects/{pid}"))["scene_reference"] is True
        shots = _drawn(model, pid)["shots"]
        assert "scene_reference" not in shots[0]["generation_params"]
        assert {s["generation_params"]["scene_reference"] for s in shots[1:]} == {
            shots[0]["generation_params"]["image_sha256"]}  # fmt: skip


def check_image_quality(client: TestClient) -> None:
    """ProjectCreate/ProjectUpdate.image_quality: a model draws preview panels with the preview steps; switched to
    final, update-stale redraws them with the final steps (the sketch renderer has one quality)."""
    refused(client.post("/api/v1/projects", json={"name": "p", "image_quality": "draft"}), 400, 10002,
            field="image_quality")  # fmt: skip
    with diffusion_client(client, "quality") as model:
        pid = _project(model, image_quality="preview")
        assert ok(model.get(f"/api/v1/projects/{pid}"))["image_quality"] == "preview"
        board = _drawn(model, pid)
        assert {(s["generation_params"]["quality"], s["generation_params"]["steps"]) for s in board["shots"]} == {
            ("preview", 1)}  # fmt: skip
        assert ok(model.patch(f"/api/v1/projects/{pid}", json={"image_quality": "final"}))["image_quality"] == "final"
        stale = ok(model.post(f"/api/v1/projects/{pid}/storyboard/update-stale"), 202)
        assert wait(model, stale["task_id"])["status"] == "completed"
        board = ok(model.get(f"/api/v1/projects/{pid}/storyboard"))
        assert {(s["generation_params"]["quality"], s["generation_params"]["steps"]) for s in board["shots"]} == {
            ("final", 2)}  # fmt: skip


def test_scores_show_on_shots_and_on_every_panel_version(client) -> None:
    model_dir = tiny_diffusion().image_encoder
    with diffusion_client(client, "scores", consistency_model=model_dir, consistency_threshold=1.01,
                          consistency_retries=1) as model:  # fmt: skip
        pid = _project(model, character_lock="reference")
        board = _drawn(model, pid)
        for shot in board["shots"]:
            assert set(shot["consistency"]) == set(shot["characters"])
            for score in shot["consistency"].values():
                assert 0 < score["reference"] <= 1 and 0 <= score["copy_paste"] <= 1
            url = f"/api/v1/projects/{pid}/shots/{shot['shot_id']}/images"
            images = ok(model.get(url))["images"]
            assert len(images) == 2  # under the threshold: drawn once more, both kept
            assert all(i["consistency"] and i["params"]["backend"] == "diffusers" for i in images)
            current = next(i for i in images if i["is_current"])
            assert current["consistency"] == shot["consistency"] and current["image_key"] == shot["image_key"]
    # Without a consistency model: nothing measured, and the API says so (null).
    with diffusion_client(client, "unmeasured") as model:
        board = _drawn(model, _project(model))
        assert all(s["consistency"] is None for s in board["shots"])


def test_a_missing_model_fails_the_drawing_task_naming_the_setting(client) -> None:
    with diffusion_client(client, "missing", diffusers_model="/models/not-here") as model:
        pid = _project(model)
        ok(model.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT}))
        _task(model, f"/api/v1/projects/{pid}/script/parse")
        _task(model, f"/api/v1/projects/{pid}/storyboard/generate", {})
        task = _task(model, f"/api/v1/projects/{pid}/storyboard/generate-images")
        assert task["status"] == "failed" and "COMICREEL_DIFFUSERS_MODEL=/models/not-here" in task["error"], task

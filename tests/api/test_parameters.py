"""No parameter is silently ignored: every request-body field the API documents either changes what comes out or is
refused with 10002 and "not supported yet". The list of fields is read from the OpenAPI document, so a new field
without a check here fails the test."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from tests.api.conftest import ok, refused, wait
from tests.media import probe, stream

SCRIPT = "场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(微笑): 昨天的话,我想了一整天。\n（小明看着远处）\n小明(开心): 太好了!\n"
FOUNTAIN_LIKE = "INT. CLASSROOM - DAY\n\nMING\nHello there.\n"


def _body_fields(doc: dict) -> set[str]:
    """`Schema.field` for every field of every request body, nested objects included."""
    schemas = doc["components"]["schemas"]
    found: set[str] = set()

    def walk(ref: str) -> None:
        name = ref.rsplit("/", 1)[-1]
        for field, spec in schemas[name].get("properties", {}).items():
            found.add(f"{name}.{field}")
            for option in [spec, *spec.get("anyOf", []), *spec.get("allOf", [])]:
                if "$ref" in option:
                    walk(option["$ref"])

    for methods in doc["paths"].values():
        for op in methods.values():
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = content.get("schema", {})
            for option in [schema, *schema.get("anyOf", [])]:
                if "$ref" in option:
                    walk(option["$ref"])
    return found


def _project(client, **fields) -> str:
    return ok(client.post("/api/v1/projects", json={"name": "p", "aspect_ratio": "1:1", **fields}), 201)["project_id"]


def _run(client, url: str, json=None) -> dict:
    data = ok(client.post(url, json=json), 202)
    task = wait(client, data.get("task_id") or data.get("batch_task_id") or data.get("render_task_id"))
    assert task["status"] == "completed", task
    return task


def _storyboard(client, pid: str, script: str = SCRIPT, options: dict | None = None) -> dict:
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": script}))
    _run(client, f"/api/v1/projects/{pid}/script/parse")
    _run(client, f"/api/v1/projects/{pid}/storyboard/generate", {"options": options or {}})
    return ok(client.get(f"/api/v1/projects/{pid}/storyboard"))


def _silent_durations(board: dict) -> list[float]:
    return [s["duration"] for s in board["shots"] if s["kind"] == "action"]


def check_project_fields(client) -> None:
    pid = _project(client, description="night shoot", style="chibi", target_duration=30)
    project = ok(client.get(f"/api/v1/projects/{pid}"))
    assert (project["name"], project["description"], project["style"], project["aspect_ratio"]) == (
        "p", "night shoot", "chibi", "1:1")  # fmt: skip
    board = _storyboard(client, pid)
    assert (board["style"], board["aspect_ratio"]) == ("chibi", "1:1")
    # target_duration: the silent shot takes what the voiced ones leave (clamped to the 2-8 s range)
    loose = _storyboard(client, _project(client))
    assert _silent_durations(board) == [8.0] and _silent_durations(loose) != [8.0]
    ok(client.patch(f"/api/v1/projects/{pid}", json={"name": "q", "description": "d", "style": "anime",
                                                     "aspect_ratio": "16:9", "target_duration": 5}))  # fmt: skip
    board = _storyboard(client, pid)
    assert (board["style"], board["aspect_ratio"], _silent_durations(board)) == ("anime", "16:9", [2.0])
    assert ok(client.get(f"/api/v1/projects/{pid}"))["name"] == "q"


def check_script_fields(client) -> None:
    pid = _project(client)
    parsed = {}
    for fmt in ("text", "fountain"):
        saved = ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": FOUNTAIN_LIKE, "format": fmt}))
        assert saved["format"] == fmt
        _run(client, f"/api/v1/projects/{pid}/script/parse")
        parsed[fmt] = ok(client.get(f"/api/v1/projects/{pid}/script/parsed"))
    fountain = parsed["fountain"]
    assert fountain["scenes"][0]["location"].upper() == "CLASSROOM" and fountain["characters"][0]["name"].upper() == "MING"
    assert parsed["text"]["scenes"] != fountain["scenes"]


def check_storyboard_fields(client) -> None:
    pid = _project(client)
    first = _storyboard(client, pid)
    first_parse = ok(client.get(f"/api/v1/projects/{pid}/script/parsed"))["parse_id"]
    _storyboard(client, pid, script="场景:街道,夜晚\n角色:阿福(男)\n阿福: 一。\n阿福: 二。\n阿福: 三。\n阿福: 四。\n")
    again = ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate", json={"parsed_script_id": first_parse}), 202)
    assert wait(client, again["task_id"])["status"] == "completed"
    board = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))
    assert [s["text"] for s in board["shots"]] == [s["text"] for s in first["shots"]]
    too_many = ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate", json={"options": {"max_shots": 2}}), 202)
    failed = wait(client, too_many["task_id"])
    assert failed["status"] == "failed" and "max_shots" in failed["error"]
    ranged = _storyboard(client, _project(client), options={"shot_duration_range": [6.5, 7.0]})
    assert _silent_durations(ranged) == [6.5]


def check_regenerate_field(client) -> None:
    pid = _project(client)
    _storyboard(client, pid)
    _run(client, f"/api/v1/projects/{pid}/storyboard/generate-images")
    shot = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][0]
    storage = client.app.state.services.storage
    before = storage.get_bytes(shot["image_key"])
    _run(client, f"/api/v1/projects/{pid}/shots/{shot['shot_id']}/regenerate", {"prompt_override": "深夜 night, rain"})
    after_shot = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][0]
    after = storage.get_bytes(after_shot["image_key"])
    assert after != before and after_shot["prompt_used"] == "深夜 night, rain"
    sky = [np.asarray(Image.open(io.BytesIO(b)).convert("L"))[20:200, 20:-20].mean() for b in (before, after)]
    assert sky[1] < sky[0] - 40, sky  # the daytime sky turned to night


def check_render_fields(client, tmp_path) -> None:
    pid = _project(client)
    _storyboard(client, pid)
    for refusal in ({"platform_preset": "douyin"}, {"subtitle_style": "karaoke"}):
        body = refused(client.post(f"/api/v1/projects/{pid}/render/final", json=refusal), 400, 10002,
                       field=next(iter(refusal)))  # fmt: skip
        assert "not supported yet" in body["message"]
    _run(client, f"/api/v1/projects/{pid}/render/final", {"resolution": "720p", "format": "mp4",
                                                          "platform_preset": "custom", "subtitle_style": "simple"})  # fmt: skip
    video = ok(client.get(f"/api/v1/projects/{pid}/video/download"))
    path = client.app.state.services.storage.download(video["video_key"], str(tmp_path / "v.mp4"))
    info = probe(path)
    video_stream = stream(info, "video")
    assert (video_stream["width"], video_stream["height"]) == (720, 720) and "mp4" in info["format"]["format_name"]


CHECKS = {
    "ProjectCreate.name": check_project_fields, "ProjectCreate.description": check_project_fields,
    "ProjectCreate.style": check_project_fields, "ProjectCreate.aspect_ratio": check_project_fields,
    "ProjectCreate.target_duration": check_project_fields, "ProjectUpdate.name": check_project_fields,
    "ProjectUpdate.description": check_project_fields, "ProjectUpdate.style": check_project_fields,
    "ProjectUpdate.aspect_ratio": check_project_fields, "ProjectUpdate.target_duration": check_project_fields,
    "ScriptCreate.content": check_script_fields, "ScriptCreate.format": check_script_fields,
    "StoryboardGenerate.parsed_script_id": check_storyboard_fields, "StoryboardGenerate.options": check_storyboard_fields,
    "StoryboardOptions.max_shots": check_storyboard_fields,
    "StoryboardOptions.shot_duration_range": check_storyboard_fields,
    "ShotRegenerate.prompt_override": check_regenerate_field,
    "RenderFinal.resolution": check_render_fields, "RenderFinal.format": check_render_fields,
    "RenderFinal.platform_preset": check_render_fields, "RenderFinal.subtitle_style": check_render_fields,
}  # fmt: skip


def test_every_documented_field_has_an_effect_or_is_refused(client, tmp_path) -> None:
    assert _body_fields(client.get("/openapi.json").json()) == set(CHECKS)
    for check in dict.fromkeys(CHECKS.values()):
        if check is check_render_fields:
            check(client, tmp_path)
        else:
            check(client)

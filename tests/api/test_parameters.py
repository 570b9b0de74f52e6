"""No parameter is silently ignored: every request-body field the API documents either changes what comes out or is
refused with 10002 and "not supported yet". The list of fields is read from the OpenAPI document, so a new field
without a check here fails the test."""

from __future__ import annotations

import base64
import io
import uuid
import wave

import numpy as np
from PIL import Image

from tests.api.conftest import ok, refused, wait
from tests.api.test_admin_library import check_library_fields
from tests.api.test_assets import check_asset_id_fields, check_upload_complete_fields
from tests.api.test_audio import b64, wav_bytes
from tests.api.test_diffusion_api import check_character_lock, check_image_quality, check_scene_reference
from tests.media import frame_at, probe, stream

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
            for option in [spec, *spec.get("anyOf", []), *spec.get("allOf", []), spec.get("items", {})]:  # lists too
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
    _run(client, f"/api/v1/projects/{pid}/storyboard/generate", {"options": {"max_shots": 2}})  # a speaker's lines merge
    assert [s["text"] for s in ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]] == ["一。二。", "三。四。"]
    two_speakers = _project(client)
    _storyboard(client, two_speakers)
    too_few = ok(client.post(f"/api/v1/projects/{two_speakers}/storyboard/generate",
                             json={"options": {"max_shots": 1}}), 202)  # fmt: skip
    failed = wait(client, too_few["task_id"])
    assert failed["status"] == "failed" and "max_shots" in failed["error"]
    ranged = _storyboard(client, _project(client), options={"shot_duration_range": [6.5, 7.0]})
    assert _silent_durations(ranged) == [6.5]


def check_enrich_without_a_model(client) -> None:
    """Asked for without a language model: the plan is made with its own descriptions, and the task says why
    (with a model: tests/api/test_script_understanding.py)."""
    pid = _project(client)
    plain = _storyboard(client, pid)
    task = _run(client, f"/api/v1/projects/{pid}/storyboard/generate", {"options": {"enrich": True}})
    assert "COMICREEL_LLM_BACKEND" in task["result"]["warnings"][0]
    board = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))
    assert [s["scene_description"] for s in board["shots"]] == [s["scene_description"] for s in plain["shots"]]


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
    assert _sky(after) < _sky(before) - 40, (_sky(before), _sky(after))  # the daytime sky turned to night
    # seed: the panel is drawn with it (speed lines of a surprised face follow it), and again the same with it
    url = f"/api/v1/projects/{pid}/shots/{shot['shot_id']}"
    ok(client.patch(url, json={"emotion": "惊讶"}))
    panels = []
    for seed in (11, 12, 11):
        _run(client, url + "/regenerate", {"seed": seed})
        drawn = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][0]
        assert drawn["seed"] == seed
        panels.append(storage.get_bytes(drawn["image_key"]))
    assert panels[0] != panels[1] and panels[0] == panels[2]


def _sky(png: bytes) -> float:
    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L"))[20:200, 20:-20].mean())


def _drawn_and_voiced(client) -> tuple[str, list[dict]]:
    pid = _project(client)
    _storyboard(client, pid)
    _run(client, f"/api/v1/projects/{pid}/storyboard/generate-images")
    _run(client, f"/api/v1/projects/{pid}/audio/generate-dialogues")
    return pid, ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]


def _wav(client, url: str) -> tuple[bytes, float]:
    """A preview's bytes and length in seconds."""
    data = client.get(url).content
    with wave.open(io.BytesIO(data), "rb") as w:
        return data, w.getnframes() / w.getframerate()


def _red_pixels(png: bytes) -> int:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return int(((rgb[..., 0] > 180) & (rgb[..., 1] < 70) & (rgb[..., 2] < 80)).sum())


def check_character_fields(client) -> None:
    pid, shots = _drawn_and_voiced(client)
    url = f"/api/v1/projects/{pid}/characters"
    storage = client.app.state.services.storage
    # CharacterCreate: name (greeted by name in its preview), description, attributes (a woman's voice),
    # appearance (drawn: red hair), voice (its settings)
    red = ok(client.post(url, json={"name": "阿红", "description": "卖鱼的", "attributes": {"gender": "女"},
                                    "appearance": {"hair": "红色长发"}, "voice": {"speed": 0.5}}), 201)  # fmt: skip
    plain = ok(client.post(url, json={"name": "阿灰", "voice": {"speed": 2.0}}), 201)
    assert (red["description"], red["voice"]["gender"], plain["voice"]["gender"]) == ("卖鱼的", "female", "male")
    assert (red["voice"]["speed"], plain["voice"]["speed"]) == (0.5, 2.0)
    said = {c["name"]: _wav(client, ok(client.post(f"{url}/{c['id']}/voice-preview"))["audio_url"]) for c in (red, plain)}
    assert said["阿红"][1] > said["阿灰"][1] * 2  # the same greeting, said at a quarter of the speed
    action = f"/api/v1/projects/{pid}/shots/{shots[1]['shot_id']}"
    panels = {}
    for who in (red, plain):
        ok(client.patch(action, json={"characters": [who["name"]]}))
        _run(client, f"/api/v1/projects/{pid}/storyboard/update-stale")
        panels[who["name"]] = storage.get_bytes(ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][1]["image_key"])
    assert _red_pixels(panels["阿红"]) > 2000 > _red_pixels(panels["阿灰"])
    # CharacterUpdate: each field changes what it should
    one = f"{url}/{plain['id']}"
    changed = ok(client.patch(one, json={"description": "d", "voice": {"pitch": 5}}))
    assert (changed["description"], changed["voice"]["pitch"]) == ("d", 5)
    ok(client.patch(one, json={"appearance": {"hair": "红色长发"}}))
    assert ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][1]["image_stale"]
    _run(client, f"/api/v1/projects/{pid}/storyboard/update-stale")
    redrawn = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][1]
    assert _red_pixels(storage.get_bytes(redrawn["image_key"])) > 2000 and not redrawn["image_stale"]
    ok(client.patch(one, json={"attributes": {"gender": "女"}}))
    assert ok(client.get(one))["voice"]["gender"] == "female"
    assert ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][1]["image_stale"]  # drawn as a woman now
    ok(client.patch(one, json={"name": "阿银"}))
    assert ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][1]["characters"] == ["阿银"]
    ming = next(c for c in ok(client.get(url))["characters"] if c["name"] == "小明")
    ok(client.patch(f"{url}/{ming['id']}", json={"voice": {"pitch": 99}}))
    assert [s["voice_stale"] for s in ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]] == [
        False, False, True]  # fmt: skip
    # ReferenceImageUpload: stored as the reference picture, which the character's panels follow
    picture = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 200, 30)).save(picture, format="PNG")
    body = {"image_base64": base64.b64encode(picture.getvalue()).decode()}
    assert [s["image_stale"] for s in ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]][2] is False
    referenced = ok(client.put(f"{url}/{ming['id']}/reference-image", json=body))
    assert storage.get_bytes(referenced["reference_image_key"]) == picture.getvalue()
    assert [s["image_stale"] for s in ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]] == [
        False, True, True]  # shot 3 (小明 in frame) now; shot 2 since 阿银's attributes changed  # fmt: skip
    # ReferenceChoice: a drawn sheet and another upload are added as versions (kept with what they came from); an
    # earlier one can be made current again, and nothing but the character's own keys
    first = referenced["reference_image_key"]
    _run(client, f"{url}/{ming['id']}/reference-image/generate")
    drawn = ok(client.get(f"{url}/{ming['id']}"))
    assert [v["key"] for v in drawn["reference_versions"]][0] == first and drawn["reference_image_key"] != first
    sheet = drawn["reference_versions"][-1]
    assert sheet["is_current"] and sheet["params"]["source"] == "drawn" and isinstance(sheet["params"]["seed"], int)
    assert drawn["reference_versions"][0]["params"]["source"] == "uploaded"
    chosen = ok(client.put(f"{url}/{ming['id']}/reference-image/current", json={"key": first}))
    assert chosen["reference_image_key"] == first and [v["is_current"] for v in chosen["reference_versions"]] == [
        False, True]  # fmt: skip
    assert storage.get_bytes(sheet["key"])  # the sheet stays, as a version
    other = ok(client.get(url))["characters"][0]["reference_versions"]
    refused(client.put(f"{url}/{ming['id']}/reference-image/current", json={"key": "projects/x/y.png"}), 400, 10002,
            "key")  # fmt: skip
    assert other == ok(client.get(url))["characters"][0]["reference_versions"]
    # VoicePreviewRequest (text, voice) and VoiceSettings (gender, variant, pitch, speed)
    preview = f"{url}/{ming['id']}/voice-preview"

    def heard(**body) -> tuple[bytes, float]:
        return _wav(client, ok(client.post(preview, json=body))["audio_url"])

    assert heard(text="你好")[1] < heard(text="你好，今天天气真不错，我们一起去公园散步吧。")[1]
    base = heard(text="你好")
    assert heard(text="你好", voice={"pitch": 0})[0] != base[0]
    for settings in ({"gender": "male"}, {"gender": "female"}), ({"variant": 1}, {"variant": 4}), ({"pitch": 0}, {"pitch": 99}):
        assert heard(text="你好", voice=settings[0])[0] != heard(text="你好", voice=settings[1])[0], settings
    assert heard(text="你好", voice={"speed": 0.5})[1] > heard(text="你好", voice={"speed": 2.0})[1] * 2


def check_shot_fields(client) -> None:
    pid, shots = _drawn_and_voiced(client)
    storage = client.app.state.services.storage
    board = f"/api/v1/projects/{pid}/storyboard"
    # ShotUpdate: each field is shown, and what a panel shows or a line says marks them stale
    first, action = (f"/api/v1/projects/{pid}/shots/{shots[i]['shot_id']}" for i in (0, 1))
    for url, change, shown, stale in (
        (first, {"text": "明天见。"}, lambda s: s["text"] == s["dialogue"]["text"] == "明天见。", (False, True)),
        (first, {"emotion": "伤心"}, lambda s: s["dialogue"]["emotion"] == "伤心", (True, True)),
        (first, {"speaker": "小明"}, lambda s: s["dialogue"]["character"] == "小明", (True, True)),
        (first, {"camera": "closeup"}, lambda s: s["type"] == "closeup", (True, False)),
        (first, {"characters": ["小明", "小红"]}, lambda s: s["characters"] == ["小明", "小红"], (True, False)),
        (first, {"scene_description": "天台边"}, lambda s: s["scene_description"] == "天台边", (True, False)),
        (action, {"prompt": "深夜 night"}, lambda s: s["prompt_used"] == "深夜 night", (True, False)),
        (action, {"duration": 6.5}, lambda s: s["duration"] == 6.5, (False, False)),
        (action, {"transition": "wipe"}, lambda s: s["transition"] == "wipe", (False, False)),
        (action, {"motion": "pan-up"}, lambda s: s["motion"] == "pan-up", (False, False)),
    ):  # fmt: skip
        shot = ok(client.patch(url, json=change))
        assert shown(shot) and (shot["image_stale"], shot["voice_stale"]) == stale, (change, shot)
        ok(client.patch(url, json={k: v for k, v in _undo(change, shots, url == first).items()}))
    ok(client.patch(action, json={"prompt": "深夜 night"}))
    ok(client.patch(first, json={"text": "明天见。"}))
    before = [storage.get_bytes(s["image_key"]) for s in shots]
    _run(client, f"{board}/update-stale")
    after = ok(client.get(board))["shots"]
    assert [storage.get_bytes(s["image_key"]) != b for s, b in zip(after, before, strict=True)] == [False, True, False]
    assert _sky(storage.get_bytes(after[1]["image_key"])) < _sky(before[1]) - 40  # the prompt was drawn
    assert after[0]["dialogue"]["audio_url"].split("?")[0] != shots[0]["dialogue"]["audio_url"].split("?")[0]  # revoiced
    # ShotInsert: every field lands in the new shot
    inserted = ok(client.post(f"/api/v1/projects/{pid}/shots", json={
        "after_shot_id": shots[0]["shot_id"], "kind": "dialogue", "text": "等等!", "speaker": "小红", "emotion": "惊讶",
        "characters": ["小红", "小明"], "camera": "closeup", "scene_description": "楼梯口", "prompt": "rain",
        "transition": "cut", "motion": "zoom-out"}), 201)  # fmt: skip
    assert (inserted["order"], inserted["kind"], inserted["text"], inserted["dialogue"]["character"],
            inserted["dialogue"]["emotion"], inserted["characters"], inserted["type"], inserted["scene_description"],
            inserted["prompt_override"], inserted["transition"], inserted["motion"]) == (
        2, "dialogue", "等等!", "小红", "惊讶", ["小红", "小明"], "closeup", "楼梯口", "rain", "cut", "zoom-out")  # fmt: skip
    silent = ok(client.post(f"/api/v1/projects/{pid}/shots", json={"kind": "action", "duration": 7.5}), 201)
    assert (silent["order"], silent["duration"], silent["kind"]) == (1, 7.5, "action")
    # ShotReorder
    ids = [s["shot_id"] for s in ok(client.get(board))["shots"]]
    reordered = ok(client.post(f"{board}/reorder", json={"shot_ids": ids[::-1]}))
    assert [s["shot_id"] for s in reordered["shots"]] == ids[::-1]


def _undo(change: dict, shots: list[dict], first: bool) -> dict:
    """The PATCH that puts the field back as planned."""
    shot = shots[0 if first else 1]
    key = next(iter(change))
    original = {"text": shot["text"], "emotion": (shot["dialogue"] or {}).get("emotion"), "camera": shot["type"],
                "speaker": (shot["dialogue"] or {}).get("character"), "characters": shot["characters"],
                "scene_description": shot["scene_description"], "prompt": None, "duration": shot["duration"],
                "transition": shot["transition"], "motion": shot["motion"]}  # fmt: skip
    return {key: original[key]}


def check_render_fields(client, tmp_path) -> None:
    """Every render field shows in the file: size and fps from the platform and resolution, the container, the
    title (a frame differs), the watermark (a frame differs), the text mode and style (frames differ)."""
    pid = _project(client, aspect_ratio="9:16")
    _storyboard(client, pid)
    storage = client.app.state.services.storage

    def render(kind: str = "final", **body) -> tuple[dict, np.ndarray]:
        task = _run(client, f"/api/v1/projects/{pid}/render/{kind}", body)
        result = task["result"]
        path = storage.download(result["video_key"], str(tmp_path / f"v.{result['format']}"))
        return probe(path), frame_at(path, result["shot_durations"][0] / 2).astype(float)

    info, plain = render(resolution="720p")
    video = stream(info, "video")
    assert (video["width"], video["height"], video["r_frame_rate"]) == (720, 1280, "25/1")
    info, _ = render(resolution="720p", platform_preset="bilibili", format="mov")
    video = stream(info, "video")
    assert (video["width"], video["height"], video["r_frame_rate"]) == (1280, 720, "30/1")
    assert "mov" in info["format"]["format_name"]
    info, _ = render("preview", resolution="4k")
    assert (stream(info, "video")["width"], stream(info, "video")["height"]) == (720, 1280)
    for body in ({"title": "第一集"}, {"watermark": {"enabled": True, "text": "ComicReel", "position": "top-left",
                                                     "opacity": 1.0}},
                 {"text_mode": "bubbles"}, {"subtitle_style": "boxed"}):  # fmt: skip
        _, frame = render(resolution="720p", **body)
        assert np.abs(frame - plain).mean() > 0.2, body  # it shows (a corner mark moves the mean of a whole frame little)
    _, faint = render(resolution="720p", watermark={"enabled": True, "text": "ComicReel", "position": "top-left",
                                                    "opacity": 0.2})  # fmt: skip
    _, strong = render(resolution="720p", watermark={"enabled": True, "text": "ComicReel", "position": "top-left",
                                                     "opacity": 1.0})  # fmt: skip
    corner = (slice(0, 320), slice(0, 360))  # where the mark is: elsewhere only the encoder's noise differs
    assert np.abs(strong - plain)[corner].sum() > 2 * np.abs(faint - plain)[corner].sum()
    _, hidden = render(resolution="720p", watermark={"enabled": False, "text": "ComicReel"})
    assert np.abs(hidden - plain).mean() < 0.05
    for refusal in ({"platform_preset": "tiktok"}, {"subtitle_style": "karaoke"}, {"text_mode": "twice"},
                    {"format": "avi"}, {"resolution": "8k"}, {"watermark": {"opacity": 2}}, {"title": "x" * 81}):  # fmt: skip
        refused(client.post(f"/api/v1/projects/{pid}/render/final", json=refusal), 400, 10002)


def check_motion_comic(client, tmp_path) -> None:
    """On (the default), the speaker's panel moves in layers; off, the panel moves as one picture."""
    pid = _project(client)
    _storyboard(client, pid)
    storage = client.app.state.services.storage
    frames = []
    for on in (True, False):
        task = _run(client, f"/api/v1/projects/{pid}/render/final", {"resolution": "720p", "motion_comic": on})
        path = storage.download(task["result"]["video_key"], str(tmp_path / f"comic_{on}.mp4"))
        frames.append(frame_at(path, task["result"]["shot_durations"][0] * 0.8).astype(float))
    assert np.abs(frames[0] - frames[1]).mean() > 0.3


def check_subtitle_fields(client) -> None:
    """SubtitleUpdate's text and times and SubtitleCreate's fields show in the next render's subtitles."""
    pid = _project(client)
    _storyboard(client, pid)
    _run(client, f"/api/v1/projects/{pid}/render/preview")
    storage = client.app.state.services.storage
    track = ok(client.get(f"/api/v1/projects/{pid}/subtitles"))
    first = track[0]
    assert first["origin"] == "auto" and first["shot_id"]
    url = f"/api/v1/projects/{pid}/subtitles/{first['subtitle_id']}"
    edited = ok(client.patch(url, json={"text": "改过的字幕", "start_time": first["start_time"] + 0.2,
                                        "end_time": first["end_time"] - 0.1}))  # fmt: skip
    assert edited["origin"] == "edited"
    added = ok(client.post(f"/api/v1/projects/{pid}/subtitles", json={
        "text": "（风声）", "start_time": 0.1, "end_time": 0.9, "shot_id": first["shot_id"]}), 201)  # fmt: skip
    assert added["origin"] == "manual"
    result = _run(client, f"/api/v1/projects/{pid}/render/preview")["result"]
    srt = storage.get_bytes(result["subtitles_key"]).decode()
    assert "改过的字幕" in srt and "（风声）" in srt and track[0]["text"] not in srt
    after = {r["subtitle_id"]: r for r in ok(client.get(f"/api/v1/projects/{pid}/subtitles"))}
    kept = after[first["subtitle_id"]]
    assert (kept["text"], kept["start_time"], kept["end_time"]) == (
        "改过的字幕", round(first["start_time"] + 0.2, 3), round(first["end_time"] - 0.1, 3))  # fmt: skip
    for body in ({"text": ""}, {"start_time": 5.0, "end_time": 1.0}, {"text": None}, {"shot": 1}):
        refused(client.patch(url, json=body), 400, 10002)
    refused(client.post(f"/api/v1/projects/{pid}/subtitles", json={"text": "x", "start_time": 1, "end_time": 2,
                                                                   "shot_id": str(uuid.uuid4())}), 404, 10003)  # fmt: skip


def check_export_fields(client) -> None:
    """ExportCreate.kind picks what is made: a PNG, a PDF or a zipped draft; anything else is refused."""
    pid = _project(client)
    _storyboard(client, pid)
    storage = client.app.state.services.storage
    heads = {}
    for kind in ("webtoon", "pdf", "jianying"):
        result = _run(client, f"/api/v1/projects/{pid}/exports", {"kind": kind})["result"]
        heads[kind] = storage.get_bytes(result["key"])[:4]
    assert heads == {"webtoon": b"\x89PNG", "pdf": b"%PDF", "jianying": b"PK\x03\x04"}
    refused(client.post(f"/api/v1/projects/{pid}/exports", json={"kind": "gif"}), 400, 10002, field="kind")


def check_audio_fields(client) -> None:
    """The music and effect fields show in the project's audio, uploads keep their kind and name, and a voiced line
    follows its text, voice, emotion and speed."""
    pid = _project(client)
    _storyboard(client, pid)
    recommend = f"/api/v1/projects/{pid}/audio/recommend-bgm"
    tops = {e: ok(client.post(recommend, json={"script_emotion": e}))["recommendations"][0]["category"]
            for e in ("紧张", "浪漫", "comedic")}  # fmt: skip
    assert tops == {"紧张": "tense", "浪漫": "romantic", "comedic": "comedic"}
    short, long = (ok(client.post(recommend, json={"duration": d})) for d in (30, 900))
    assert (short["duration"], long["duration"]) == (30, 900)
    assert long["recommendations"][0]["score"] < short["recommendations"][0]["score"]
    # AudioUpload: kind sets the limits (31 s is music, not an effect), data is what is stored, file_name is shown
    long_sound = b64(wav_bytes(31.0))
    refused(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "effect", "data_base64": long_sound}),
            400, 10002)  # fmt: skip
    music = ok(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "music", "data_base64": long_sound,
                                                                          "file_name": "theme.wav"}), 201)  # fmt: skip
    assert (music["kind"], music["file_name"], music["duration"]) == ("music", "theme.wav", 31.0)
    assert client.get(music["url"]).content == wav_bytes(31.0)
    effect = ok(client.post(f"/api/v1/projects/{pid}/audio/uploads",
                            json={"kind": "effect", "data_base64": b64(wav_bytes(0.5))}), 201)  # fmt: skip
    # BgmSet: each field is the project's music as stored
    track = ok(client.get("/api/v1/audio/bgm?category=calm"))["bgm_list"][0]
    body = {"bgm_id": track["id"], "volume": 0.25, "start_time": 2.5, "fade_in": 1.5, "fade_out": 4.0}
    music_set = ok(client.post(f"/api/v1/projects/{pid}/audio/bgm", json=body))["bgm"]
    assert {k: music_set[k] for k in body} == body
    uploaded = ok(client.post(f"/api/v1/projects/{pid}/audio/bgm", json={"upload_id": music["upload_id"]}))["bgm"]
    assert (uploaded["upload_id"], uploaded["bgm_id"], uploaded["name"]) == (music["upload_id"], None, "theme.wav")
    # ShotEffectsAdd and CustomEffect: library effects with their volume and offset; uploads new and earlier
    shot = ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"][0]["shot_id"]
    added = ok(client.post(f"/api/v1/projects/{pid}/shots/{shot}/sound-effects", json={
        "effect_ids": ["thunder"], "volume": 0.4, "offset": 0.75,
        "custom_effects": [{"data_base64": b64(wav_bytes(0.3)), "file_name": "pop.wav", "volume": 1.5, "offset": 0.2},
                           {"upload_id": effect["upload_id"], "volume": 0.1, "offset": 1.0}]}))["sound_effects"]  # fmt: skip
    assert [(e["type"], e["name"], e["volume"], e["offset"]) for e in added] == [
        ("library", "雷声", 0.4, 0.75), ("upload", "pop.wav", 1.5, 0.2), ("upload", "upload", 0.1, 1.0)]  # fmt: skip
    assert client.get(added[1]["url"]).content == wav_bytes(0.3) and added[2]["upload_id"] == effect["upload_id"]
    # TtsGenerate: text (longer), speed (slower), character_id (another voice), emotion (another delivery),
    # project_id (whose task), voice_id (refused)
    character = ok(client.get(f"/api/v1/projects/{pid}/characters"))["characters"][0]

    def said(**fields) -> tuple[bytes, float, str]:
        task = _run(client, "/api/v1/audio/tts/generate", {"project_id": pid, "text": "你好", **fields})
        data, seconds = _wav(client, task["result"]["audio_url"])
        return data, seconds, task["project_id"]

    plain = said()
    assert plain[2] == pid and said(text="你好，今天天气真不错，我们一起去公园散步吧。")[1] > plain[1] * 2
    assert said(speed=0.5)[1] > said(speed=2.0)[1] * 2
    assert said(character_id=character["id"])[0] != plain[0]
    assert said(emotion="伤心")[0] != said(emotion="激动")[0]
    refused(client.post("/api/v1/audio/tts/generate", json={"project_id": pid, "text": "x", "voice_id": "zh-CN-Xiao"}),
            400, 10002, field="voice_id")  # fmt: skip


def check_voice_engine(client) -> None:
    """VoiceSettings.engine: the character's lines go stale and are spoken by that engine (one not set up here is
    tried, and the task says espeak-ng spoke instead); an engine there is no such thing as is refused."""
    pid = _project(client)
    _storyboard(client, pid, FOUNTAIN_LIKE)
    voiced = _run(client, f"/api/v1/projects/{pid}/audio/generate-dialogues")
    assert "fallbacks" not in voiced["result"]  # Piper spoke it
    url = f"/api/v1/projects/{pid}/characters"
    ming = ok(client.get(url))["characters"][0]
    assert ming["voice"]["engine"] is None  # the project's: Piper for an English line
    assert ok(client.patch(f"{url}/{ming['id']}", json={"voice": {"engine": "coqui"}}))["voice"]["engine"] == "coqui"
    assert [s["voice_stale"] for s in ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]] == [True]
    revoiced = _run(client, f"/api/v1/projects/{pid}/storyboard/update-stale")["result"]
    assert [(f["order"], f["engine"], f["reason"]) for f in revoiced["fallbacks"]] == [
        (1, "espeak", "coqui failed: coqui is not set up here")]  # fmt: skip
    refused(client.patch(f"{url}/{ming['id']}", json={"voice": {"engine": "festival"}}), 400, 10002)

def check_account_fields(client) -> None:
    """Registration, login, refresh, profile and admin fields, each with its effect or its refusal (auth off: the
    caller is the local creator, an admin; tests/api/test_accounts.py covers auth on)."""
    body = {"email": "Ada@Example.com", "password": "long enough pass", "username": "ada"}
    registered = ok(client.post("/api/v1/auth/register", json=body), 201)
    for field, value in (("email", "not-an-email"), ("password", "short"), ("username", "a b")):
        refused(client.post("/api/v1/auth/register", json={**body, field: value}), 400, 10002, field)
    refused(client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "wrong password"}), 401, 20001)
    logged = ok(client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "long enough pass"}))
    assert logged["user"]["username"] == "ada"
    again = ok(client.post("/api/v1/auth/refresh", json={"refresh_token": logged["refresh_token"]}))
    assert again["refresh_token"] != logged["refresh_token"]
    uid = registered["user_id"]
    refused(client.patch(f"/api/v1/users/{uid}", json={"preferences": {"x": "y" * 20_000}}), 400, 10002, "preferences")
    changed = ok(client.patch(f"/api/v1/users/{uid}", json={"username": "ada2", "preferences": {"language": "en"}}))
    assert (changed["username"], changed["preferences"]) == ("ada2", {"language": "en"})
    admin = ok(client.patch(f"/api/v1/admin/users/{uid}", json={"status": "suspended", "role": "admin", "plan": "pro"}))
    assert (admin["status"], admin["role"], admin["subscription"]["plan"]) == ("suspended", "admin", "pro")
    refused(client.patch(f"/api/v1/admin/users/{uid}", json={"plan": "gold"}), 400, 10002, "plan")
    plan = ok(client.patch("/api/v1/admin/plans/pro", json={"videos_quota": 120, "description": "120 videos"}))
    assert plan == {"name": "pro", "videos_quota": 120, "description": "120 videos"}
    assert ok(client.get(f"/api/v1/users/{uid}"))["subscription"]["quota"]["videos_total"] == 120
    refused(client.patch("/api/v1/admin/plans/pro", json={"videos_quota": -1}), 400, 10002, "videos_quota")


CHECKS = {
    **{f"RegisterRequest.{f}": check_account_fields for f in ("email", "password", "username")},
    **{f"LoginRequest.{f}": check_account_fields for f in ("email", "password")},
    "RefreshRequest.refresh_token": check_account_fields,
    **{f"BgmAdd.{f}": check_library_fields for f in ("name", "tags", "data_base64", "category", "license_type")},
    **{f"SoundEffectAdd.{f}": check_library_fields for f in ("name", "tags", "data_base64", "category")},
    **{f"UserUpdate.{f}": check_account_fields for f in ("username", "preferences")},
    **{f"AdminUserUpdate.{f}": check_account_fields for f in ("status", "role", "plan")},
    **{f"PlanUpdate.{f}": check_account_fields for f in ("videos_quota", "description")},
    "ProjectCreate.name": check_project_fields, "ProjectCreate.description": check_project_fields,
    "ProjectCreate.style": check_project_fields, "ProjectCreate.aspect_ratio": check_project_fields,
    "ProjectCreate.target_duration": check_project_fields, "ProjectUpdate.name": check_project_fields,
    "ProjectUpdate.description": check_project_fields, "ProjectUpdate.style": check_project_fields,
    "ProjectUpdate.aspect_ratio": check_project_fields, "ProjectUpdate.target_duration": check_project_fields,
    "ProjectCreate.character_lock": check_character_lock, "ProjectUpdate.character_lock": check_character_lock,
    "ProjectCreate.image_quality": check_image_quality, "ProjectUpdate.image_quality": check_image_quality,
    "ProjectCreate.scene_reference": check_scene_reference, "ProjectUpdate.scene_reference": check_scene_reference,
    "ScriptCreate.content": check_script_fields, "ScriptCreate.format": check_script_fields,
    "StoryboardGenerate.parsed_script_id": check_storyboard_fields, "StoryboardGenerate.options": check_storyboard_fields,
    "StoryboardOptions.max_shots": check_storyboard_fields,
    "StoryboardOptions.enrich": check_enrich_without_a_model,
    "StoryboardOptions.shot_duration_range": check_storyboard_fields,
    "ShotRegenerate.prompt_override": check_regenerate_field, "ShotRegenerate.seed": check_regenerate_field,
    **{f"CharacterCreate.{f}": check_character_fields for f in ("name", "description", "attributes", "appearance", "voice")},
    **{f"CharacterUpdate.{f}": check_character_fields for f in ("name", "description", "attributes", "appearance", "voice")},
    **{f"VoiceSettings.{f}": check_character_fields for f in ("gender", "variant", "pitch", "speed")},
    "VoiceSettings.engine": check_voice_engine,
    "ReferenceImageUpload.image_base64": check_character_fields, "ReferenceChoice.key": check_character_fields, "VoicePreviewRequest.voice": check_character_fields,
    "ReferenceImageUpload.asset_id": check_asset_id_fields, "AudioUpload.asset_id": check_asset_id_fields,
    **{f"UploadComplete.{f}": check_upload_complete_fields for f in ("file_key", "file_size", "content_type")},
    "VoicePreviewRequest.text": check_character_fields,
    **{f"ShotUpdate.{f}": check_shot_fields for f in ("text", "scene_description", "prompt", "camera", "emotion",
                                                      "characters", "speaker", "duration", "transition", "motion")},
    **{f"ShotInsert.{f}": check_shot_fields for f in ("after_shot_id", "kind", "text", "speaker", "emotion", "characters",
                                                      "camera", "scene_description", "prompt", "duration", "transition",
                                                      "motion")},
    "ShotReorder.shot_ids": check_shot_fields,
    **{f"RenderRequest.{f}": check_render_fields for f in ("resolution", "format", "platform_preset", "subtitle_style",
                                                            "text_mode", "watermark", "title")},
    "RenderRequest.motion_comic": check_motion_comic,
    **{f"WatermarkSettings.{f}": check_render_fields for f in ("enabled", "text", "position", "opacity")},
    **{f"SubtitleCreate.{f}": check_subtitle_fields for f in ("text", "start_time", "end_time", "shot_id")},
    **{f"SubtitleUpdate.{f}": check_subtitle_fields for f in ("text", "start_time", "end_time")},
    "ExportCreate.kind": check_export_fields,
    **{f"BgmRecommend.{f}": check_audio_fields for f in ("script_emotion", "duration")},
    **{f"BgmSet.{f}": check_audio_fields for f in ("bgm_id", "upload_id", "volume", "start_time", "fade_in", "fade_out")},
    **{f"ShotEffectsAdd.{f}": check_audio_fields for f in ("effect_ids", "volume", "offset", "custom_effects")},
    **{f"CustomEffect.{f}": check_audio_fields for f in ("upload_id", "data_base64", "file_name", "volume", "offset")},
    **{f"AudioUpload.{f}": check_audio_fields for f in ("kind", "data_base64", "file_name")},
    **{f"TtsGenerate.{f}": check_audio_fields for f in ("text", "character_id", "project_id", "voice_id", "emotion",
                                                        "speed")},
}  # fmt: skip


def test_every_documented_field_has_an_effect_or_is_refused(client, tmp_path) -> None:
    assert _body_fields(client.get("/openapi.json").json()) == set(CHECKS)
    for check in dict.fromkeys(CHECKS.values()):
        if check in (check_render_fields, check_motion_comic):
            check(client, tmp_path)
        else:
            check(client)

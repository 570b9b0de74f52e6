"""The editor through REST: the cast (create, read, change, delete, reference picture, voice preview) and the
storyboard shot by shot (edit, insert, delete, reorder, earlier panels, draw or voice one shot again)."""

from __future__ import annotations

import base64
import io
import uuid
import wave

import numpy as np
from PIL import Image

from tests.api.conftest import ok, refused, wait

SCRIPT = ("场景:学校天台,白天\n角色:小明(男,高中生),小红(女),老王(男)\n小红(微笑): 昨天的话,我想了一整天。\n"
          "（小明看着远处）\n小明(开心): 太好了!\n旁白: 夕阳西下。\n")  # fmt: skip


def _run(client, url: str, json=None) -> dict:
    data = ok(client.post(url, json=json), 202)
    task = wait(client, data.get("task_id") or data.get("batch_task_id"))
    assert task["status"] == "completed", task
    return task["result"]


def _drawn_project(client) -> str:
    """A project with its storyboard drawn and voiced: shots 1 小红 speaks, 2 小明 in frame (action), 3 小明 speaks
    to 小红, 4 narration; 老王 is in none."""
    pid = ok(client.post("/api/v1/projects", json={"name": "p", "aspect_ratio": "1:1"}), 201)["project_id"]
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT}))
    for step in ("script/parse", "storyboard/generate", "storyboard/generate-images", "audio/generate-dialogues"):
        _run(client, f"/api/v1/projects/{pid}/{step}", {} if step == "storyboard/generate" else None)
    return pid


def _board(client, pid: str) -> list[dict]:
    return ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]


def _cast(client, pid: str) -> dict[str, dict]:
    return {c["name"]: c for c in ok(client.get(f"/api/v1/projects/{pid}/characters"))["characters"]}


def _png(width: int = 64, height: int = 64, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 60)).save(out, format=fmt)
    return out.getvalue()


def _b64(data: bytes) -> dict:
    return {"image_base64": base64.b64encode(data).decode()}


def _fetch(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.content


def _path(url: str) -> str:
    """A signed URL without its expiry and signature (they change with the time it was signed)."""
    return url.split("?")[0]


def _rms(wav_bytes: bytes) -> float:
    with wave.open(io.BytesIO(wav_bytes), "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
    return float(np.sqrt((samples**2).mean()))


# -- characters ----------------------------------------------------------------------------------------------


def test_characters_can_be_created_read_changed_and_deleted(client) -> None:
    pid = _drawn_project(client)
    url = f"/api/v1/projects/{pid}/characters"
    cast = _cast(client, pid)
    assert list(cast) == ["小明", "小红", "老王"] and all(c["stale_panels"] == 0 for c in cast.values())
    assert cast["小红"]["voice"]["gender"] == "female" and cast["小明"]["voice"]["gender"] == "male"

    made = ok(client.post(url, json={"name": "阿福", "description": "卖鱼的", "attributes": {"gender": "女"},
                                     "appearance": {"hair": "白发", "features": ["眼镜"]},
                                     "voice": {"pitch": 20, "speed": 0.8}}), 201)  # fmt: skip
    assert (made["description"], made["attributes"], made["appearance"]) == (
        "卖鱼的", {"gender": "女"}, {"hair": "白发", "features": ["眼镜"]})  # fmt: skip
    assert made["voice"]["gender"] == "female" and (made["voice"]["pitch"], made["voice"]["speed"]) == (20, 0.8)
    assert ok(client.get(f"{url}/{made['id']}")) == made

    refused(client.post(url, json={"name": "阿福"}), 409, 10002, field="name")
    refused(client.post(url, json={"name": " 阿福 "}), 409, 10002, field="name")
    for voice, field in (({"pitch": 150}, "voice.pitch"), ({"speed": 3}, "voice.speed"), ({"variant": 0}, "voice.variant"),
                         ({"gender": "robot"}, "voice.gender"), ({"tone": 1}, "voice.tone")):  # fmt: skip
        refused(client.post(url, json={"name": "阿贵", "voice": voice}), 400, 10002, field=field)
        refused(client.patch(f"{url}/{made['id']}", json={"voice": voice}), 400, 10002, field=field)
    refused(client.post(url, json={"name": "阿贵", "appearance": {"hair": 3}}), 400, 10002)
    refused(client.patch(f"{url}/{made['id']}", json={"name": None}), 400, 10002, field="name")
    refused(client.get(f"{url}/{uuid.uuid4()}"), 404, 10003)
    refused(client.patch(f"{url}/{uuid.uuid4()}", json={"description": "x"}), 404, 10003)
    refused(client.get(f"/api/v1/projects/{uuid.uuid4()}/characters/{made['id']}"), 404, 30002)
    other = ok(client.post("/api/v1/projects", json={"name": "other"}), 201)["project_id"]
    refused(client.get(f"/api/v1/projects/{other}/characters/{made['id']}"), 404, 10003)  # not through another project
    assert list(_cast(client, pid)) == ["小明", "小红", "老王", "阿福"]

    # A voice override, then back to the derived voice.
    changed = ok(client.patch(f"{url}/{made['id']}", json={"voice": {"variant": 4}, "description": None}))
    assert changed["voice"]["variant"] == 4 and changed["voice"]["pitch"] != 20 and changed["description"] is None
    cleared = ok(client.patch(f"{url}/{made['id']}", json={"voice": None}))["voice"]
    listed = next(c for c in ok(client.get(url))["characters"] if c["name"] == "阿福")["voice"]
    assert cleared == listed and cleared["engine"] is None and cleared["gender"] == "female"  # cast with the others

    # A new name follows into the storyboard and keeps the voice.
    ming = cast["小明"]
    refused(client.patch(f"{url}/{ming['id']}", json={"name": "小红"}), 409, 10002, field="name")
    renamed = ok(client.patch(f"{url}/{ming['id']}", json={"name": "明明"}))
    assert renamed["voice"] == ming["voice"]
    shots = _board(client, pid)
    assert [s["characters"] for s in shots] == [["小红"], ["明明"], ["明明", "小红"], []]
    assert shots[2]["dialogue"]["character"] == "明明"

    # Deleting: refused while the character has lines; otherwise it leaves every frame.
    body = refused(client.delete(f"{url}/{cast['小红']['id']}"), 409, 10002)
    assert body["error"]["shots"] == [1] and "shots 1" in body["message"]
    ok(client.delete(f"{url}/{cast['老王']['id']}"))
    refused(client.delete(f"{url}/{cast['老王']['id']}"), 404, 10003)
    ok(client.patch(f"/api/v1/projects/{pid}/shots/{shots[1]['shot_id']}", json={"characters": ["明明", "阿福"]}))
    ok(client.delete(f"{url}/{made['id']}"))
    assert _board(client, pid)[1]["characters"] == ["明明"]
    assert list(_cast(client, pid)) == ["明明", "小红"]


def test_a_reference_picture_is_uploaded_checked_or_drawn(client) -> None:
    pid = _drawn_project(client)
    ming = _cast(client, pid)["小明"]
    url = f"/api/v1/projects/{pid}/characters/{ming['id']}/reference-image"
    storage = client.app.state.services.storage
    for data, fmt in ((_png(), "png"), (_png(fmt="JPEG"), "jpg"), (_png(fmt="WEBP"), "webp")):
        with_picture = ok(client.put(url, json=_b64(data)))
        key = with_picture["reference_image_key"]
        assert key.startswith(f"projects/{pid}/references/") and key.endswith(f".{fmt}")
        assert _fetch(client, with_picture["reference_image_url"]) == data and storage.get_bytes(key) == data
    refused(client.put(url, json={"image_base64": "not base64!"}), 400, 10002, field="image_base64")
    refused(client.put(url, json=_b64(b"GIF89a not a picture")), 400, 10002, field="image_base64")
    refused(client.put(url, json=_b64(_png(fmt="GIF"))), 400, 10002, field="image_base64")  # a real GIF
    refused(client.put(url, json=_b64(_png(4100, 8))), 400, 10002, field="image_base64")  # too wide
    refused(client.put(url, json=_b64(_png()[:60])), 400, 10002, field="image_base64")  # truncated
    refused(client.put(f"/api/v1/projects/{pid}/characters/{uuid.uuid4()}/reference-image", json=_b64(_png())),
            404, 10003)  # fmt: skip
    assert ok(client.get(f"/api/v1/projects/{pid}/characters/{ming['id']}"))["reference_image_key"] == key
    # A reference picture is something panels may follow: the character's panels are now stale.
    assert [s["image_stale"] for s in _board(client, pid)] == [False, True, True, False]

    result = _run(client, url + "/generate")
    drawn = ok(client.get(f"/api/v1/projects/{pid}/characters/{ming['id']}"))
    assert drawn["reference_image_key"] == result["reference_image_key"] != key
    sheet = Image.open(io.BytesIO(storage.get_bytes(drawn["reference_image_key"])))
    assert sheet.size == (1080, 1080) and sheet.format == "PNG"
    # every picture stays as a version, with what it came from, up to the last 10 (older files are deleted)
    versions = drawn["reference_versions"]
    assert [v["params"]["source"] for v in versions] == ["uploaded"] * 3 + ["drawn"] and storage.exists(key)
    assert isinstance(versions[-1]["params"]["seed"], int) and versions[-1]["params"]["prompt"]
    for _ in range(7):
        ok(client.put(url, json=_b64(_png())))
    kept = [v["key"] for v in ok(client.get(f"/api/v1/projects/{pid}/characters/{ming['id']}"))["reference_versions"]]
    assert len(kept) == 10 and kept[:3] == [v["key"] for v in versions[1:]]
    assert not storage.exists(versions[0]["key"]) and all(storage.exists(k) for k in kept)
    refused(client.post(f"/api/v1/projects/{pid}/characters/{uuid.uuid4()}/reference-image/generate"), 404, 10003)


def test_a_voice_preview_is_a_wav_that_speaks(client) -> None:
    pid = _drawn_project(client)
    hong = _cast(client, pid)["小红"]
    url = f"/api/v1/projects/{pid}/characters/{hong['id']}/voice-preview"
    preview = ok(client.post(url))
    assert preview["audio_key"].startswith(f"projects/{pid}/previews/") and preview["audio_key"].endswith(".wav")
    wav = _fetch(client, preview["audio_url"])
    assert wav[:4] == b"RIFF" and _rms(wav) > 300  # speech, not silence
    said = ok(client.post(url, json={"text": "你好"}))
    higher = ok(client.post(url, json={"voice": {"pitch": 99}, "text": "你好"}))
    assert _fetch(client, higher["audio_url"]) != _fetch(client, said["audio_url"]) != wav  # the settings are heard
    assert ok(client.post(url, json={"text": "你好"}))["audio_key"] == said["audio_key"]  # the same clip again
    assert ok(client.get(f"/api/v1/projects/{pid}/characters/{hong['id']}"))["voice"] == hong["voice"]  # not saved
    refused(client.post(url, json={"text": "长" * 300}), 400, 10002, field="text")
    refused(client.post(url, json={"voice": {"pitch": -1}}), 400, 10002, field="voice.pitch")
    refused(client.post(f"/api/v1/projects/{pid}/characters/{uuid.uuid4()}/voice-preview"), 404, 10003)


# -- shots ---------------------------------------------------------------------------------------------------


def test_shots_are_edited_inserted_deleted_and_reordered(client) -> None:
    pid = _drawn_project(client)
    shots = _board(client, pid)
    one = f"/api/v1/projects/{pid}/shots/{shots[0]['shot_id']}"
    edited = ok(client.patch(one, json={"text": "明天见。", "emotion": "伤心", "camera": "closeup",
                                        "transition": "wipe", "prompt": "sunset", "scene_description": "天台上",
                                        "characters": ["小红", "小明"], "speaker": "小明"}))  # fmt: skip
    assert (edited["text"], edited["type"], edited["transition"], edited["scene_description"]) == (
        "明天见。", "closeup", "wipe", "天台上")  # fmt: skip
    assert edited["dialogue"]["character"] == "小明" and edited["dialogue"]["emotion"] == "伤心"
    assert edited["characters"] == ["小红", "小明"] and edited["prompt_used"] == edited["prompt_override"] == "sunset"
    assert edited["image_stale"] and edited["voice_stale"]
    assert ok(client.patch(one, json={"prompt": None}))["prompt_override"] is None
    action = f"/api/v1/projects/{pid}/shots/{shots[1]['shot_id']}"
    assert ok(client.patch(action, json={"duration": 6.5}))["duration"] == 6.5
    for url, body, field in (
        (one, {"camera": "drone"}, "camera"), (one, {"transition": "spin"}, "transition"),
        (one, {"speaker": "路人"}, "speaker"), (one, {"characters": ["路人"]}, "characters"),
        (one, {"text": "  "}, "text"), (one, {"duration": 6.5}, "duration"), (one, {"text": None}, "text"),
        (action, {"speaker": "小明"}, "speaker"), (action, {"duration": 40}, "duration"), (one, {"order": 3}, "order"),
    ):  # fmt: skip
        refused(client.patch(url, json=body), 400, 10002, field=field)
    refused(client.patch(f"/api/v1/projects/{pid}/shots/{uuid.uuid4()}", json={"text": "x"}), 404, 10003)

    # Insert after shot 2, and first; the new shots take place and time from their neighbour.
    url = f"/api/v1/projects/{pid}/shots"
    inserted = ok(client.post(url, json={"after_shot_id": shots[1]["shot_id"], "kind": "dialogue", "text": "等等!",
                                         "speaker": "小红", "emotion": "惊讶"}), 201)  # fmt: skip
    assert (inserted["order"], inserted["characters"], inserted["image_key"], inserted["image_stale"]) == (
        3, ["小红"], None, False)  # fmt: skip
    first = ok(client.post(url, json={"kind": "action", "text": "门开了。", "duration": 4}), 201)
    assert (first["order"], first["duration"], first["kind"]) == (1, 4.0, "action")
    board = _board(client, pid)
    assert [s["order"] for s in board] == [1, 2, 3, 4, 5, 6]
    assert [s["shot_id"] for s in board] == [first["shot_id"], shots[0]["shot_id"], shots[1]["shot_id"],
                                             inserted["shot_id"], shots[2]["shot_id"], shots[3]["shot_id"]]  # fmt: skip
    with client.app.state.services.sessions() as s:
        from db.models import ShotRow

        assert {s.get(ShotRow, uuid.UUID(i["shot_id"])).location for i in (first, inserted)} == {"学校天台"}
    refused(client.post(url, json={"kind": "dialogue"}), 400, 10002, field="text")
    refused(client.post(url, json={"kind": "song", "text": "la"}), 400, 10002, field="kind")
    refused(client.post(url, json={"kind": "action", "after_shot_id": str(uuid.uuid4())}), 404, 10003)

    # Insertions are drawn and voiced by "update stale"; nothing else is.
    result = _run(client, f"/api/v1/projects/{pid}/storyboard/update-stale")
    assert (result["drawn"], result["voiced"]) == (3, 2)  # two new panels + the edited one; a new and an edited line

    # Reorder: a permutation, or refused.
    ids = [s["shot_id"] for s in _board(client, pid)]
    reordered = ok(client.post(f"/api/v1/projects/{pid}/storyboard/reorder", json={"shot_ids": ids[::-1]}))
    assert [s["shot_id"] for s in reordered["shots"]] == ids[::-1] and [s["order"] for s in reordered["shots"]] == [
        1, 2, 3, 4, 5, 6]  # fmt: skip
    assert not any(s["image_stale"] or s["voice_stale"] for s in reordered["shots"])  # order is not in a panel
    for wrong in (ids[:-1], ids + ids[:1], [*ids[:-1], str(uuid.uuid4())]):
        refused(client.post(f"/api/v1/projects/{pid}/storyboard/reorder", json={"shot_ids": wrong}), 400, 10002,
                field="shot_ids")  # fmt: skip

    # Delete: its files go, then its row; the others close up.
    storage = client.app.state.services.storage
    gone = next(s for s in _board(client, pid) if s["shot_id"] == inserted["shot_id"])
    with client.app.state.services.sessions() as s:
        row = s.get(ShotRow, uuid.UUID(gone["shot_id"]))
        files = [row.image_key, row.audio_key]
    assert all(storage.exists(k) for k in files)
    ok(client.delete(f"{url}/{gone['shot_id']}"))
    assert not any(storage.exists(k) for k in files)
    after = _board(client, pid)
    assert [s["order"] for s in after] == [1, 2, 3, 4, 5] and gone["shot_id"] not in [s["shot_id"] for s in after]
    refused(client.delete(f"{url}/{gone['shot_id']}"), 404, 10003)
    for shot in after[1:]:
        ok(client.delete(f"{url}/{shot['shot_id']}"))
    refused(client.delete(f"{url}/{after[0]['shot_id']}"), 409, 10002)  # the only shot left


def test_earlier_panels_can_be_listed_and_picked_and_one_line_revoiced(client) -> None:
    pid = _drawn_project(client)
    shots = _board(client, pid)
    one = f"/api/v1/projects/{pid}/shots/{shots[0]['shot_id']}"
    storage = client.app.state.services.storage
    others = {s["shot_id"]: storage.get_bytes(s["image_key"]) for s in shots[1:]}
    _run(client, one + "/regenerate", {"seed": 7})
    _run(client, one + "/regenerate")
    images = ok(client.get(one + "/images"))["images"]
    assert [i["is_current"] for i in images] == [False, False, True] and images[1]["seed"] == 7
    assert [i["created_at"] for i in images] == sorted(i["created_at"] for i in images)
    assert _board(client, pid)[0]["image_key"] == images[2]["image_key"]

    picked = ok(client.post(f"{one}/images/{images[0]['image_id']}/select"))
    assert (picked["image_key"], picked["seed"], picked["image_stale"]) == (images[0]["image_key"], images[0]["seed"], False)
    assert [i["is_current"] for i in ok(client.get(one + "/images"))["images"]] == [True, False, False]
    assert _fetch(client, picked["image_url"]) == storage.get_bytes(images[0]["image_key"])
    other_image = ok(client.get(f"/api/v1/projects/{pid}/shots/{shots[1]['shot_id']}/images"))["images"][0]
    refused(client.post(f"{one}/images/{other_image['image_id']}/select"), 404, 10003, field="image_id")
    refused(client.get(f"/api/v1/projects/{pid}/shots/{uuid.uuid4()}/images"), 404, 10003)
    assert {s["shot_id"]: storage.get_bytes(s["image_key"]) for s in _board(client, pid)[1:]} == others

    before = [_path(s["dialogue"]["audio_url"]) for s in _board(client, pid) if s["dialogue"]]
    assert _run(client, f"/api/v1/projects/{pid}/shots/{shots[2]['shot_id']}/revoice") == {"voiced": 1}
    after = [_path(s["dialogue"]["audio_url"]) for s in _board(client, pid) if s["dialogue"]]
    assert [a != b for a, b in zip(after, before, strict=True)] == [False, True, False]  # shots 1, 3, 4: only 3
    refused(client.post(f"/api/v1/projects/{pid}/shots/{shots[1]['shot_id']}/revoice"), 400, 10002)  # action
    refused(client.post(f"/api/v1/projects/{pid}/shots/{uuid.uuid4()}/revoice"), 404, 10003)


def test_parse_warnings_are_kept_with_the_parse(client) -> None:
    """Warnings by line are stored when the script is parsed and come back with it (nothing is parsed again)."""
    from tests.api.conftest import ok, wait

    pid = ok(client.post("/api/v1/projects", json={"name": "w"}), 201)["project_id"]
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": "场景:街,白天\n角色:小红(女)\n小红: 嗨\n阿福: 哦\n"}))
    assert wait(client, ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)["task_id"])["status"] == "completed"
    warnings = ok(client.get(f"/api/v1/projects/{pid}/script/parsed"))["metadata"]["warnings"]
    assert warnings == [{"line": 4, "message": "阿福 speaks but is not in the cast list: added with no description"}]

"""The audio endpoints (seed §3.5): the library seeded from the catalog and served only as catalog files, paging,
recommendation, the project's music, effects on shots (library and checked uploads, all or nothing, ownership),
warnings for unmatched cues, and voicing one line."""

from __future__ import annotations

import base64
import io
import uuid
import wave

import numpy as np
import pytest
from sqlalchemy import func, select

from assets_library import AUDIO_DIR, audio_catalog
from db.models import BGM, Asset, ProjectAudio, SoundEffect
from studio.services import build_services
from tests.api.conftest import ok, refused, wait

ROMANTIC = ("场景:公园长椅,傍晚\n角色:小林(男),小雨(女)\n小林(害羞): 其实……我一直喜欢你。\n[音效: 心跳]\n"
            "小雨(脸红): 我也是。我们一起走走吧。\n[音效: 量子引擎]\n小林(温柔): 好,一起。\n")  # fmt: skip


def wav_bytes(seconds: float, rate: int = 8000, freq: float = 440.0, channels: int = 1) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.5 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(tone, channels).tobytes())
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _project(client, script: str | None = ROMANTIC, storyboard: bool = True) -> str:
    pid = ok(client.post("/api/v1/projects", json={"name": "audio"}), 201)["project_id"]
    if script:
        ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": script}))
        parse = ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)["task_id"]
        assert wait(client, parse)["status"] == "completed"
    if script and storyboard:
        task = ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate", json={}), 202)["task_id"]
        assert wait(client, task)["status"] == "completed"
    return pid


def _shots(client, pid: str) -> list[dict]:
    return ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]


def _uploads(client, pid: str) -> tuple[list[str], int]:
    svc = client.app.state.services
    with svc.sessions() as s:
        rows = s.scalar(select(func.count()).select_from(Asset).where(Asset.project_id == uuid.UUID(pid))) or 0
    return svc.storage.list(f"projects/{pid}/uploads/"), rows


def test_the_library_is_seeded_once_and_kept_in_step_with_the_catalog(settings) -> None:
    catalog = audio_catalog()
    svc = build_services(settings, immediate=True)
    with svc.sessions() as s:
        first = {r.file_url: r.id for r in s.scalars(select(BGM))}
        assert len(first) == len(catalog["music"])
        assert (s.scalar(select(func.count()).select_from(SoundEffect)) or 0) == len(catalog["effects"])
        row = s.scalars(select(BGM).where(BGM.file_url == "library:music/calm-morning-tea.ogg")).one()
        assert (row.name, row.category, row.license_type, row.duration) == ("晨茶", "calm", "CC0-1.0", 42)
        assert "治愈" in row.tags and "peaceful" in row.tags
        row.name = "tampered"
        s.add(BGM(name="dup", category="calm", duration=1, file_url=row.file_url))  # as two starts at once could
        s.commit()
    svc.stop()
    again = build_services(settings, immediate=True)  # a second start: same rows, repaired
    with again.sessions() as s:
        rows = list(s.scalars(select(BGM)))
        assert {r.file_url: r.id for r in rows} == first
        assert next(r for r in rows if r.file_url.endswith("calm-morning-tea.ogg")).name == "晨茶"
    again.stop()


def test_bgm_pages_and_categories(client) -> None:
    pages = [ok(client.get(f"/api/v1/audio/bgm?page={p}&page_size=5")) for p in (1, 2, 3, 4, 5)]
    assert [len(p["bgm_list"]) for p in pages] == [5, 5, 5, 1, 0] and pages[0]["total"] == 16
    ids = [b["id"] for p in pages for b in p["bgm_list"]]
    assert len(set(ids)) == 16  # every track once, none twice
    romantic = ok(client.get("/api/v1/audio/bgm?category=romantic"))
    assert romantic["total"] == 2 and {b["category"] for b in romantic["bgm_list"]} == {"romantic"}
    track = romantic["bgm_list"][0]
    assert track["url"].startswith("/library/audio/music/") and track["license_type"] == "CC0-1.0"
    assert track["name"] and track["name_en"] and track["key"]
    refused(client.get("/api/v1/audio/bgm?category=disco"), 400, 10002, field="category")
    refused(client.get("/api/v1/audio/bgm?page_size=0"), 400, 10002)
    effects = ok(client.get("/api/v1/audio/sound-effects"))["sound_effects"]
    assert len(effects) == len(audio_catalog()["effects"])
    comic = ok(client.get("/api/v1/audio/sound-effects?category=comic"))["sound_effects"]
    assert comic and {e["category"] for e in comic} == {"comic"} and "boing" in {e["key"] for e in comic}
    refused(client.get("/api/v1/audio/sound-effects?category=jazz"), 400, 10002, field="category")


def test_library_files_are_served_and_nothing_else(client) -> None:
    track = ok(client.get("/api/v1/audio/bgm?category=calm"))["bgm_list"][0]
    response = client.get(track["url"])
    assert response.status_code == 200 and response.headers["content-type"] == "audio/ogg"
    assert response.content == (AUDIO_DIR / track["url"].removeprefix("/library/audio/")).read_bytes()
    assert response.headers["x-content-type-options"] == "nosniff"
    for bad in ("/library/audio/../catalog.json", "/library/audio/%2e%2e/catalog.json", "/library/audio/catalog.json",
                "/library/audio/music/..%2f..%2f__init__.py", "/library/audio/..%2F..%2Fdata%2Fsecret_key",
                "/library/audio/music/%2e%2e/%2e%2e/__init__.py", "/library/audio//etc/passwd",
                "/library/audio/music/calm-morning-tea.ogg/..", "/library/audio/music/"):  # fmt: skip
        assert client.get(bad).status_code == 404, bad


def test_music_is_recommended_from_the_script_and_set_on_the_project(client) -> None:
    pid = _project(client)
    found = ok(client.post(f"/api/v1/projects/{pid}/audio/recommend-bgm"))
    best = found["recommendations"][0]
    assert best["category"] == "romantic" and max(found["moods"], key=found["moods"].get) == "romantic"
    bgm = {b["id"]: b for b in ok(client.get("/api/v1/audio/bgm?page_size=100"))["bgm_list"]}
    assert "romantic" in bgm[best["bgm_id"]]["tags"] and "浪漫" in bgm[best["bgm_id"]]["tags"]
    scores = [r["score"] for r in found["recommendations"]]
    assert scores == sorted(scores, reverse=True) and found["duration"] == pytest.approx(
        sum(s["duration"] for s in _shots(client, pid)), abs=0.01)  # fmt: skip
    tense = ok(client.post(f"/api/v1/projects/{pid}/audio/recommend-bgm", json={"script_emotion": "紧张"}))
    assert tense["recommendations"][0]["category"] == "tense"
    refused(client.post(f"/api/v1/projects/{pid}/audio/recommend-bgm", json={"script_emotion": "xyzzy"}), 400, 10002,
            field="script_emotion")  # fmt: skip
    refused(client.post(f"/api/v1/projects/{_project(client, None)}/audio/recommend-bgm"), 400, 10002)

    body = {"bgm_id": best["bgm_id"], "volume": 0.3, "start_time": 1.5, "fade_in": 2, "fade_out": 3}
    audio = ok(client.post(f"/api/v1/projects/{pid}/audio/bgm", json=body))
    music = audio["bgm"]
    assert (music["bgm_id"], music["volume"], music["start_time"], music["fade_in"], music["fade_out"]) == (
        best["bgm_id"], 0.3, 1.5, 2.0, 3.0)  # fmt: skip
    assert ok(client.get(f"/api/v1/projects/{pid}/audio"))["bgm"] == music
    with client.app.state.services.sessions() as s:
        row = s.scalars(select(ProjectAudio).where(ProjectAudio.project_id == uuid.UUID(pid))).one()
        assert (str(row.bgm_id), row.bgm_volume, row.fade_out) == (best["bgm_id"], 0.3, 3.0)
    assert ok(client.post(f"/api/v1/projects/{pid}/audio/bgm", json={"bgm_id": None}))["bgm"] is None
    refused(client.post(f"/api/v1/projects/{pid}/audio/bgm", json={"bgm_id": str(uuid.uuid4())}), 404, 10003,
            field="bgm_id")  # fmt: skip
    refused(client.post(f"/api/v1/projects/{pid}/audio/bgm", json={"bgm_id": best["bgm_id"], "volume": 2}), 400, 10002)
    refused(client.post(f"/api/v1/projects/{uuid.uuid4()}/audio/bgm", json={"bgm_id": best["bgm_id"]}), 404, 30002)


def test_effects_are_added_to_shots_and_unmatched_cues_warned(client) -> None:
    pid = _project(client)
    audio = ok(client.get(f"/api/v1/projects/{pid}/audio"))
    cues = [e for shot in audio["shots"] for e in shot["sound_effects"]]
    assert {(e["cue"], e["matched"], e["key"]) for e in cues} == {("心跳", True, "heartbeat"), ("量子引擎", False, None)}
    assert [w["cue"] for w in audio["warnings"]] == ["量子引擎"] and "量子引擎" in audio["warnings"][0]["message"]
    shot = next(s for s in _shots(client, pid) if s["sound_effects"] == ["心跳"])
    url = f"/api/v1/projects/{pid}/shots/{shot['shot_id']}/sound-effects"
    gong = next(e for e in ok(client.get("/api/v1/audio/sound-effects"))["sound_effects"] if e["key"] == "gong")
    added = ok(client.post(url, json={"effect_ids": [gong["id"], "rain"], "volume": 0.5, "offset": 1.25}))
    library = [e for e in added["sound_effects"] if e["type"] == "library"]
    assert [(e["key"], e["volume"], e["offset"]) for e in library] == [("gong", 0.5, 1.25), ("rain", 0.5, 1.25)]
    rain = next(e for e in ok(client.get("/api/v1/audio/sound-effects"))["sound_effects"] if e["key"] == "rain")
    stored = next(s for s in _shots(client, pid) if s["shot_id"] == shot["shot_id"])["sound_effects"]
    assert stored == ["心跳", {"effect_id": gong["id"], "volume": 0.5, "offset": 1.25},
                      {"effect_id": rain["id"], "volume": 0.5, "offset": 1.25}]  # the script's cue stays  # fmt: skip
    assert client.get(library[0]["url"]).content == (AUDIO_DIR / "sfx" / "gong.ogg").read_bytes()
    refused(client.post(url, json={"effect_ids": ["no-such-effect"]}), 404, 10003, field="effect_ids")
    removed = ok(client.delete(f"{url}/{library[0]['index']}"))
    assert [e["key"] for e in removed["sound_effects"] if e["type"] == "library"] == ["rain"]
    refused(client.delete(f"{url}/99"), 404, 10003, field="index")


def test_another_projects_shot_is_not_found(client) -> None:
    mine, other = _project(client), _project(client)
    their_shot = _shots(client, other)[0]["shot_id"]
    for call in (lambda u: client.post(u, json={"effect_ids": ["gong"]}), lambda u: client.delete(f"{u}/0")):
        refused(call(f"/api/v1/projects/{mine}/shots/{their_shot}/sound-effects"), 404, 10003, field="shot_id")
    refused(client.post(f"/api/v1/projects/{uuid.uuid4()}/shots/{their_shot}/sound-effects",
                        json={"effect_ids": ["gong"]}), 404, 30002)  # fmt: skip
    upload = ok(client.post(f"/api/v1/projects/{other}/audio/uploads",
                            json={"kind": "effect", "data_base64": b64(wav_bytes(1.0))}), 201)  # fmt: skip
    mine_shot = _shots(client, mine)[0]
    refused(client.post(f"/api/v1/projects/{mine}/shots/{mine_shot['shot_id']}/sound-effects",
                        json={"custom_effects": [{"upload_id": upload["upload_id"]}]}), 404, 10003,
            field="custom_effects.0.upload_id")  # another project's upload  # fmt: skip
    assert _shots(client, mine)[0]["sound_effects"] == mine_shot["sound_effects"]
    assert [s["sound_effects"] for s in _shots(client, other)] == [[], ["心跳"], ["量子引擎"]]


def test_uploads_are_checked_by_content_and_refusals_store_nothing(client) -> None:
    pid = _project(client)
    shot = _shots(client, pid)[0]
    url = f"/api/v1/projects/{pid}/shots/{shot['shot_id']}/sound-effects"
    before = _shots(client, pid)[0]["sound_effects"]
    fake = b"just some text, saved as effect.wav\n" * 10
    riff_text = b"RIFF\x10\x00\x00\x00WAVEnot really a wave file at all" * 10  # a text file with a WAV header
    for body, words in (
        ({"data_base64": b64(fake), "file_name": "effect.wav"}, "not WAV, MP3, OGG or FLAC"),
        ({"data_base64": b64(riff_text)}, "not audio"),
        ({"data_base64": b64(wav_bytes(31.0))}, "at most 30 s"),
        ({"data_base64": b64(wav_bytes(13.0, rate=44100, channels=2))}, "at most 2000000 bytes"),
        ({"data_base64": "%%% not base64 %%%"}, "base64"),
        ({"data_base64": b64(wav_bytes(0.01))}, "no sound"),
    ):  # fmt: skip
        error = refused(client.post(url, json={"custom_effects": [body]}), 400, 10002,
                        field="custom_effects.0.data_base64")  # fmt: skip
        assert words in error["message"], (words, error["message"])
    # one good and one bad: the good one is not kept either
    good, bad = {"data_base64": b64(wav_bytes(1.0)), "file_name": "ding.wav"}, {"data_base64": b64(wav_bytes(31.0))}
    refused(client.post(url, json={"custom_effects": [good, bad]}), 400, 10002, field="custom_effects.1.data_base64")
    refused(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "effect", "data_base64": b64(fake)}),
            400, 10002, field="data_base64")  # fmt: skip
    too_long = {"kind": "music", "data_base64": b64(wav_bytes(601.0, rate=800))}
    refused(client.post(f"/api/v1/projects/{pid}/audio/uploads", json=too_long), 400, 10002)
    assert _uploads(client, pid) == ([], 0) and _shots(client, pid)[0]["sound_effects"] == before
    # accepted: stored under the project, decodable, on the shot with its volume and offset
    added = ok(client.post(url, json={"custom_effects": [{**good, "volume": 0.8, "offset": 0.5}]}))
    upload = next(e for e in added["sound_effects"] if e["type"] == "upload")
    assert (upload["name"], upload["volume"], upload["offset"]) == ("ding.wav", 0.8, 0.5)
    keys, rows = _uploads(client, pid)
    assert len(keys) == 1 and rows == 1
    assert client.get(upload["url"]).content == wav_bytes(1.0)
    music = ok(client.post(f"/api/v1/projects/{pid}/audio/uploads",
                           json={"kind": "music", "data_base64": b64(wav_bytes(45.0, rate=800)),
                                 "file_name": "theme.wav"}), 201)  # fmt: skip
    assert (music["kind"], music["format"], music["duration"]) == ("music", "wav", 45.0)
    as_effect = {"custom_effects": [{"upload_id": music["upload_id"]}]}
    refused(client.post(url, json=as_effect), 400, 10002)  # music, not an effect
    chosen = ok(client.post(f"/api/v1/projects/{pid}/audio/bgm", json={"upload_id": music["upload_id"], "volume": 0.4}))
    assert (chosen["bgm"]["upload_id"], chosen["bgm"]["name"], chosen["bgm"]["duration"]) == (
        music["upload_id"], "theme.wav", 45.0)  # fmt: skip


def test_one_line_is_voiced_by_a_task(client) -> None:
    pid = _project(client, storyboard=False)
    character = ok(client.get(f"/api/v1/projects/{pid}/characters"))["characters"][0]
    queued = ok(client.post("/api/v1/audio/tts/generate", json={"text": "你好，很高兴认识你。",
                                                                "character_id": character["id"]}), 202)  # fmt: skip
    task = wait(client, queued["task_id"])
    assert (task["status"], task["type"], task["project_id"]) == ("completed", "tts_line", pid)
    clip = client.get(task["result"]["audio_url"]).content
    with wave.open(io.BytesIO(clip)) as w:
        seconds = w.getnframes() / w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert seconds == pytest.approx(task["result"]["duration"], abs=0.01) and np.abs(samples).max() > 3000
    refused(client.post("/api/v1/audio/tts/generate", json={"text": "hi", "project_id": pid, "voice_id": "x"}), 400,
            10002, field="voice_id")  # fmt: skip
    refused(client.post("/api/v1/audio/tts/generate", json={"text": "hi"}), 400, 10002, field="project_id")
    refused(client.post("/api/v1/audio/tts/generate", json={"text": "hi", "character_id": str(uuid.uuid4())}), 404,
            10003)  # fmt: skip
    refused(client.post("/api/v1/audio/tts/generate", json={"text": "hi", "project_id": str(uuid.uuid4())}), 404, 30002)

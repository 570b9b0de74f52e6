"""Script understanding through the doors a creator or an integrator uses: a story in prose written as a script by
the configured language model (kept as a new version, the story before it), estimates on every version, the
structured appearance on every character, and nothing stored from a script that fails."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from app import create_app
from studio import workspace
from studio.services import build_services
from tests.api.conftest import BASE_URL, ok, refused, wait
from tests.pipeline.test_llm import EN_DOC, EN_STORY


def _project(client) -> str:  # type: ignore[no-untyped-def]
    return ok(client.post("/api/v1/projects", json={"name": "story"}), 201)["project_id"]


def _parse(client, pid: str) -> dict:  # type: ignore[no-untyped-def]
    task = ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)
    done = wait(client, task["task_id"])
    assert done["status"] == "completed", done["error"]
    return done["result"]


def test_prose_is_written_as_a_script_by_the_language_model(settings, llm_server) -> None:
    llm_server.replies = ["Once upon a time…", json.dumps(EN_DOC)]  # not JSON first: retried
    settings = settings.model_copy(update={"llm_backend": "openai", "llm_base_url": llm_server.url,
                                           "llm_model": "story-7b"})  # fmt: skip
    with TestClient(create_app(settings, services=build_services(settings, immediate=True)), base_url=BASE_URL) as c:
        pid = _project(c)
        ok(c.post(f"/api/v1/projects/{pid}/script", json={"content": EN_STORY}))
        result = _parse(c, pid)
        assert result["script_version"] == 2 and result["total_shots"] > 3
        parsed = ok(c.get(f"/api/v1/projects/{pid}/script/parsed"))
        said = [s for sc in parsed["scenes"] for s in sc["shots"] if s["type"] == "dialogue"]
        assert {s["character"] for s in said} == {"Mara", "Tom"}
        assert all(s["text"] in EN_STORY for s in said)  # the author's lines, word for word
        assert "language model (openai:story-7b)" in parsed["metadata"]["warnings"][0]["message"]
        svc = c.app.state.services
        versions = workspace.script_versions(svc, user_id=svc.default_user_id, project_id=pid)
        assert [(v["version"], v["source"]) for v in versions] == [(2, "llm"), (1, "creator")]
        assert all(v["word_count"] > 20 and v["estimated_duration"] > 5 for v in versions)
        story = workspace.script_version(svc, user_id=svc.default_user_id, project_id=pid, version=1)
        assert story["content"] == EN_STORY  # the story itself is kept
        assert len(llm_server.requests) == 2


def test_prose_without_a_language_model_is_narrated_with_a_warning(client) -> None:
    pid = _project(client)
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": EN_STORY}))
    assert _parse(client, pid).get("script_version") == 1
    parsed = ok(client.get(f"/api/v1/projects/{pid}/script/parsed"))
    warning = parsed["metadata"]["warnings"][0]
    assert warning["line"] == 1 and "script markup" in warning["message"]
    assert {s["type"] for sc in parsed["scenes"] for s in sc["shots"]} == {"narration"}


def test_the_language_model_down_falls_back_to_the_rules_and_says_so(settings) -> None:
    settings = settings.model_copy(update={"llm_backend": "openai", "llm_base_url": "http://127.0.0.1:9/v1",
                                           "llm_model": "story-7b", "llm_timeout": 2})  # fmt: skip
    with TestClient(create_app(settings, services=build_services(settings, immediate=True)), base_url=BASE_URL) as c:
        pid = _project(c)
        ok(c.post(f"/api/v1/projects/{pid}/script", json={"content": EN_STORY}))
        assert _parse(c, pid)["script_version"] == 1
        messages = [w["message"] for w in ok(c.get(f"/api/v1/projects/{pid}/script/parsed"))["metadata"]["warnings"]]
        assert any("127.0.0.1:9" in m for m in messages) and any("script markup" in m for m in messages)


def test_saves_keep_counts_and_estimates_and_characters_show_what_was_understood(client) -> None:
    pid = _project(client)
    text = ("场景: 教室, 白天\n角色: 小明(男, 8岁, 光头, 格子衬衫, 粉色书包, 会魔法)\n"
            "小明(害怕): 老师，我的作业被风吹走了！\n（风把作业吹出窗外）\n")  # fmt: skip
    saved = ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": text}))
    assert saved["word_count"] == len([c for c in text if "\u4e00" <= c <= "\u9fff"]) + 1  # 8 is a word
    _parse(client, pid)
    parsed = ok(client.get(f"/api/v1/projects/{pid}/script/parsed"))
    assert abs(parsed["metadata"]["estimated_duration"] - saved["estimated_duration"]) <= 1
    cast = ok(client.get(f"/api/v1/projects/{pid}/characters"))["characters"]
    profile = next(c for c in cast if c["name"] == "小明")["profile"]
    assert profile["gender"] == "male" and profile["age_group"] == "child" and profile["hair"]["length"] == "bald"
    assert [g["item"] for g in profile["clothing"]] == ["shirt"] and profile["clothing"][0]["pattern"] == "plaid"
    assert profile["accessories"][0] == {"item": "backpack", "colour": "pink", "words": "粉色书包"}
    assert profile["unknown"] == ["会魔法"]  # kept and shown, never dropped
    assert parsed["characters"][0]["profile"] == profile


def test_a_script_that_fails_to_parse_stores_nothing(client) -> None:
    pid = _project(client)
    refused(client.post(f"/api/v1/projects/{pid}/script", json={"content": "a\x00b"}), 400, 10002, "content")
    task = ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)
    assert wait(client, task["task_id"])["status"] == "failed"
    refused(client.get(f"/api/v1/projects/{pid}/script/parsed"), 404, 10003)
    assert ok(client.get(f"/api/v1/projects/{pid}/characters"))["characters"] == []


def test_the_language_model_enriches_shot_descriptions_on_request(settings, llm_server) -> None:
    settings = settings.model_copy(update={"llm_backend": "openai", "llm_base_url": llm_server.url,
                                           "llm_model": "story-7b"})  # fmt: skip
    with TestClient(create_app(settings, services=build_services(settings, immediate=True)), base_url=BASE_URL) as c:
        pid = _project(c)
        ok(c.post(f"/api/v1/projects/{pid}/script", json={"content": "场景: 天台, 夜晚\n小红: 你看，星星。\n旁白: 风停了。\n"}))
        _parse(c, pid)
        llm_server.replies = [json.dumps({"descriptions": ["小红仰望满天星斗，侧脸被月光照亮", "空旷的天台，晾衣绳静止"]})]
        task = ok(c.post(f"/api/v1/projects/{pid}/storyboard/generate", json={"options": {"enrich": True}}), 202)
        assert wait(c, task["task_id"])["result"]["warnings"] == []
        shots = ok(c.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]
        assert shots[0]["scene_description"] == "小红仰望满天星斗，侧脸被月光照亮"
        assert shots[0]["prompt_used"].endswith("小红仰望满天星斗，侧脸被月光照亮") and shots[0]["text"] == "你看，星星。"

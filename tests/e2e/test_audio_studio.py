"""The studio's audio steps through gradio_client against the running app: browse and recommend music, set it,
browse effects and add one to a shot; the script's unmatched cue is shown as a warning."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.conftest import start_app

SCRIPT = ("场景:公园长椅,傍晚\n角色:小林(男),小雨(女)\n小林(害羞): 其实……我一直喜欢你。\n[音效: 心跳]\n"
          "小雨(脸红): 我也是。\n[音效: 量子引擎]\n小林(温柔): 我们一起走吧。\n")  # fmt: skip


def _api(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode() if method == "POST" else None
    request = urllib.request.Request(url, method=method, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["data"]


@pytest.mark.e2e
def test_music_and_effects_through_the_studio(tmp_path) -> None:
    from gradio_client import Client

    url, proc = start_app(tmp_path)
    try:
        client = Client(url, verbose=False, download_files=str(tmp_path))
        pid, _, _ = client.predict("告白", "comic", "9:16", api_name="/create_project")
        client.predict(pid, SCRIPT, "auto", api_name="/parse_script")
        task = _api(f"{url}/api/v1/projects/{pid}/storyboard/generate", "POST", {})["task_id"]
        while _api(f"{url}/api/v1/tasks/{task}")["status"] not in ("completed", "failed"):
            time.sleep(0.2)
        table, choices = client.predict("romantic", 1, api_name="/list_bgm")
        assert table.count("<audio") == 2 and "/library/audio/music/romantic-" in table
        with urllib.request.urlopen(url + table.split('src="')[1].split('"')[0]) as played:
            assert played.headers["Content-Type"] == "audio/ogg" and played.read(4) == b"OggS"
        table, pick = client.predict(pid, api_name="/recommend_bgm")
        bgm = _api(f"{url}/api/v1/audio/bgm?page_size=100")["bgm_list"]
        assert next(b for b in bgm if b["id"] == pick["value"])["category"] == "romantic"
        summary = client.predict(pid, pick["value"], 0.4, 0, 2, 3, api_name="/set_bgm")
        assert "0.4" in summary and "“量子引擎”: pick one or upload one" in summary  # the music; the cue nothing matches
        assert _api(f"{url}/api/v1/projects/{pid}/audio")["bgm"]["fade_out"] == 3.0
        table, effects = client.predict("comic", api_name="/list_sound_effects")
        assert "boing" in json.dumps(effects) and table.count("<audio") >= 4
        shot = _api(f"{url}/api/v1/projects/{pid}/storyboard")["shots"][0]["shot_id"]
        summary = client.predict(pid, shot, "boing", 0.7, 0.5, api_name="/add_sound_effect")
        assert "#1:" in summary and "⚠" in summary
        added = _api(f"{url}/api/v1/projects/{pid}/audio")["shots"][0]["sound_effects"]
        assert [(e["key"], e["volume"], e["offset"]) for e in added] == [("boing", 0.7, 0.5)]
    finally:
        proc.terminate()
        proc.wait(30)

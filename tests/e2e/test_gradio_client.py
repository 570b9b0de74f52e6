"""End to end through gradio_client against the running app (`python app.py`): create -> script -> parse ->
storyboard -> render, then the MP4 is probed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import urllib.request

import httpx
import pytest

from tests.conftest import REPO, start_app
from tests.media import assert_video


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    data = tmp_path_factory.mktemp("app")
    url, proc = start_app(data)
    yield url
    proc.terminate()  # SIGTERM: uvicorn shuts down, the lifespan stops the embedded workers
    try:
        proc.wait(30)  # uvicorn re-raises the signal once it has shut down, so the status is -15
        text = (data / "app.log").read_text()
        assert "All workers have stopped" in text and "Application shutdown complete" in text, text[-2000:]
    finally:
        proc.kill()


@pytest.mark.e2e
def test_script_to_mp4_through_gradio_client(running_app, samples, tmp_path) -> None:
    from gradio_client import Client

    client = Client(running_app, verbose=False, download_files=str(tmp_path))
    pid, status, _ = client.predict("夜市奇遇", "comic", "16:9", api_name="/create_project")
    assert pid and "夜市奇遇" in status
    summary, parsed, public, _, _ = client.predict(pid, samples["night-market.zh.md"], "auto", api_name="/parse_script")
    assert "**7**" in summary and "阿福" in parsed and "####" in parsed  # scenes and shots a person reads
    rest = httpx.get(f"{running_app}/api/v1/projects/{pid}/script/parsed").json()["data"]
    assert public == rest and public["metadata"]["total_shots"] == 7  # the Gradio step returns what REST does
    job = client.submit(pid, api_name="/generate_storyboard")
    progress = []
    deadline = time.monotonic() + 300
    while not job.done() and time.monotonic() < deadline:
        status = job.status()
        if status.progress_data:
            progress.append(status.progress_data[0].desc)
        time.sleep(0.05)
    summary, gallery = job.result(timeout=10)
    assert any(desc and "drawing" in desc for desc in progress), progress  # the studio shows the task's step
    assert len(gallery) == 7 and gallery[0]["caption"].startswith("#1")
    summary, video, files, subtitles = client.predict(pid, api_name="/render_final")
    assert "1920x1080" in summary and len(files) == 4  # the video, its SRT and ASS, and the cover
    assert subtitles["data"] and subtitles["data"][0][4] == "auto"  # the subtitle track, as the render timed it
    # The storyboard's shot durations (voice-driven after voicing) decide the video's length.
    with urllib.request.urlopen(f"{running_app}/api/v1/projects/{pid}/storyboard") as r:
        shots = json.load(r)["data"]["shots"]
    video_path = video["video"] if isinstance(video, dict) else video
    assert_video(video_path, width=1920, height=1080, shot_durations=[s["duration"] for s in shots])
    # One orchestration: the CLI, given the same script and settings, draws the same panels and times the same shots.
    from tests.test_cli import _cli

    studio_shots = []
    for shot in shots:
        with urllib.request.urlopen(running_app + shot["image_url"]) as r:  # a signed, expiring URL
            studio_shots.append({"order": shot["order"], "duration": shot["duration"], "text": shot["text"],
                                 "panel_sha256": hashlib.sha256(r.read()).hexdigest()})  # fmt: skip
    script = tmp_path / "night-market.zh.md"
    script.write_text(samples["night-market.zh.md"], encoding="utf-8")
    cli = _cli("render", str(script), "-o", str(tmp_path / "cli.mp4"), "--aspect", "16:9", "--json", "-q")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["shots"] == studio_shots

    # The README's editing script: open the project, change one line, redraw that panel, render again.
    others = {s["shot_id"]: s["image_key"] for s in shots[1:]}
    first_video = client.predict(pid, api_name="/open_project")["video"]["video_id"]
    edit = subprocess.run([sys.executable, str(REPO / "examples" / "edit_with_gradio_client.py"), running_app, pid,
                           "新的台词"], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert edit.returncode == 0, edit.stderr[-3000:]
    assert "now says 新的台词" in edit.stdout
    project = client.predict(pid, api_name="/open_project")
    board = project["storyboard"]["shots"]
    assert board[0]["text"] == "新的台词" and board[0]["image_key"] != shots[0]["image_key"]
    assert {s["shot_id"]: s["image_key"] for s in board[1:]} == others  # no other panel was redrawn
    assert not any(s["image_stale"] or s["voice_stale"] for s in board)
    assert project["video"]["video_id"] != first_video  # rendered again


@pytest.mark.e2e
def test_ui_errors_reach_the_client(running_app) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(running_app, verbose=False)
    with pytest.raises(AppError, match="project"):
        client.predict("", api_name="/render_final")
    with pytest.raises(AppError, match="not valid"):
        client.predict("../../etc/passwd", api_name="/generate_storyboard")
    with pytest.raises(AppError, match="name"):
        client.predict("x" * 300, "comic", "16:9", api_name="/create_project")
    pid, _, _ = client.predict("p", "comic", "1:1", api_name="/create_project")
    with pytest.raises(AppError, match="control character"):
        client.predict(pid, "旁白: 好\x00的", "auto", api_name="/save_script")
    with pytest.raises(AppError, match="empty"):
        client.predict(pid, "  ", "auto", api_name="/save_script")
    assert "Nothing is running" in client.predict(pid, api_name="/cancel_tasks")


@pytest.mark.e2e
def test_every_step_has_its_stable_api_name(running_app) -> None:
    from gradio_client import Client

    names = set(Client(running_app, verbose=False).view_api(return_format="dict", print_info=False)["named_endpoints"])
    wanted = {"/create_project", "/save_script", "/parse_script", "/generate_storyboard", "/get_storyboard",
              "/voice_dialogue", "/render_final", "/cancel_tasks", "/open_project", "/update_character",
              "/update_shot", "/regenerate_shot", "/list_shot_images", "/select_shot_image", "/update_stale",
              "/cancel_task", "/render_preview", "/save_subtitles", "/export_project", "/import_project"}  # fmt: skip
    assert wanted <= names, sorted(wanted - names)
    assert not any(n.rstrip("_0123456789") in wanted and n not in wanted for n in names)  # no name taken twice


@pytest.mark.e2e
def test_preview_subtitle_edit_and_a_bundle_round_trip_through_gradio_client(running_app, tmp_path) -> None:
    from gradio_client import Client, handle_file

    client = Client(running_app, verbose=False, download_files=str(tmp_path))
    pid, _, _ = client.predict("往返", "comic", "9:16", api_name="/create_project")
    client.predict(pid, "场景:天台,夜晚\n角色:小红(女)\n小红(微笑): 今晚的月亮真圆。\n旁白: 风停了。\n", "auto",
                   api_name="/parse_script")  # fmt: skip
    client.predict(pid, api_name="/generate_storyboard")
    summary, video, files, track = client.predict(pid, "1080p", "douyin", api_name="/render_preview")
    assert "720x1280" in summary and len(files) == 4
    rows = track["data"]
    rows[0][3] = "今晚的月亮，真圆。"
    saved = client.predict(pid, {"headers": track["headers"], "data": rows}, api_name="/save_subtitles")
    assert saved["data"][0][3] == "今晚的月亮，真圆。" and saved["data"][0][4] == "edited"
    exported = client.predict(pid, "bundle", api_name="/export_project")
    new_pid, status, _ = client.predict(handle_file(exported[0]), api_name="/import_project")
    assert new_pid != pid and "往返" in status
    project = client.predict(new_pid, api_name="/open_project")
    assert [s["text"] for s in project["storyboard"]["shots"]] == ["今晚的月亮真圆。", "风停了。"]
    assert [(s["text"], s["origin"]) for s in project["subtitles"]] == [("今晚的月亮，真圆。", "edited")]  # the edit came too

"""Rendering through the REST API: preview and final tasks, downloads by kind with expiring URLs, re-renders that
re-encode only what an edit touches, and the subtitle track's ownership."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from studio.projects import task_public
from tests.api.conftest import ok, refused, wait
from tests.api.test_parameters import _project, _storyboard
from tests.media import probe, stream


def _render(client, pid: str, kind: str, **body) -> dict:
    queued = ok(client.post(f"/api/v1/projects/{pid}/render/{kind}", json=body), 202)
    assert queued["estimated_time"] > 0
    task = wait(client, queued["render_task_id"])
    assert task["status"] == "completed" and task["current_step"] == "completed", task
    return task["result"]


def test_a_preview_and_a_final_are_each_downloadable_by_kind(client, tmp_path) -> None:
    pid = _project(client, aspect_ratio="9:16")
    _storyboard(client, pid)
    refused(client.get(f"/api/v1/projects/{pid}/video/download"), 404, 10003)
    preview = _render(client, pid, "preview", resolution="4k")
    assert (preview["type"], preview["width"], preview["height"]) == ("preview", 720, 1280)
    refused(client.get(f"/api/v1/projects/{pid}/video/download?type=final"), 404, 10003)
    final = _render(client, pid, "final", resolution="720p", platform_preset="douyin")
    got = ok(client.get(f"/api/v1/projects/{pid}/video/download"))
    assert got["video_id"] == final["video_id"] and got["type"] == "final"
    assert datetime.fromisoformat(got["expires_at"]) > datetime.now(UTC)
    assert got["file_size"] > 10_000 and abs(got["duration"] - sum(final["shot_durations"])) < 0.05
    assert got["settings"]["platform"] == "douyin" and got["settings"]["fps"] == 30
    for url in (got["download_url"], got["subtitles_url"], got["ass_url"], got["cover_url"]):
        assert client.get(url).status_code == 200
    again = ok(client.get(f"/api/v1/projects/{pid}/video/download?type=preview"))
    assert again["video_id"] == preview["video_id"]
    path = tmp_path / "final.mp4"
    path.write_bytes(client.get(got["download_url"]).content)
    video = stream(probe(str(path)), "video")
    assert (video["width"], video["height"], video["color_primaries"]) == (720, 1280, "bt709")
    refused(client.get(f"/api/v1/projects/{pid}/video/download?type=draft"), 400, 10002)


def test_after_an_edit_only_the_shots_it_touches_are_encoded_again(client) -> None:
    pid = _project(client, aspect_ratio="9:16")
    board = _storyboard(client, pid)
    first = _render(client, pid, "final", resolution="720p")
    assert first["reused_segments"] == 0 and first["segments"] == len(board["shots"])
    same = _render(client, pid, "final", resolution="720p")
    assert same["reused_segments"] == same["segments"]  # nothing changed: nothing encoded
    last = board["shots"][-1]
    ok(client.patch(f"/api/v1/projects/{pid}/shots/{last['shot_id']}", json={"motion": "pan-up"}))
    moved = _render(client, pid, "final", resolution="720p")
    # The last shot's segment, and the one before it when a transition leads into it.
    touched = 1 if board["shots"][-2]["transition"] == "cut" else 2
    assert moved["reused_segments"] == moved["segments"] - touched
    other = _render(client, pid, "final", resolution="720p", subtitle_style="boxed")
    assert other["reused_segments"] < other["segments"]  # a style shows in every shot with a line


def test_another_projects_subtitles_are_not_reachable(client) -> None:
    pid = _project(client)
    _storyboard(client, pid)
    _render(client, pid, "preview")
    line = ok(client.get(f"/api/v1/projects/{pid}/subtitles"))[0]
    other = _project(client)
    refused(client.patch(f"/api/v1/projects/{other}/subtitles/{line['subtitle_id']}", json={"text": "x"}), 404, 10003)
    refused(client.delete(f"/api/v1/projects/{other}/subtitles/{line['subtitle_id']}"), 404, 10003)
    refused(client.get(f"/api/v1/projects/{uuid.uuid4()}/subtitles"), 404, 30002)
    ok(client.delete(f"/api/v1/projects/{pid}/subtitles/{line['subtitle_id']}"))
    assert line["subtitle_id"] not in {s["subtitle_id"] for s in ok(client.get(f"/api/v1/projects/{pid}/subtitles"))}


def test_a_running_task_says_how_long_it_has_left() -> None:
    now = datetime.now(UTC)
    row = SimpleNamespace(id=uuid.uuid4(), type="video_render", status="processing", progress=25, current_step="x",
                          result=None, error=None, retry_count=0, project_id=None, created_at=now, updated_at=now,
                          heartbeat_at=None, started_at=now - timedelta(seconds=30))  # fmt: skip
    assert 85 <= task_public(row)["estimated_remaining"] <= 95  # 30 s for a quarter: 90 s to go
    assert task_public(SimpleNamespace(**{**vars(row), "status": "completed"}))["estimated_remaining"] is None

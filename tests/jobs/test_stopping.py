"""Jobs stop cleanly: cancel, project deletion and worker shutdown stop a running render and its ffmpeg, remove the
work folder, and lose nothing; heartbeats and requeues say what happened; errors shown to users are for people."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import Task, Video
from studio import projects
from studio.services import build_services

# Eight lines at 9:16 1080p: long enough to catch its ffmpeg running on two cores.
SCRIPT = "场景:学校天台,夜晚\n角色:小明(男,高中生),小红(女)\n" + "".join(
    f"{who}(平静): 这是第{i}句台词,我们慢慢地说,好让画面多停留一会儿。\n" for i, who in enumerate(["小明", "小红"] * 4)
)


def _ffmpeg_children() -> list[int]:
    """ffmpeg processes whose parent is this test process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            ppid = int(fields[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if name == "ffmpeg" and ppid == os.getpid():
            found.append(int(stat.parent.name))
    return found


def _until(condition, timeout: float = 120, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker(settings):
    """The app's services with one worker thread, as `python app.py` runs them."""
    fast = settings.model_copy(update={"embedded_workers": 1, "task_heartbeat_interval": 1})
    svc = build_services(fast)
    svc.start_workers()
    yield svc
    svc.stop()


def planned(svc) -> str:
    """A project with SCRIPT parsed and its storyboard planned, by whichever worker serves `svc`'s queue."""
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="long", aspect_ratio="9:16")["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content=SCRIPT)
    for step in ("nlp", "storyboard"):
        task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type=step)
        assert projects.wait_task(svc, user_id=user, task_id=task_id, timeout=120)["status"] == "completed"
    return pid


def _rendering(svc) -> tuple[str, str]:
    """A project whose render task is running ffmpeg right now: (project id, task id)."""
    pid = planned(svc)
    task_id = projects.start_task(svc, user_id=svc.default_user_id, project_id=pid, task_type="video_render")
    _until(_ffmpeg_children, what="ffmpeg to start")
    return pid, task_id


def _work_folders(svc) -> list[str]:
    return sorted(p.name for p in svc.ctx.work_dir.iterdir()) if svc.ctx.work_dir.exists() else []


def test_cancelling_a_render_kills_its_ffmpeg_and_removes_its_work_folder(worker) -> None:
    from fastapi.testclient import TestClient

    from app import create_app

    pid, task_id = _rendering(worker)
    beat = projects.get_task(worker, user_id=worker.default_user_id, task_id=task_id)["heartbeat_at"]
    _until(lambda: projects.get_task(worker, user_id=worker.default_user_id, task_id=task_id)["heartbeat_at"] != beat,
           timeout=10, what="a heartbeat")  # fmt: skip
    with TestClient(create_app(worker.settings, services=worker), base_url="http://127.0.0.1") as client:
        response = client.post(f"/api/v1/tasks/{task_id}/cancel")
        assert response.status_code == 200 and response.json()["data"]["status"] == "cancelled"
        _until(lambda: not _ffmpeg_children(), timeout=10, what="ffmpeg to stop")
        _until(lambda: not _work_folders(worker), timeout=10, what="the work folder to go")
        again = client.post(f"/api/v1/tasks/{task_id}/cancel")
        assert again.status_code == 409 and again.json()["code"] == 10002
    task = projects.get_task(worker, user_id=worker.default_user_id, task_id=task_id)
    assert task["status"] == "cancelled" and task["current_step"] == "cancelled"
    assert worker.storage.list(f"projects/{pid}/videos/") == []
    assert projects.get_project(worker, user_id=worker.default_user_id, project_id=pid)["status"] == "draft"


def test_deleting_a_project_stops_its_render(worker) -> None:
    pid, task_id = _rendering(worker)
    projects.delete_project(worker, user_id=worker.default_user_id, project_id=pid)
    _until(lambda: not _ffmpeg_children(), timeout=10, what="ffmpeg to stop")
    _until(lambda: not _work_folders(worker), timeout=10, what="the work folder to go")
    time.sleep(1)
    assert worker.storage.list(f"projects/{pid}/") == []
    with worker.sessions() as s:
        assert s.get(Task, uuid.UUID(task_id)) is None


def test_a_worker_shutting_down_requeues_its_task_and_another_finishes_it(settings) -> None:
    first = build_services(settings.model_copy(update={"embedded_workers": 1}))
    first.start_workers()
    pid, task_id = _rendering(first)
    first.stop()
    # A job between progress reports when the 10 s shutdown timeout ends (a slow, busy machine) finishes its current
    # ffmpeg run, seconds long, before it sees the shutdown: none may outlive that.
    _until(lambda: not _ffmpeg_children(), timeout=30, what="ffmpeg to stop")
    _until(lambda: not _work_folders(first), timeout=10, what="the work folder to go")
    task = projects.get_task(first, user_id=first.default_user_id, task_id=task_id)
    assert (task["status"], task["current_step"]) == ("queued", "requeued: worker shut down")
    second = build_services(settings.model_copy(update={"embedded_workers": 1}))
    second.start_workers()
    try:
        done = projects.wait_task(second, user_id=second.default_user_id, task_id=task_id, timeout=300)
        assert done["status"] == "completed", done
        assert len(second.storage.list(f"projects/{pid}/videos/")) == 4  # exactly one video (and its SRT, ASS, cover)
    finally:
        second.stop()


def test_a_stale_task_is_requeued_with_the_reason(settings) -> None:
    svc = build_services(settings)  # a queue with no consumer: the requeued task waits, visible
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="p")["id"]
    task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="nlp")
    with svc.sessions.begin() as s:
        task = s.get(Task, uuid.UUID(task_id))
        task.status, task.heartbeat_at = "processing", datetime.now(UTC) - timedelta(seconds=61)
    svc.tasks.requeue_stale()
    task = projects.get_task(svc, user_id=user, task_id=task_id)
    assert (task["status"], task["current_step"], task["retry_count"]) == ("queued", "requeued: no heartbeat for 50 s", 1)
    assert svc.queues.pending_count() == 2  # the first delivery and the requeue; the first finds it claimed or done
    svc.stop()


def test_a_render_taken_over_before_it_records_its_video_records_nothing(settings, monkeypatch, caplog) -> None:
    """A worker alive but silent past the stale timeout (a database away for a minute, a frozen process) has its
    task requeued and run by another; when it comes back with its video it records no second one, and removes its
    files."""
    from jobs import render_job
    from jobs.progress import requeue_if_stale

    svc = build_services(settings, immediate=True)  # an enqueued task runs at once, here
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="p", aspect_ratio="1:1")["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content="场景:街,白天\n阿福: 你好。\n")
    for step in ("nlp", "storyboard"):
        projects.start_task(svc, user_id=user, project_id=pid, task_type=step)
    upload, first_keys = render_job._upload, []

    def upload_then_lose_the_task(ctx, project_id, settings, result):  # type: ignore[no-untyped-def]
        keys = upload(ctx, project_id, settings, result)
        if not first_keys:  # the first attempt, rendered and uploaded: the sweep requeues it, another worker runs it
            first_keys.extend(keys.values())
            with svc.sessions.begin() as s:
                (task_id,) = s.scalars(select(Task.id).where(Task.type == "video_render"))
                s.get(Task, task_id).heartbeat_at = datetime.now(UTC) - timedelta(seconds=61)
                assert requeue_if_stale(s, task_id, 50)
            svc.tasks.enqueue(task_id, "video_render")
        return keys

    monkeypatch.setattr(render_job, "_upload", upload_then_lose_the_task)
    with caplog.at_level(logging.WARNING):
        task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="video_render",
                                      payload={"settings": {"kind": "preview"}})  # fmt: skip
    task = projects.get_task(svc, user_id=user, task_id=task_id)
    assert (task["status"], task["retry_count"]) == ("completed", 1), task["error"]
    with svc.sessions() as s:
        videos = s.scalars(select(Video).where(Video.project_id == uuid.UUID(pid))).all()
    assert len(videos) == 1 and videos[0].output_url == task["result"]["video_key"] not in first_keys
    assert len(first_keys) == 4 and not set(first_keys) & set(svc.storage.list(f"projects/{pid}/videos/"))
    assert len(svc.storage.list(f"projects/{pid}/videos/")) == 4  # the second attempt's video, SRT, ASS and cover
    assert any("dropped" in r.getMessage() and "taken over" in r.getMessage() for r in caplog.records)
    svc.stop()


def test_a_queued_task_whose_message_was_lost_is_queued_again(settings) -> None:
    """A Redis restarted without persistence forgets the messages it held: a task still queued a stale timeout
    later while its queue is empty is enqueued again (once a round), and then runs."""
    svc = build_services(settings)  # no consumer: what the queue holds stays visible
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="p")["id"]
    task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="nlp")
    svc.queues["nlp"].flush()  # the message is gone
    svc.tasks.requeue_stale()
    assert svc.queues["nlp"].pending_count() == 0  # not yet: queued tasks may wait behind others for a while
    with svc.sessions.begin() as s:
        s.get(Task, uuid.UUID(task_id)).updated_at = datetime.now(UTC) - timedelta(seconds=51)
    svc.tasks.requeue_stale()
    assert svc.queues["nlp"].pending_count() == 1
    assert projects.get_task(svc, user_id=user, task_id=task_id)["current_step"] == "requeued: its queue lost it"
    svc.tasks.requeue_stale()  # its queue holds it now: nothing more
    assert svc.queues["nlp"].pending_count() == 1
    svc.stop()


def test_a_sweep_removes_work_folders_of_dead_processes(tmp_path) -> None:
    import subprocess

    from jobs.workdirs import sweep_work_dirs

    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    started = Path(f"/proc/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()[19]
    mine, reused = f"{os.getpid()}.{started}@{host}%mine", f"{os.getpid()}.{int(started) - 1}@{host}%before"
    for name in (f"{dead.pid}@{host}%abc", mine, reused, f"{dead.pid}@other-machine%theirs"):
        (tmp_path / name).mkdir()
    # Dead: a pid that no longer runs, and this pid's earlier owner (a restarted container's PID 1 on a kept volume).
    assert sorted(sweep_work_dirs(tmp_path)) == sorted([f"{dead.pid}@{host}%abc", reused])
    assert {p.name for p in tmp_path.iterdir()} == {f"{dead.pid}@other-machine%theirs", mine}


def test_task_errors_are_for_people_and_the_log_has_the_rest(settings, caplog, monkeypatch) -> None:
    from pipeline.render import RenderOptions

    svc = build_services(settings, immediate=True)
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="p", aspect_ratio="1:1")["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content="场景:街,白天\n阿福: 你好。\n")
    for step in ("nlp", "storyboard"):
        projects.start_task(svc, user_id=user, project_id=pid, task_type=step)

    def explode(request, out_path):
        raise RuntimeError(f"GPU fell off while writing {out_path}")

    monkeypatch.setattr(svc.ctx.image_backend, "draw", explode)
    with caplog.at_level(logging.WARNING):
        task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="image_generation")
    task = projects.get_task(svc, user_id=user, task_id=task_id)
    assert task["status"] == "failed" and task_id in task["error"] and "server log" in task["error"]
    assert "GPU" not in task["error"] and "/" not in task["error"] and "Traceback" not in task["error"]
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert task_id in logged and "GPU fell off" in logged

    monkeypatch.undo()
    object.__setattr__(svc.ctx, "render_options", RenderOptions(ffmpeg="false"))  # an ffmpeg that always fails
    task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="video_render")
    task = projects.get_task(svc, user_id=user, task_id=task_id)
    assert task["status"] == "failed" and task["error"].startswith("ffmpeg could not draw the subtitles")
    assert str(settings.data_dir.resolve()) not in task["error"]
    svc.stop()


def test_a_render_worker_that_may_not_draw_refuses_missing_panels_and_renders_drawn_ones(settings) -> None:
    """A worker without the image queue (a CPU render machine beside GPU image workers) never draws: missing panels
    fail the render saying what to do; once they are drawn (by the image queue) the same render goes through."""
    svc = build_services(settings, immediate=True)
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="p", aspect_ratio="1:1")["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content="场景:街,白天\n阿福: 你好。\n")
    for step in ("nlp", "storyboard"):
        projects.start_task(svc, user_id=user, project_id=pid, task_type=step)
    object.__setattr__(svc.ctx, "draws_panels", False)
    render = {"settings": {"kind": "preview"}}
    task = projects.get_task(svc, user_id=user, task_id=projects.start_task(
        svc, user_id=user, project_id=pid, task_type="video_render", payload=render))
    assert task["status"] == "failed" and "not drawn yet" in task["error"] and "image_generation" in task["error"]
    projects.start_task(svc, user_id=user, project_id=pid, task_type="image_generation")
    task = projects.get_task(svc, user_id=user, task_id=projects.start_task(
        svc, user_id=user, project_id=pid, task_type="video_render", payload=render))
    assert task["status"] == "completed", task["error"]
    svc.stop()

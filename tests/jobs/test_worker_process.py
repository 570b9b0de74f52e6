"""Production shape: the app only enqueues; a separate `comicreel worker` process runs the tasks from Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from studio import projects
from studio.services import build_services
from tests.conftest import REPO


@pytest.mark.services
def test_a_separate_worker_process_runs_the_tasks(settings, pg_url, redis_url, tmp_path) -> None:
    shared = settings.model_copy(
        update={"database_url": pg_url, "redis_url": redis_url, "storage_dir": tmp_path / "objects"}
    )
    svc = build_services(shared)  # embedded_workers=0: this process never runs a task itself
    svc.queues.flush()
    env = {**os.environ, "COMICREEL_DATA_DIR": str(tmp_path / "worker"), "COMICREEL_DATABASE_URL": pg_url,
           "COMICREEL_REDIS_URL": redis_url, "COMICREEL_STORAGE_DIR": str(tmp_path / "objects"), "PYTHONPATH": str(REPO)}  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-m", "studio.cli", "worker", "--workers", "2"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        user = svc.default_user_id
        pid = projects.create_project(svc, user_id=user, name="w", aspect_ratio="1:1")["id"]
        projects.save_script(svc, user_id=user, project_id=pid, content="场景:街道,白天\n阿福(开心): 早上好!\n")
        for step in ("nlp", "storyboard", "image_generation"):
            task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type=step)
            task = projects.wait_task(svc, user_id=user, task_id=task_id, timeout=120)
            assert task["status"] == "completed", task
        shot = projects.get_storyboard(svc, user_id=user, project_id=pid)["shots"][0]
        assert svc.storage.exists(shot["image_key"])  # drawn by the other process into the shared storage
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
        svc.stop()
    assert "comicreel.run" in output


def _ffmpeg_using(folder: str) -> list[int]:
    """ffmpeg processes (any parent) whose command line points into `folder`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"ffmpeg") and any(folder.encode() in a for a in args):
            found.append(int(cmdline.parent.name))
    return found


@pytest.mark.services
def test_a_worker_stopped_mid_render_kills_ffmpeg_and_requeues(settings, pg_url, redis_url, tmp_path) -> None:
    from tests.jobs.test_stopping import _until, planned

    shared = settings.model_copy(
        update={"database_url": pg_url, "redis_url": redis_url, "storage_dir": tmp_path / "objects"}
    )
    svc = build_services(shared)
    svc.queues.flush()
    env = {**os.environ, "COMICREEL_DATA_DIR": str(tmp_path / "worker"), "COMICREEL_DATABASE_URL": pg_url,
           "COMICREEL_REDIS_URL": redis_url, "COMICREEL_STORAGE_DIR": str(tmp_path / "objects"), "PYTHONPATH": str(REPO)}  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-m", "studio.cli", "worker", "--workers", "1"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    work = str(tmp_path / "worker" / "work")
    try:
        user = svc.default_user_id
        pid = planned(svc)
        task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="video_render")
        _until(lambda: _ffmpeg_using(work), what="the worker's ffmpeg")
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        assert _ffmpeg_using(work) == [] and list(Path(work).iterdir()) == []
        task = projects.get_task(svc, user_id=user, task_id=task_id)
        assert (task["status"], task["current_step"]) == ("queued", "requeued: worker shut down")
        assert svc.queues.pending_count() == 1  # waiting for the next worker
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.communicate(timeout=30)
        svc.queues.flush()
        svc.stop()

"""No lost work: a `comicreel worker` killed with SIGKILL mid-render has its task requeued once stale and finished by
another worker, with exactly one video and nothing left running or on disk; Redis or PostgreSQL restarting during a
job leaves the job to complete, and the API answers 503 meanwhile."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from db.models import Task, Video
from jobs.orphans import clean_up_dead_workers
from studio import projects
from studio.services import build_services
from tests.production.conftest import (
    TcpProxy,
    ffmpeg_using,
    pg_address,
    pg_through,
    start_worker,
    stop_worker,
    until,
)

SCRIPT = "场景:学校天台,夜晚\n角色:小明(男,高中生),小红(女)\n" + "".join(
    f"{who}(平静): 这是第{i}句台词,我们慢慢地说,好让画面多停留一会儿。\n" for i, who in enumerate(["小明", "小红"] * 2)
)
RENDER = {"settings": {"resolution": "720p", "motion_comic": False}}


def _production(settings, tmp_path: Path, database_url: str, redis_url: str, *, stale_after: int = 4,  # type: ignore[no-untyped-def]
                s3: dict[str, str] | None = None):  # fmt: skip
    """The app's services (no workers of its own) and the environment of its `comicreel worker` processes: one
    PostgreSQL database, one Redis, one store (S3, or a shared folder), one work folder (the workers share a machine)."""
    store = {"storage_dir": str(tmp_path / "objects")}
    if s3 is not None:
        store = {"storage_backend": "s3", "s3_endpoint": s3["endpoint"], "s3_access_key": s3["access_key"],
                 "s3_secret_key": s3["secret_key"], "s3_bucket": f"recover-{uuid.uuid4().hex[:8]}"}  # fmt: skip
    fast = {"task_heartbeat_interval": 1, "task_stale_after": stale_after, "worker_sweep_interval": 0.5}
    typed = {k: Path(v) if k == "storage_dir" else v for k, v in store.items()}  # model_copy does not convert
    app = settings.model_copy(update={"database_url": database_url, "redis_url": redis_url, "embedded_workers": 0,
                                      **typed, **fast})  # fmt: skip
    env = {"COMICREEL_DATABASE_URL": database_url, "COMICREEL_REDIS_URL": redis_url,
           "COMICREEL_DATA_DIR": str(tmp_path / "worker"), "COMICREEL_TASK_HEARTBEAT_INTERVAL": "1",
           "COMICREEL_TASK_STALE_AFTER": str(stale_after), "COMICREEL_WORKER_SWEEP_INTERVAL": "0.5",
           "COMICREEL_TASK_RETRIES": "1", **{f"COMICREEL_{k.upper()}": v for k, v in store.items()}}  # fmt: skip
    return build_services(app), env, tmp_path / "worker" / "work"


def _planned(svc) -> str:  # type: ignore[no-untyped-def]
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="recover", aspect_ratio="9:16")["id"]
    projects.save_script(svc, user_id=user, project_id=pid, content=SCRIPT)
    for step in ("nlp", "storyboard"):
        task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type=step)
        assert projects.wait_task(svc, user_id=user, task_id=task_id, timeout=120)["status"] == "completed"
    return str(pid)


def _exactly_one_video(svc, pid: str) -> None:  # type: ignore[no-untyped-def]
    with svc.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Video).where(Video.project_id == uuid.UUID(pid))) == 1
    assert len(svc.storage.list(f"projects/{pid}/videos/")) == 4  # the video, its SRT, ASS and cover: no stray file


@pytest.mark.services
def test_a_worker_killed_mid_render_loses_nothing_and_leaves_nothing(settings, pg_database, private_redis, s3_server,
                                                                     tmp_path) -> None:  # fmt: skip
    """PostgreSQL, Redis and S3 (SeaweedFS), as in production; the two workers share one machine."""
    svc, env, work = _production(settings, tmp_path, pg_database, private_redis.url, s3=s3_server)
    first = start_worker(tmp_path, "first", env, "--concurrency", "1")
    second = None
    try:
        user = svc.default_user_id
        pid = _planned(svc)
        task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type="video_render", payload=RENDER)
        until(lambda: ffmpeg_using(work), what="the first worker's ffmpeg")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed = time.monotonic()
        left_running = ffmpeg_using(work)
        second = start_worker(tmp_path, "second", env, "--concurrency", "1")
        until(lambda: projects.get_task(svc, user_id=user, task_id=task_id)["retry_count"] >= 1, timeout=60,
              what="the stale task to be requeued", every=0.2)  # fmt: skip
        print(f"requeued {time.monotonic() - killed:.1f} s after the kill (stale after 4 s, sweep every 0.5 s); "
              f"{len(left_running)} ffmpeg left running by the killed worker")
        done = projects.wait_task(svc, user_id=user, task_id=task_id, timeout=240)
        assert done["status"] == "completed", done
        assert done["current_step"] == "completed" and done["retry_count"] == 1
        _exactly_one_video(svc, pid)
        assert ffmpeg_using(work) == []
        assert list(work.iterdir()) == []  # the killed worker's folder removed, the second's own gone with its job
    finally:
        for proc in (first, second):
            if proc is not None:
                stop_worker(proc)
        svc.stop()
    assert "requeued stale task" in (tmp_path / "second.log").read_text()


def test_the_sweep_kills_what_a_dead_worker_left_running_and_removes_its_folder(tmp_path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    theirs, mine = tmp_path / f"{dead.pid}@{host}%job", tmp_path / f"{os.getpid()}@{host}%job"
    theirs.mkdir()
    mine.mkdir()
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]
    orphan_by_arg = subprocess.Popen([*sleeper, str(theirs / "segment.mp4")])
    orphan_by_cwd = subprocess.Popen(sleeper, cwd=theirs)
    alive = subprocess.Popen([*sleeper, str(mine / "segment.mp4")])
    try:
        killed, removed = clean_up_dead_workers(tmp_path)
        assert sorted(killed) == sorted([orphan_by_arg.pid, orphan_by_cwd.pid])
        assert orphan_by_arg.wait(5) == -signal.SIGKILL and orphan_by_cwd.wait(5) == -signal.SIGKILL
        assert removed == [theirs.name] and mine.is_dir() and alive.poll() is None
    finally:
        for proc in (orphan_by_arg, orphan_by_cwd, alive):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_child_started_to_die_with_its_parent_does(tmp_path) -> None:
    """The renderer's ffmpeg is started so (pipeline/subprocesses.py): SIGKILL the parent, the child goes too."""
    pid_file = tmp_path / "child.pid"
    start = "subprocess.Popen(dying_with_parent(cmd))"
    parent = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, time\n"
        "from pipeline.subprocesses import dying_with_parent\n"
        "cmd = [sys.executable, '-c', 'import time; time.sleep(300)']\n"
        f"child = {start}\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(300)\n"
    )], env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})  # fmt: skip
    try:
        child = int(until(lambda: pid_file.exists() and pid_file.read_text(), timeout=30, what="the child"))
        time.sleep(0.3)  # setpriv has exec'd the program
        assert _running(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        until(lambda: not _running(child), timeout=10, what="the child to die with its parent")
    finally:
        if parent.poll() is None:
            parent.kill()


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _app_client(svc):  # type: ignore[no-untyped-def]
    from app import create_app

    return TestClient(create_app(svc.settings, services=svc), base_url="http://127.0.0.1")


@pytest.mark.services
def test_redis_restarting_during_a_render(settings, pg_database, private_redis, tmp_path) -> None:
    svc, env, work = _production(settings, tmp_path, pg_database, private_redis.url)
    worker = start_worker(tmp_path, "worker", env, "--concurrency", "1")
    try:
        user = svc.default_user_id
        pid = _planned(svc)
        render = projects.start_task(svc, user_id=user, project_id=pid, task_type="video_render", payload=RENDER)
        with _app_client(svc) as client:
            until(lambda: ffmpeg_using(work), what="the render's ffmpeg")
            private_redis.stop()
            refused = client.post(f"/api/v1/projects/{pid}/script/parse")
            assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
            assert refused.json()["code"] == 10001 and "job queue" in refused.json()["message"]
            status = client.get(f"/api/v1/tasks/{render}")  # reads need only the database
            assert status.status_code == 200 and status.json()["data"]["status"] == "processing"
            time.sleep(2)
            private_redis.start()
            done = projects.wait_task(svc, user_id=user, task_id=render, timeout=240)
            assert done["status"] == "completed", done
            with svc.sessions() as s:  # the task the outage refused is failed with its reason, not left queued
                failed = s.scalars(select(Task).where(Task.type == "nlp", Task.status == "failed")).one()
                assert failed.error == "The job queue is unavailable; try again shortly."
            again = client.post(f"/api/v1/projects/{pid}/script/parse")  # the worker found Redis again
            assert again.status_code == 202
            task = projects.wait_task(svc, user_id=user, task_id=again.json()["data"]["task_id"], timeout=60)
            assert task["status"] == "completed", task
        _exactly_one_video(svc, pid)
    finally:
        stop_worker(worker)
        svc.stop()


@pytest.mark.services
def test_postgres_restarting_during_a_render(settings, pg_database, private_redis, tmp_path) -> None:
    """PostgreSQL goes away for 3 s (a proxy cut: every connection dropped, new ones refused) while ffmpeg runs."""
    from db.migrate import upgrade

    upgrade(pg_database)
    proxy = TcpProxy(pg_address(pg_database))
    svc, env, work = _production(settings, tmp_path, pg_through(proxy, pg_database), private_redis.url,
                                 stale_after=10)  # fmt: skip
    worker = start_worker(tmp_path, "worker", env, "--concurrency", "1")
    try:
        user = svc.default_user_id
        pid = _planned(svc)
        render = projects.start_task(svc, user_id=user, project_id=pid, task_type="video_render", payload=RENDER)
        with _app_client(svc) as client:
            until(lambda: ffmpeg_using(work), what="the render's ffmpeg")
            proxy.cut()
            for path in ("/api/v1/projects?page_size=7", f"/api/v1/projects/{pid}/script/parsed"):
                refused = client.get(path)
                assert refused.status_code == 503, refused.text
                assert refused.json()["code"] == 10001 and "database" in refused.json()["message"]
            time.sleep(3)
            proxy.restore()
            assert client.get("/api/v1/projects?page_size=7").status_code == 200
            done = projects.wait_task(svc, user_id=user, task_id=render, timeout=240)
            assert done["status"] == "completed", done
        _exactly_one_video(svc, pid)
    finally:
        stop_worker(worker)
        svc.stop()
        proxy.cut()
    log = (tmp_path / "worker.log").read_text()
    assert "heartbeat failed" in log or "progress not recorded" in log  # the worker did lose the database meanwhile

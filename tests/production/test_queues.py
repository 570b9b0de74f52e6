"""The seed's four queues are real: each task type rides on its own queue; `comicreel worker --queues` consumes only
those; production mode (COMICREEL_EMBEDDED_WORKERS=0) starts no workers in the app, embedded mode one per queue."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jobs.huey_app import QUEUES, queue_names
from jobs.tasks import TASK_QUEUES
from studio import projects
from studio.services import build_services
from tests.conftest import REPO
from tests.production.conftest import start_worker, stop_worker


def test_every_task_type_is_queued_on_its_own_queue(settings) -> None:
    svc = build_services(settings)  # no consumer: what is queued stays visible
    try:
        user = svc.default_user_id
        pid = projects.create_project(svc, user_id=user, name="q")["id"]
        for task_type in TASK_QUEUES:
            projects.start_task(svc, user_id=user, project_id=pid, task_type=task_type)
        assert svc.queues.lengths() == {"image_generation": 1, "tts": 2, "video_render": 2, "nlp": 2}
        assert set(TASK_QUEUES.values()) == set(QUEUES)
    finally:
        svc.stop()


def test_production_mode_starts_no_workers_and_embedded_mode_one_per_queue(settings) -> None:
    production = build_services(settings.model_copy(update={"embedded_workers": 0}))
    production.start_workers()
    try:
        assert production.consumers == [] and production.sweeper is None
    finally:
        production.stop()
    embedded = build_services(settings.model_copy(update={"embedded_workers": 1}))
    embedded.start_workers()
    try:
        assert sorted(c.huey.name for c in embedded.consumers) == sorted(f"comicreel.{q}" for q in QUEUES)
        assert embedded.sweeper is not None
        user = embedded.default_user_id
        pid = projects.create_project(embedded, user_id=user, name="e")["id"]
        projects.save_script(embedded, user_id=user, project_id=pid, content="场景:街道,白天\n阿福: 你好!\n")
        task_id = projects.start_task(embedded, user_id=user, project_id=pid, task_type="nlp")
        assert projects.wait_task(embedded, user_id=user, task_id=task_id, timeout=60)["status"] == "completed"
    finally:
        embedded.stop()


def test_queue_names_are_checked() -> None:
    assert queue_names("nlp, video_render") == ("video_render", "nlp")
    assert queue_names("") == QUEUES
    with pytest.raises(ValueError, match="unknown queue.*gpu.*choose among image_generation"):
        queue_names("gpu,nlp")
    from studio.config import Settings

    with pytest.raises(ValueError, match="unknown queue"):
        Settings(_env_file=None, worker_queues="render")
    done = subprocess.run([sys.executable, "-m", "studio.cli", "worker", "--queues", "render"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "--queues: unknown queue(s) render" in done.stderr


@pytest.mark.services
def test_a_worker_consumes_only_its_queues(settings, pg_database, private_redis, tmp_path) -> None:
    """A CPU worker takes nlp; the image task waits for a GPU-machine worker, which then takes it."""
    shared = settings.model_copy(update={"database_url": pg_database, "redis_url": private_redis.url,
                                         "storage_dir": tmp_path / "objects"})  # fmt: skip
    svc = build_services(shared)
    env = {"COMICREEL_DATABASE_URL": pg_database, "COMICREEL_REDIS_URL": private_redis.url,
           "COMICREEL_STORAGE_DIR": str(tmp_path / "objects"), "COMICREEL_DATA_DIR": str(tmp_path / "worker")}  # fmt: skip
    cpu = start_worker(tmp_path, "cpu", {**env, "COMICREEL_WORKER_QUEUES": "nlp"}, "--concurrency", "1")
    gpu = None
    try:
        user = svc.default_user_id
        pid = projects.create_project(svc, user_id=user, name="w", aspect_ratio="1:1")["id"]
        projects.save_script(svc, user_id=user, project_id=pid, content="场景:街道,白天\n阿福(开心): 早上好!\n")
        for step in ("nlp", "storyboard"):
            task_id = projects.start_task(svc, user_id=user, project_id=pid, task_type=step)
            assert projects.wait_task(svc, user_id=user, task_id=task_id, timeout=90)["status"] == "completed"
        image_task = projects.start_task(svc, user_id=user, project_id=pid, task_type="image_generation")
        waiting = projects.wait_task(svc, user_id=user, task_id=image_task, timeout=3)
        assert waiting["status"] == "queued" and svc.queues.lengths()["image_generation"] == 1
        gpu = start_worker(tmp_path, "gpu", env, "--queues", "image_generation", "--concurrency", "1")
        done = projects.wait_task(svc, user_id=user, task_id=image_task, timeout=90)
        assert done["status"] == "completed", done
    finally:
        for proc in (cpu, gpu):
            if proc is not None:
                stop_worker(proc)
        svc.stop()
    assert "consuming nlp with 1 threads" in (tmp_path / "cpu.log").read_text()
    assert "consuming image_generation with 1 threads" in (tmp_path / "gpu.log").read_text()

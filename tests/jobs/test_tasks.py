"""Task rows move queued -> processing -> completed/failed; failures lose nothing; stale tasks are requeued."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.models import ShotImage, ShotRow, Task
from jobs.huey_app import build_huey
from jobs.tasks import TASK_TYPES, create_task
from studio import projects
from studio.services import build_services

TINY = "场景:街道,傍晚\n角色:小明(男),小红(女)\n小明(紧张): 你好。\n小红(微笑): 你好呀!\n"


@pytest.fixture
def svc(settings):
    services = build_services(settings, immediate=True)
    yield services
    services.stop()


def _project(svc, script: str | None = TINY) -> str:
    pid = projects.create_project(svc, user_id=svc.default_user_id, name="t", aspect_ratio="1:1")["id"]
    if script:
        projects.save_script(svc, user_id=svc.default_user_id, project_id=pid, content=script)
    return pid


def _run(svc, pid: str, task_type: str, payload=None) -> dict:
    task_id = projects.start_task(
        svc, user_id=svc.default_user_id, project_id=pid, task_type=task_type, payload=payload
    )
    return projects.get_task(svc, user_id=svc.default_user_id, task_id=task_id)


def test_each_step_is_a_task_that_completes(svc) -> None:
    pid = _project(svc)
    parsed = _run(svc, pid, "nlp")
    assert (parsed["status"], parsed["progress"], parsed["current_step"]) == ("completed", 100, "completed")
    assert parsed["result"]["total_shots"] == 2
    board = _run(svc, pid, "storyboard")
    assert board["result"]["total_shots"] == 2
    drawn = _run(svc, pid, "image_generation")
    assert drawn["result"] == {"drawn": 2, "total_shots": 2}
    voiced = _run(svc, pid, "tts")
    assert voiced["result"] == {"voiced": 2}
    shots = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)["shots"]
    assert all(s["image_key"] and s["dialogue"]["audio_duration"] > 0.3 for s in shots)
    # Running a step again does no work twice.
    assert _run(svc, pid, "image_generation")["result"]["drawn"] == 0


def test_regenerating_one_shot_keeps_its_history(svc) -> None:
    pid = _project(svc)
    for step in ("nlp", "storyboard", "image_generation"):
        _run(svc, pid, step)
    shot = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)["shots"][0]
    again = _run(
        svc, pid, "image_generation", {"shot_ids": [shot["shot_id"]], "force": True, "prompt_override": "night rain"}
    )
    assert again["result"]["drawn"] == 1
    with svc.sessions() as s:
        images = s.scalars(select(ShotImage).where(ShotImage.shot_id == uuid.UUID(shot["shot_id"]))).all()
        assert len(images) == 2 and sum(i.is_current for i in images) == 1
        current = next(i for i in images if i.is_current)
        first = next(i for i in images if not i.is_current)
        assert current.prompt == "night rain" and s.get(ShotRow, uuid.UUID(shot["shot_id"])).image_key == current.image_key
        assert current.seed != first.seed
        # both panels are kept, and the new one is a different picture
        assert svc.storage.get_bytes(first.image_key) != svc.storage.get_bytes(current.image_key)


def test_bad_input_fails_the_task_with_a_reason(svc) -> None:
    pid = _project(svc, script=None)
    task = _run(svc, pid, "nlp")
    assert task["status"] == "failed" and "no script" in task["error"]
    task = _run(svc, pid, "image_generation")
    assert task["status"] == "failed" and "storyboard" in task["error"]


def test_a_crashing_backend_fails_the_task_and_writes_nothing(svc, monkeypatch) -> None:
    pid = _project(svc)
    _run(svc, pid, "nlp")
    _run(svc, pid, "storyboard")

    def explode(request, out_path):
        raise RuntimeError("GPU fell off")

    monkeypatch.setattr(svc.ctx.image_backend, "draw", explode)
    _run(svc, pid, "image_generation")  # the worker logs the traceback; the Task row says it failed
    with svc.sessions() as s:
        task = s.scalars(select(Task).where(Task.type == "image_generation")).one()
        assert task.status == "failed" and str(task.id) in task.error and task.completed_at is not None
        assert s.scalars(select(ShotImage)).all() == []
    assert svc.storage.list(f"projects/{pid}/images/") == []


def test_a_stale_processing_task_is_requeued_and_finished(svc) -> None:
    pid = _project(svc)
    task_id = projects.start_task(svc, user_id=svc.default_user_id, project_id=pid, task_type="nlp")
    with svc.sessions.begin() as s:  # pretend a worker took it and died long ago
        task = s.get(Task, uuid.UUID(task_id))
        task.status, task.heartbeat_at = "processing", datetime.now(UTC) - timedelta(hours=1)
    svc.tasks.requeue_stale()
    task = projects.get_task(svc, user_id=svc.default_user_id, task_id=task_id)
    assert task["status"] == "completed" and task["retry_count"] == 1


def test_tasks_belong_to_their_owner(svc) -> None:
    from studio.errors import NotFound

    pid = _project(svc)
    task = _run(svc, pid, "nlp")
    with pytest.raises(NotFound):
        projects.get_task(svc, user_id=uuid.uuid4(), task_id=task["task_id"])


def test_huey_backends_from_settings(tmp_path, redis_url) -> None:
    from huey import PriorityRedisHuey, SqliteHuey

    assert isinstance(build_huey(redis_url=None, sqlite_path=tmp_path / "q.db"), SqliteHuey)
    huey = build_huey(redis_url=redis_url, sqlite_path=tmp_path / "unused.db")
    assert isinstance(huey, PriorityRedisHuey)
    huey.flush()

    @huey.task()
    def echo(x):
        return x

    huey.enqueue(echo.s("render", priority=TASK_TYPES["video_render"]))
    huey.enqueue(echo.s("parse", priority=TASK_TYPES["nlp"]))
    first = huey.dequeue()
    assert first.args == ("parse",)  # the interactive parse jumps ahead of the long render
    huey.flush()


def test_unknown_task_type_creates_nothing(svc) -> None:
    with pytest.raises(ValueError, match="unknown task type"):
        create_task(svc.ctx, svc.tasks, user_id=svc.default_user_id, project_id=None, task_type="nope")
    with svc.sessions() as s:
        assert s.scalars(select(Task)).all() == []


def test_a_task_taken_over_by_another_worker_stops_writing(svc) -> None:
    from jobs.progress import TaskReporter, TaskStopped, cancel_tasks, requeue_if_stale

    pid = _project(svc)
    task_id = create_task(svc.ctx, svc.tasks, user_id=svc.default_user_id, project_id=uuid.UUID(pid), task_type="nlp")
    with svc.sessions.begin() as s:  # the immediate run finished it; pretend it is queued again for two workers
        s.get(Task, task_id).status = "queued"
    first = TaskReporter(svc.sessions, task_id, heartbeat_interval=3600)
    assert first.start()
    assert not TaskReporter(svc.sessions, task_id).start()  # a second delivery cannot claim it meanwhile
    with svc.sessions.begin() as s:  # the first worker stalls past the stale timeout and is swept
        s.get(Task, task_id).heartbeat_at = datetime.now(UTC) - timedelta(hours=1)
        assert requeue_if_stale(s, task_id, 60)
    second = TaskReporter(svc.sessions, task_id, heartbeat_interval=3600)
    assert second.start()
    with pytest.raises(TaskStopped, match="taken over"):
        first.progress(0.5, "parsing_script")  # the old worker learns it lost the task, and writes nothing
    first.fail("late failure", will_retry=False)
    second.complete({"ok": True})
    with svc.sessions() as s:
        task = s.get(Task, task_id)
        assert (task.status, task.result, task.error) == ("completed", {"ok": True}, None)
        assert cancel_tasks(s, [task_id]) == 0  # a finished task cannot be cancelled over its result
    for reporter in (first, second):
        reporter.stop_heartbeat()

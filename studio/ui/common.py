"""Helpers every tab shares: turning errors into gr.Error and running a task while showing its progress."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from pipeline.errors import PipelineError
from storage.base import StorageError
from studio import projects
from studio.errors import AppError
from studio.services import Services

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

STEP_LABELS = {
    "queued": "排队中 queued", "starting": "开始 starting", "parsing_script": "解析剧本 parsing",
    "planning_shots": "规划分镜 planning", "generating_images": "绘制画面 drawing panels",
    "generating_voices": "生成配音 voicing", "merging_assets": "整合素材 merging assets",
    "adding_subtitles": "字幕 subtitles", "adding_audio": "混音 mixing audio",
    "rendering_video": "渲染视频 rendering", "uploading": "保存 saving", "retrying": "重试 retrying",
    "cancelled": "已取消 cancelled",
}  # fmt: skip


def ui_errors(fn: F) -> F:
    """The UI's edge: known errors become gr.Error with their message; anything else is logged and reported."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (AppError, PipelineError) as exc:
            raise gr.Error(str(exc)) from exc
        except StorageError as exc:
            logger.warning("studio handler %s: storage failed: %s", fn.__name__, exc)
            raise gr.Error("存储暂不可用,请稍后再试 · File storage is unavailable; try again shortly.") from exc
        except Exception as exc:
            ref = uuid.uuid4().hex[:12]
            logger.exception("studio handler %s failed (ref %s)", fn.__name__, ref)
            raise gr.Error(f"出错了 Unexpected error; the server log has the details (ref {ref}).") from exc

    return wrapper  # type: ignore[return-value]


def require_project(project_id: str | None) -> str:
    if not project_id or not project_id.strip():
        raise gr.Error("先创建或选择一个项目 · Create or pick a project first.")
    try:
        return str(uuid.UUID(project_id.strip()))
    except ValueError:
        raise gr.Error("项目 ID 无效 · That project ID is not valid: pick a project from the list.") from None


def run_and_wait(
    svc: Services, project_id: str, task_type: str, progress: gr.Progress, payload: dict[str, Any] | None = None,
    *, span: tuple[float, float] = (0.0, 1.0),
) -> dict[str, Any]:  # fmt: skip
    """Enqueue a task, show its progress, and return its result; a failed task becomes gr.Error."""
    user = svc.default_user_id
    task_id = projects.start_task(svc, user_id=user, project_id=project_id, task_type=task_type, payload=payload)
    low, high = span

    def report(task: dict[str, Any]) -> None:
        step = task["current_step"] or ""
        progress(low + (high - low) * task["progress"] / 100, desc=STEP_LABELS.get(step, step))

    task = projects.wait_task(svc, user_id=user, task_id=task_id, on_progress=report)
    if task["status"] == "cancelled":
        raise gr.Error("已取消 Cancelled.")
    if task["status"] != "completed":
        reason = (task["error"] or "timed out").splitlines()[0]
        raise gr.Error(f"{task_type} failed: {reason}")
    return task["result"] or {}

"""Helpers every tab shares: who is calling, errors as gr.Error in the user's language, checking the project id, and
running a task while showing its progress."""

from __future__ import annotations

import functools
import inspect
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
from studio.ui.i18n import Lang, localize_error, request_lang, say, step_label

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def lang_of(*args: Any, **kwargs: Any) -> Lang:
    request = next((a for a in (*args, *kwargs.values()) if isinstance(a, gr.Request)), None)
    return request_lang(request)


def ui_errors(fn: F) -> F:
    """The UI's edge: known errors become gr.Error with their message; anything else is logged and reported with a
    reference, in the language of the request (handlers that take `request: gr.Request` get it). Plain functions and
    async generators (handlers that push updates) alike."""

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def pushing(*args: Any, **kwargs: Any) -> Any:
            try:
                async for update in fn(*args, **kwargs):
                    yield update
            except gr.Error:
                raise
            except Exception as exc:
                raise _as_gr_error(fn, exc, lang_of(*args, **kwargs)) from exc

        return pushing  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:
            raise _as_gr_error(fn, exc, lang_of(*args, **kwargs)) from exc

    return wrapper  # type: ignore[return-value]


def _as_gr_error(fn: Callable[..., Any], exc: Exception, lang: Lang) -> gr.Error:
    if isinstance(exc, (AppError, PipelineError)):
        return gr.Error(localize_error(str(exc), lang))
    if isinstance(exc, StorageError):
        logger.warning("studio handler %s: storage failed: %s", fn.__name__, exc)
        return gr.Error(say("msg_storage", lang))
    ref = uuid.uuid4().hex[:12]
    logger.exception("studio handler %s failed (ref %s)", fn.__name__, ref, exc_info=exc)
    return gr.Error(say("msg_unexpected", lang, ref=ref))


def user_of(svc: Services, request: gr.Request | None) -> uuid.UUID:
    """Who calls a studio handler, checked on every call as the REST API checks it: the local creator when auth is
    off, else the holder of the request's access token (`Authorization: Bearer` from gradio_client, the session
    cookie from the browser). Unauthorized, TokenExpired or AccountSuspended otherwise (gr.Error via `ui_errors`)."""
    headers, cookies = (request.headers, request.cookies) if request is not None else ({}, {})
    return svc.identify(headers, cookies).user_id


def require_project(project_id: str | None, lang: Lang = "en") -> str:
    if not project_id or not project_id.strip():
        raise gr.Error(say("msg_pick_project", lang))
    try:
        return str(uuid.UUID(project_id.strip()))
    except ValueError:
        raise gr.Error(say("msg_bad_project", lang)) from None


def run_and_wait(
    svc: Services, user: uuid.UUID, project_id: str, task_type: str, progress: gr.Progress,
    payload: dict[str, Any] | None = None, *, span: tuple[float, float] = (0.0, 1.0), lang: Lang = "en",
) -> dict[str, Any]:  # fmt: skip
    """Enqueue a task for `user`, show its progress, and return its result; a failed or cancelled task becomes
    gr.Error."""
    task_id = projects.start_task(svc, user_id=user, project_id=project_id, task_type=task_type, payload=payload)
    return wait_for(svc, user, task_id, progress, span=span, lang=lang)


def wait_for(
    svc: Services, user: uuid.UUID, task_id: str, progress: gr.Progress | None = None, *,
    span: tuple[float, float] = (0.0, 1.0), lang: Lang = "en",
) -> dict[str, Any]:  # fmt: skip
    """Show the progress of a task `user` started until it ends; return its result, or raise gr.Error in `lang`."""
    low, high = span

    def report(task: dict[str, Any]) -> None:
        if progress is not None:
            progress(low + (high - low) * task["progress"] / 100, desc=step_label(task["current_step"], lang))

    task = projects.wait_task(svc, user_id=user, task_id=task_id, on_progress=report)
    if task["status"] == "cancelled":
        raise gr.Error(say("msg_cancelled", lang))
    if task["status"] != "completed":
        reason = localize_error((task["error"] or "timed out").splitlines()[0], lang)
        raise gr.Error(say("msg_failed", lang, reason=reason))
    return task["result"] or {}


def files_of(svc: Services, keys: list[str | None]) -> list[str]:
    """Stored objects as files Gradio may hand to the browser."""
    return [svc.ui_file(k) for k in keys if k]


# Gradio's gr.render is not safe to run twice at once in one session: each re-render walks the session's blocks while
# the other adds to them ("dictionary changed size during iteration", leaving the tab showing "Error"). A save that
# changes both the cast and the board triggers two renders together, so every gr.render shares one queue slot.
RENDER_QUEUE = {"concurrency_id": "studio-renders", "concurrency_limit": 1}

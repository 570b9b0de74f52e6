"""The studio's editing steps for programs (gradio_client): API-only endpoints with stable names, JSON in and out,
on the same services as the tabs and the REST API, each acting as its caller (`user_of`)."""

from __future__ import annotations

import uuid
from typing import Any

import gradio as gr

from studio import editor, projects, workspace
from studio.services import Services
from studio.ui.common import require_project, ui_errors, user_of, wait_for


def register(svc: Services) -> None:
    @ui_errors
    def open_project(project_id: str, request: gr.Request) -> dict[str, Any]:
        """Everything the studio shows for a project: project, script, versions, parse, characters, storyboard, the
        last video and the running task."""
        return workspace.open_project(svc, user_id=user_of(svc, request), project_id=require_project(project_id))

    @ui_errors
    def update_character(
        project_id: str, character_id: str, changes: dict[str, Any], request: gr.Request
    ) -> dict[str, Any]:
        """Change a character (name, description, attributes, appearance, voice); its panels and lines go stale."""
        return editor.update_character(svc, user_id=user_of(svc, request), project_id=require_project(project_id),
                                       character_id=character_id, changes=changes)  # fmt: skip

    @ui_errors
    def update_shot(project_id: str, shot_id: str, changes: dict[str, Any], request: gr.Request) -> dict[str, Any]:
        """Change a shot (text, scene_description, prompt, camera, emotion, characters, speaker, duration, transition)."""
        return editor.update_shot(svc, user_id=user_of(svc, request), project_id=require_project(project_id),
                                  shot_id=shot_id, changes=changes)  # fmt: skip

    @ui_errors
    def regenerate_shot(
        project_id: str, shot_id: str, prompt_override: str = "", seed: int = -1, request: gr.Request | None = None
    ) -> dict[str, Any]:
        """Draw a new version of one panel (a new seed unless `seed` >= 0); returns the shot."""
        user = user_of(svc, request)  # `request` has a default only because the parameters before it do
        pid = require_project(project_id)
        wait_for(svc, user, editor.regenerate_shot(svc, user_id=user, project_id=pid, shot_id=shot_id,
                                                   prompt_override=prompt_override.strip() or None,
                                                   seed=seed if seed >= 0 else None))  # fmt: skip
        board = projects.get_storyboard(svc, user_id=user, project_id=pid)
        return next(s for s in board["shots"] if s["shot_id"] == str(uuid.UUID(shot_id)))

    @ui_errors
    def list_shot_images(project_id: str, shot_id: str, request: gr.Request) -> list[dict[str, Any]]:
        """Every image the shot has had, oldest first, with seed, prompt and which one is current."""
        return editor.list_shot_images(svc, user_id=user_of(svc, request), project_id=require_project(project_id),
                                       shot_id=shot_id)  # fmt: skip

    @ui_errors
    def select_shot_image(project_id: str, shot_id: str, image_id: str, request: gr.Request) -> dict[str, Any]:
        """Make an earlier image the shot's current panel."""
        return editor.select_shot_image(svc, user_id=user_of(svc, request), project_id=require_project(project_id),
                                        shot_id=shot_id, image_id=image_id)  # fmt: skip

    @ui_errors
    def update_stale(project_id: str, request: gr.Request) -> dict[str, Any]:
        """Redraw the stale panels and revoice the stale lines (only those); returns the storyboard."""
        user = user_of(svc, request)
        pid = require_project(project_id)
        wait_for(svc, user, editor.update_stale(svc, user_id=user, project_id=pid))
        return projects.get_storyboard(svc, user_id=user, project_id=pid)

    @ui_errors
    def cancel_task(task_id: str, request: gr.Request) -> dict[str, Any]:
        """Cancel a queued or running task (a render's ffmpeg is stopped)."""
        return projects.cancel_task(svc, user_id=user_of(svc, request), task_id=task_id)

    for fn in (open_project, update_character, update_shot, regenerate_shot, list_shot_images, select_shot_image,
               update_stale, cancel_task):  # fmt: skip
        gr.api(fn, api_name=fn.__name__)

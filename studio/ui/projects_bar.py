"""The project bar above the tabs: create a project, open one (from the list or `/?project=<id>`), cancel its task,
and the line that shows what is running."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import gradio as gr

from pipeline.models import ASPECT_SIZES, STYLES
from studio import bundle, projects
from studio.services import Services
from studio.ui.common import require_project, ui_errors, user_of
from studio.ui.i18n import request_lang as lang_of
from studio.ui.i18n import say, t


@dataclass
class ProjectBar:
    name: gr.Textbox
    style: gr.Dropdown
    aspect: gr.Radio
    existing: gr.Dropdown
    project_id: gr.Textbox
    open: gr.Button
    status: gr.Markdown
    created: Any  # the create event, for what follows it
    imported: Any  # the import event, likewise


def choices(svc: Services, user: uuid.UUID) -> list[tuple[str, str]]:
    """The caller's projects, for the dropdown (nobody else's)."""
    rows = projects.list_projects(svc, user_id=user, page_size=100)["projects"]
    return [(f"{p['name']} · {p['aspect_ratio']} · {p['status']}", p["id"]) for p in rows]


def build(svc: Services, blocks: gr.Blocks) -> ProjectBar:
    with gr.Row(equal_height=True):
        name = gr.Textbox(label=t("project_name"), value="我的漫画视频", scale=3, min_width=160)
        style = gr.Dropdown(list(STYLES), value="comic", label=t("style"), scale=1, min_width=100)
        aspect = gr.Radio(list(ASPECT_SIZES), value="9:16", label=t("aspect"), scale=2, min_width=160)
        create = gr.Button(t("create"), variant="primary", scale=1, min_width=100)
    with gr.Row(equal_height=True):
        existing = gr.Dropdown(choices=[], label=t("open_project"), scale=3, min_width=160, allow_custom_value=False)
        project_id = gr.Textbox(label=t("project_id"), interactive=True, scale=3, min_width=160)
        open_button = gr.Button(t("open"), scale=1, min_width=80)
        cancel = gr.Button(t("cancel_task"), variant="stop", scale=1, min_width=100)
        upload = gr.UploadButton(t("import_bundle"), file_types=[".zip"], scale=1, min_width=120,
                                 elem_id="import-bundle")  # fmt: skip
    status = gr.Markdown(elem_id="project-status")

    @ui_errors
    def create_project(name_value: str, style_value: str, aspect_value: str, request: gr.Request) -> tuple:
        user = user_of(svc, request)
        project = projects.create_project(svc, user_id=user, name=name_value, style=style_value,
                                          aspect_ratio=aspect_value)  # fmt: skip
        message = say("msg_created", lang_of(request), name=project["name"], aspect=project["aspect_ratio"])
        return project["id"], message, gr.update(choices=choices(svc, user), value=project["id"])

    @ui_errors
    def import_project(path: str, request: gr.Request) -> tuple:
        """A project bundle (exported from the Export tab, here or on another machine) becomes a new project."""
        user = user_of(svc, request)
        pid = bundle.import_bundle(svc, user_id=user, data=path)
        project = projects.get_project(svc, user_id=user, project_id=pid)
        message = say("msg_imported", lang_of(request), name=project["name"])
        return pid, message, gr.update(choices=choices(svc, user), value=pid)

    @ui_errors
    def cancel_tasks(pid: str, request: gr.Request) -> str:
        lang = lang_of(request)
        count = projects.cancel_project_tasks(svc, user_id=user_of(svc, request), project_id=require_project(pid, lang))
        return say("msg_cancelled_n", lang, count=count) if count else say("msg_nothing_running", lang)

    @ui_errors
    def refresh(request: gr.Request) -> dict:
        return gr.update(choices=choices(svc, user_of(svc, request)))

    created = create.click(create_project, [name, style, aspect], [project_id, status, existing],
                           api_name="create_project")  # fmt: skip
    imported = upload.upload(import_project, upload, [project_id, status, existing], api_name="import_project")
    cancel.click(cancel_tasks, project_id, status, api_name="cancel_tasks")
    existing.focus(refresh, None, existing, api_visibility="private")
    blocks.load(refresh, None, existing, api_visibility="private")
    return ProjectBar(name, style, aspect, existing, project_id, open_button, status, created, imported)

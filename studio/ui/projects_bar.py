"""The project bar above the tabs: create a project or pick an existing one."""

from __future__ import annotations

import gradio as gr

from pipeline.models import ASPECT_SIZES, STYLES
from studio import projects
from studio.services import Services
from studio.ui.common import require_project, ui_errors


def _choices(svc: Services) -> list[tuple[str, str]]:
    rows = projects.list_projects(svc, user_id=svc.default_user_id, page_size=100)["projects"]
    return [(f"{p['name']} · {p['aspect_ratio']} · {p['status']}", p["id"]) for p in rows]


def build(svc: Services, blocks: gr.Blocks) -> gr.Textbox:
    with gr.Row(equal_height=True):
        name = gr.Textbox(label="项目名称 Project name", value="我的漫画视频", scale=3)
        style = gr.Dropdown(list(STYLES), value="comic", label="风格 Style", scale=1)
        aspect = gr.Radio(list(ASPECT_SIZES), value="9:16", label="画幅 Aspect ratio", scale=2)
        create = gr.Button("新建项目 Create", variant="primary", scale=1)
    with gr.Row(equal_height=True):
        existing = gr.Dropdown(choices=[], label="打开项目 Open project", scale=3, allow_custom_value=False)
        project_id = gr.Textbox(label="项目 ID Project ID", interactive=True, scale=3)
        cancel = gr.Button("取消任务 Cancel running task", variant="stop", scale=1)
        status = gr.Markdown()

    @ui_errors
    def create_project(name_value: str, style_value: str, aspect_value: str) -> tuple[str, str, dict]:
        project = projects.create_project(svc, user_id=svc.default_user_id, name=name_value, style=style_value,
                                          aspect_ratio=aspect_value)  # fmt: skip
        return (
            project["id"],
            f"已创建 Created **{project['name']}** ({project['aspect_ratio']})",
            gr.update(choices=_choices(svc), value=project["id"]),
        )

    @ui_errors
    def cancel_tasks(pid: str) -> str:
        count = projects.cancel_project_tasks(svc, user_id=svc.default_user_id, project_id=require_project(pid))
        return f"已取消 Cancelled {count} 个任务 task(s)" if count else "没有运行中的任务 · Nothing is running."

    @ui_errors
    def refresh() -> dict:
        return gr.update(choices=_choices(svc))

    create.click(create_project, [name, style, aspect], [project_id, status, existing], api_name="create_project")
    cancel.click(cancel_tasks, project_id, status, api_name="cancel_tasks")
    existing.select(lambda pid: pid, existing, project_id, api_visibility="private")
    existing.focus(refresh, None, existing, api_visibility="private")
    blocks.load(refresh, None, existing, api_visibility="private")
    return project_id

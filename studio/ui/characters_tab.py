"""Characters tab: the cast the parser found, with attributes and appearance used for drawing and voices."""

from __future__ import annotations

import gradio as gr

from studio import projects
from studio.services import Services
from studio.ui.common import require_project, ui_errors

COLUMNS = ["名字 Name", "性别 Gender", "身份 Role", "年龄 Age", "发型 Hair", "服装 Clothing", "特征 Features"]


def build(svc: Services, project_id: gr.Textbox) -> None:
    refresh = gr.Button("刷新角色 Refresh characters")
    table = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True)

    @ui_errors
    def list_characters(pid: str) -> list[list[str]]:
        rows = projects.list_characters(svc, user_id=svc.default_user_id, project_id=require_project(pid))
        return [
            [c["name"], c["attributes"].get("gender", ""), c["attributes"].get("role", ""), c["attributes"].get("age", ""),
             c["appearance"].get("hair", ""), c["appearance"].get("clothing", ""), ", ".join(c["appearance"].get("features", []))]
            for c in rows
        ]  # fmt: skip

    refresh.click(list_characters, project_id, table, api_name="list_characters")

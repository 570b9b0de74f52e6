"""Script tab: paste or upload a script, save it, parse it into scenes, shots and characters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from pipeline.parse import FORMATS, decode_script
from studio import projects
from studio.services import Services
from studio.ui.common import require_project, run_and_wait, ui_errors

EXAMPLE = """场景:现代都市街道,傍晚
角色:小明(男,高中生,黑色短发,戴眼镜),小红(女,高中生,马尾辫,红色围巾)

旁白: 放学后的街道上,路灯一盏一盏亮了起来。
小明(紧张): 那个...我有话想对你说。
小红(疑惑): 嗯?怎么了,突然这么认真。
"""


def build(svc: Services, project_id: gr.Textbox) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            content = gr.Textbox(
                label="剧本 Script (剧本格式 / Markdown / Fountain)", value=EXAMPLE, lines=16, max_lines=40
            )
            upload = gr.File(
                label="上传剧本 Upload (.txt .md .fountain)", file_types=[".txt", ".md", ".fountain"], type="filepath"
            )
            with gr.Row():
                fmt = gr.Dropdown(["auto", *FORMATS], value="auto", label="格式 Format")
                save = gr.Button("保存 Save")
                parse = gr.Button("保存并解析 Save & parse", variant="primary")
        with gr.Column(scale=2):
            summary = gr.Markdown()
            parsed = gr.JSON(label="解析结果 Parsed script")

    @ui_errors
    def load_file(path: str | None) -> str:
        if not path:
            return gr.skip()
        return decode_script(Path(path).read_bytes())

    @ui_errors
    def save_script(pid: str, text: str, fmt_value: str) -> str:
        saved = projects.save_script(svc, user_id=svc.default_user_id, project_id=require_project(pid), content=text,
                                     format=None if fmt_value == "auto" else fmt_value)  # fmt: skip
        return f"已保存 Saved v{saved['version']} · {saved['format']} · {saved['word_count']} 字/words · ≈{saved['estimated_duration']}s"

    @ui_errors
    def parse_script(
        pid: str, text: str, fmt_value: str, progress: gr.Progress = gr.Progress()
    ) -> tuple[str, dict[str, Any]]:
        note = save_script(pid, text, fmt_value)
        result = run_and_wait(svc, pid, "nlp", progress)
        data = projects.get_parsed(svc, user_id=svc.default_user_id, project_id=pid)
        md = (f"{note}\n\n解析完成 Parsed: **{result['total_scenes']}** 场景 scenes · **{result['total_shots']}** 镜头 shots · "
              f"≈{result['estimated_duration']}s · 角色 characters: {', '.join(result['characters']) or '—'}")  # fmt: skip
        return md, data

    upload.upload(load_file, upload, content, api_visibility="private")
    save.click(save_script, [project_id, content, fmt], summary, api_name="save_script")
    parse.click(parse_script, [project_id, content, fmt], [summary, parsed], api_name="parse_script")

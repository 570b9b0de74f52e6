"""Storyboard tab: plan the shots and draw every panel; the grid shows each panel with its line."""

from __future__ import annotations

import gradio as gr

from studio import projects
from studio.services import Services
from studio.ui.common import require_project, run_and_wait, ui_errors


def storyboard_gallery(svc: Services, pid: str) -> list[tuple[str, str]]:
    board = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)
    items = []
    for shot in board["shots"]:
        if shot["image_key"]:
            who = f"{shot['dialogue']['character']}: " if shot["dialogue"] and shot["dialogue"]["character"] else ""
            caption = f"#{shot['order']} · {shot['type']} · {shot['duration']}s — {who}{shot['text']}"
            items.append((svc.ui_file(shot["image_key"]), caption))
    return items


def build(svc: Services, project_id: gr.Textbox) -> None:
    with gr.Row():
        generate = gr.Button("生成分镜与画面 Generate storyboard & panels", variant="primary")
        refresh = gr.Button("刷新 Refresh")
    summary = gr.Markdown()
    gallery = gr.Gallery(label="分镜 Storyboard", columns=4, object_fit="contain", height="auto")

    @ui_errors
    def generate_storyboard(pid: str, progress: gr.Progress = gr.Progress()) -> tuple[str, list[tuple[str, str]]]:
        pid = require_project(pid)
        planned = run_and_wait(svc, pid, "storyboard", progress, span=(0.0, 0.1))
        run_and_wait(svc, pid, "image_generation", progress, span=(0.1, 1.0))
        return f"**{planned['total_shots']}** 镜头 shots · ≈{planned['duration']}s", storyboard_gallery(svc, pid)

    @ui_errors
    def show_storyboard(pid: str) -> list[tuple[str, str]]:
        return storyboard_gallery(svc, require_project(pid))

    generate.click(generate_storyboard, project_id, [summary, gallery], api_name="generate_storyboard")
    refresh.click(show_storyboard, project_id, gallery, api_name="get_storyboard")

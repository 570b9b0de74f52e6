"""The Gradio studio: one Blocks composed from one file per tab; every step has an api_name."""

from __future__ import annotations

import gradio as gr

from studio.services import Services
from studio.ui import audio_tab, characters_tab, export_tab, projects_bar, script_tab, storyboard_tab


def build_blocks(svc: Services) -> gr.Blocks:
    with gr.Blocks(title="ComicReel · 漫画视频工作室") as blocks:
        gr.Markdown(
            "# ComicReel · 漫画视频工作室\n剧本 → 分镜 → 画面 → 配音 → 视频 · Script → storyboard → panels → voices → MP4"
        )
        project_id = projects_bar.build(svc, blocks)
        with gr.Tabs():
            with gr.Tab("剧本 Script"):
                script_tab.build(svc, project_id)
            with gr.Tab("角色 Characters"):
                characters_tab.build(svc, project_id)
            with gr.Tab("分镜 Storyboard"):
                storyboard_tab.build(svc, project_id)
            with gr.Tab("音频 Audio"):
                audio_tab.build(svc, project_id)
            with gr.Tab("导出 Export"):
                export_tab.build(svc, project_id)
    blocks.queue(default_concurrency_limit=4)
    return blocks

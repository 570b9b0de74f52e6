"""Export tab: render the MP4 (drawing and voicing whatever is missing), play it and download it."""

from __future__ import annotations

import gradio as gr

from studio.services import Services
from studio.ui.common import require_project, run_and_wait, ui_errors


def build(svc: Services, project_id: gr.Textbox) -> None:
    render = gr.Button("渲染视频 Render video", variant="primary")
    summary = gr.Markdown()
    with gr.Row():
        video = gr.Video(label="视频 Video", interactive=False)
        files = gr.File(label="下载 Download (MP4 + SRT)", file_count="multiple", interactive=False)

    @ui_errors
    def render_final(pid: str, progress: gr.Progress = gr.Progress()) -> tuple[str, str, list[str]]:
        pid = require_project(pid)
        result = run_and_wait(svc, pid, "video_render", progress, payload={"settings": {"type": "final"}})
        mp4 = svc.ui_file(result["video_key"])
        srt = svc.ui_file(result["subtitles_key"])
        md = f"完成 Done: {result['width']}x{result['height']} · {result['duration']}s · {result['file_size'] / 1e6:.1f} MB"
        return md, mp4, [mp4, srt]

    render.click(render_final, project_id, [summary, video, files], api_name="render_final")

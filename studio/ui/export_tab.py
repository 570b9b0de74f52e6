"""Export tab: the last video as soon as the project opens; render with progress (cancel from the project bar),
play and download."""

from __future__ import annotations

from typing import Any

import gradio as gr

from pipeline.models import RESOLUTIONS
from studio.services import Services
from studio.ui.common import files_of, require_project, run_and_wait, ui_errors
from studio.ui.i18n import Lang, say, t
from studio.ui.i18n import request_lang as lang_of


def video_summary(video: dict[str, Any] | None, lang: Lang) -> str:
    if not video:
        return say("msg_no_video", lang)
    width, _, height = video["resolution"].partition("x")
    return say("msg_rendered", lang, width=width, height=height, seconds=video["duration"],
               mb=f"{(video['file_size'] or 0) / 1e6:.1f}")  # fmt: skip


class ExportTab:
    def __init__(self, svc: Services, project_id: gr.Textbox) -> None:
        with gr.Row(equal_height=True):
            render = gr.Button(t("render"), variant="primary", min_width=140, elem_id="render-video")
            resolution = gr.Radio(list(RESOLUTIONS), value="1080p", label=t("resolution"), min_width=160)
        self.summary = gr.Markdown(elem_id="export-summary")
        with gr.Row():
            self.video = gr.Video(label=t("video_player"), interactive=False, elem_id="export-video", min_width=280)
            self.files = gr.File(label=t("downloads"), file_count="multiple", interactive=False, min_width=200,
                                 elem_id="export-files")  # fmt: skip
        self.outputs = [self.summary, self.video, self.files]

        @ui_errors
        def render_final(pid: str, resolution_v: str, request: gr.Request,
                         progress: gr.Progress = gr.Progress()) -> tuple:  # fmt: skip
            lang = lang_of(request)
            pid = require_project(pid, lang)
            result = run_and_wait(svc, pid, "video_render", progress,
                                  {"settings": {"type": "final", "resolution": resolution_v or "1080p"}}, lang=lang)  # fmt: skip
            mp4, srt = files_of(svc, [result["video_key"], result["subtitles_key"]])
            md = say("msg_rendered", lang, width=result["width"], height=result["height"], seconds=result["duration"],
                     mb=f"{result['file_size'] / 1e6:.1f}")  # fmt: skip
            return md, mp4, [mp4, srt]

        self.svc = svc
        render.click(render_final, [project_id, resolution], [self.summary, self.video, self.files],
                     api_name="render_final")  # fmt: skip

    def show(self, snapshot: dict[str, Any], lang: Lang) -> list[Any]:
        video = snapshot["video"]
        if not video:
            return [video_summary(None, lang), None, None]
        files = files_of(self.svc, [video["video_key"], video.get("subtitles_key")])
        return [video_summary(video, lang), files[0], files]

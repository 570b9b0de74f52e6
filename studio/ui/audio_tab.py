"""Audio tab: voice every dialogue and narration line, and listen to the clips."""

from __future__ import annotations

import gradio as gr

from studio import projects
from studio.services import Services
from studio.ui.common import require_project, run_and_wait, ui_errors


def build(svc: Services, project_id: gr.Textbox) -> None:
    voice = gr.Button("生成配音 Voice all lines", variant="primary")
    summary = gr.Markdown()
    table = gr.Dataframe(headers=["#", "角色 Who", "台词 Line", "秒 Seconds"], interactive=False, wrap=True)

    @ui_errors
    def voice_dialogue(pid: str, progress: gr.Progress = gr.Progress()) -> tuple[str, list[list[object]]]:
        pid = require_project(pid)
        result = run_and_wait(svc, pid, "tts", progress)
        shots = projects.get_storyboard(svc, user_id=svc.default_user_id, project_id=pid)["shots"]
        rows = [[s["order"], s["dialogue"]["character"] or "旁白 narrator", s["text"], s["dialogue"]["audio_duration"]]
                for s in shots if s["dialogue"]]  # fmt: skip
        return f"新配音 Newly voiced: **{result['voiced']}** · 共 total {len(rows)}", rows

    voice.click(voice_dialogue, project_id, [summary, table], api_name="voice_dialogue")

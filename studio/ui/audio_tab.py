"""Audio tab: every voiced line with its player, voice and length, and a button to voice it again; the voices follow
the character cards."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from studio import editor, workspace
from studio.services import Services
from studio.ui.common import require_project, run_and_wait, ui_errors, wait_for
from studio.ui.i18n import request_lang as lang_of
from studio.ui.i18n import say, t


class AudioTab:
    def __init__(self, svc: Services, project_id: gr.Textbox, board: gr.State) -> None:
        user = svc.default_user_id
        voice = gr.Button(t("voice_all"), variant="primary", elem_id="voice-all")
        self.summary = gr.Markdown()
        self.outputs: list[Any] = []

        @ui_errors
        def voice_dialogue(pid: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple:
            lang = lang_of(request)
            pid = require_project(pid, lang)
            result = run_and_wait(svc, pid, "tts", progress, lang=lang)
            board_value = workspace.storyboard(svc, user_id=user, project_id=pid)
            rows = [[s["order"], s["dialogue"]["character"] or "旁白 narrator", s["text"], s["dialogue"]["audio_duration"]]
                    for s in (board_value or {}).get("shots", []) if s["dialogue"]]  # fmt: skip
            return say("msg_voiced", lang, count=result["voiced"], total=len(rows)), rows, board_value

        table = gr.Dataframe(headers=["#", "Who", "Line", "Seconds"], interactive=False, wrap=True, visible=False)
        voice.click(voice_dialogue, project_id, [self.summary, table, board], api_name="voice_dialogue")

        @gr.render(inputs=[board, project_id], triggers=[board.change])
        def lines(board_value: dict[str, Any] | None, pid: str) -> None:
            voiced = [s for s in (board_value or {}).get("shots", []) if s.get("dialogue")]
            if not voiced:
                gr.Markdown(t("no_lines"))
                return
            for shot in voiced:
                line = shot["dialogue"]
                who = line.get("character") or "旁白 · narrator"
                seconds = f"{line['audio_duration']:.2f}s" if line.get("audio_duration") else "—"
                stale = " · ！" if shot.get("voice_stale") else ""
                with gr.Row(equal_height=True, elem_classes=["voice-line"]):
                    gr.Markdown(f"**#{shot['order']} {who}** ({line.get('emotion') or '—'}) · {seconds}{stale}\n\n"
                                f"{shot['text']}")  # fmt: skip
                    gr.HTML(player(line.get("audio_url")), min_width=200, elem_classes=["voice-player"])
                    again = gr.Button(t("revoice"), size="sm", min_width=90)
                again.click(_revoicer(svc, shot["shot_id"]), project_id, board, api_visibility="private")


def player(url: str | None) -> str:
    """The browser's own compact player on the line's signed URL (a page of lines stays light; any storage works)."""
    if not url:
        return "—"
    return f'<audio controls preload="metadata" src="{html.escape(url)}" style="width:100%"></audio>'


def _revoicer(svc: Services, shot_id: str):  # type: ignore[no-untyped-def]
    @ui_errors
    def revoice(pid: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> dict[str, Any] | None:
        lang = lang_of(request)
        pid = require_project(pid, lang)
        task_id = editor.revoice_shot(svc, user_id=svc.default_user_id, project_id=pid, shot_id=shot_id)
        wait_for(svc, task_id, progress, lang=lang)
        return workspace.storyboard(svc, user_id=svc.default_user_id, project_id=pid)

    return revoice

"""Audio tab: every voiced line with its player, voice and length, and a button to voice it again (the voices follow
the character cards); the project's music and the sound effects of its shots."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from assets_library import MOODS
from studio import audio, editor, workspace
from studio.services import Services
from studio.ui.common import RENDER_QUEUE, require_project, run_and_wait, ui_errors, user_of, wait_for
from studio.ui.i18n import Lang, say, t
from studio.ui.i18n import request_lang as lang_of


class AudioTab:
    def __init__(self, svc: Services, project_id: gr.Textbox, board: gr.State) -> None:
        voice = gr.Button(t("voice_all"), variant="primary", elem_id="voice-all")
        self.summary = gr.Markdown()
        self.outputs: list[Any] = []

        @ui_errors
        def voice_dialogue(pid: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            result = run_and_wait(svc, user, pid, "tts", progress, lang=lang)
            board_value = workspace.storyboard(svc, user_id=user, project_id=pid)
            rows = [[s["order"], s["dialogue"]["character"] or "旁白 narrator", s["text"], s["dialogue"]["audio_duration"]]
                    for s in (board_value or {}).get("shots", []) if s["dialogue"]]  # fmt: skip
            message = say("msg_voiced", lang, count=result["voiced"], total=len(rows))
            if fallbacks := result.get("fallbacks"):  # lines the chosen engine could not voice: said, not hidden
                lines = "; ".join(f"#{f['order']} ({f['reason']})" for f in fallbacks)
                message += "\n\n" + say("msg_voice_fallbacks", lang, engine=fallbacks[0]["engine"], lines=lines)
            return message, rows, board_value

        table = gr.Dataframe(headers=["#", "Who", "Line", "Seconds"], interactive=False, wrap=True, visible=False)
        voice.click(voice_dialogue, project_id, [self.summary, table, board], api_name="voice_dialogue")

        @gr.render(inputs=[board, project_id], triggers=[board.change], **RENDER_QUEUE)
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

        MusicAndEffects(svc, project_id, board)


def player(url: str | None) -> str:
    """The browser's own compact player on the line's signed URL (a page of lines stays light; any storage works)."""
    if not url:
        return "—"
    return f'<audio controls preload="metadata" src="{html.escape(url)}" style="width:100%"></audio>'


def _revoicer(svc: Services, shot_id: str):  # type: ignore[no-untyped-def]
    @ui_errors
    def revoice(pid: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> dict[str, Any] | None:
        lang, user = lang_of(request), user_of(svc, request)
        pid = require_project(pid, lang)
        task_id = editor.revoice_shot(svc, user_id=user, project_id=pid, shot_id=shot_id)
        wait_for(svc, user, task_id, progress, lang=lang)
        return workspace.storyboard(svc, user_id=user, project_id=pid)

    return revoice


class MusicAndEffects:
    """The project's music (browse by mood with a player, recommend, set with volume and fades) and sound effects
    (browse the library, add one to a shot), with the script cues no effect matches shown as warnings."""

    def __init__(self, svc: Services, project_id: gr.Textbox, board: gr.State) -> None:
        moods = [(t("all"), ""), *((m, m) for m in MOODS)]
        gr.Markdown(t("music_heading"))
        with gr.Row(equal_height=True):
            category = gr.Dropdown(moods, value="", label=t("music_mood"), min_width=140)
            page = gr.Number(1, precision=0, minimum=1, label=t("page"), min_width=90)
            browse = gr.Button(t("browse_music"), min_width=120)
            recommend = gr.Button(t("recommend_music"), min_width=120)
        tracks = gr.HTML(elem_id="music-library")
        with gr.Row(equal_height=True):
            track = gr.Dropdown([], label=t("music_track"), allow_custom_value=True, min_width=220)
            volume = gr.Slider(0, 1, value=0.5, step=0.05, label=t("music_volume"), min_width=140)
            start = gr.Number(0, minimum=0, label=t("music_start"), min_width=90)
            fade_in = gr.Number(0, minimum=0, maximum=60, label=t("fade_in"), min_width=90)
            fade_out = gr.Number(0, minimum=0, maximum=60, label=t("fade_out"), min_width=90)
        set_music = gr.Button(t("set_music"), variant="primary")
        gr.Markdown(t("effects_heading"))
        with gr.Row(equal_height=True):
            effect_category = gr.Dropdown([(t("all"), ""), *((c, c) for c in audio.EFFECT_CATEGORIES)], value="",
                                          label=t("effect_category"), min_width=140)  # fmt: skip
            browse_effects = gr.Button(t("browse_effects"), min_width=120)
        effects = gr.HTML(elem_id="effect-library")
        with gr.Row(equal_height=True):
            shot = gr.Dropdown([], label=t("effect_shot"), allow_custom_value=True, min_width=200)
            effect = gr.Dropdown([], label=t("effect_pick"), allow_custom_value=True, min_width=200)
            effect_volume = gr.Slider(0, 2, value=1.0, step=0.05, label=t("effect_volume"), min_width=140)
            offset = gr.Number(0, minimum=0, label=t("effect_offset"), min_width=90)
        add = gr.Button(t("add_effect"), variant="primary")
        summary = gr.Markdown(elem_id="project-audio")

        @ui_errors
        def list_bgm(mood: str, page_number: float) -> tuple:
            found = audio.list_bgm(svc, category=mood or None, page=max(1, int(page_number or 1)))
            rows = found["bgm_list"]
            return _library_table(rows), gr.update(choices=[(_track_label(r), r["id"]) for r in rows])

        @ui_errors
        def recommend_bgm(pid: str, request: gr.Request) -> tuple:
            lang = lang_of(request)
            found = audio.recommend_bgm(svc, user_id=user_of(svc, request), project_id=require_project(pid, lang))
            picks = found["recommendations"]
            choices = [(f"{_track_label(p)} · {p['score']:.2f}", p["bgm_id"]) for p in picks]
            return _library_table(picks), gr.update(choices=choices, value=picks[0]["bgm_id"] if picks else None)

        @ui_errors
        def set_bgm(pid: str, bgm_id: str | None, gain: float, at: float, fade_up: float, fade_down: float,
                    request: gr.Request) -> str:  # fmt: skip
            lang = lang_of(request)
            found = audio.set_project_bgm(svc, user_id=user_of(svc, request), project_id=require_project(pid, lang),
                                          bgm_id=bgm_id or None, volume=float(gain), start_time=float(at or 0),
                                          fade_in=float(fade_up or 0), fade_out=float(fade_down or 0))  # fmt: skip
            return _audio_summary(found, lang)

        @ui_errors
        def list_effects(group: str) -> tuple:
            rows = audio.list_sound_effects(svc, category=group or None)["sound_effects"]
            return _library_table(rows), gr.update(choices=[(_track_label(r), r["key"]) for r in rows])

        @ui_errors
        def add_effect(pid: str, shot_id: str | None, effect_key: str | None, gain: float, at: float,
                       request: gr.Request) -> str:  # fmt: skip
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            if not shot_id or not effect_key:
                raise gr.Error(say("msg_pick_shot_effect", lang))
            audio.add_shot_effects(svc, user_id=user, project_id=pid, shot_id=shot_id, effect_ids=[effect_key],
                                   volume=float(gain), offset=float(at or 0))  # fmt: skip
            return _audio_summary(audio.get_project_audio(svc, user_id=user, project_id=pid), lang)

        @ui_errors
        def show_audio(pid: str, board_value: dict[str, Any] | None, request: gr.Request) -> tuple:
            lang = lang_of(request)
            if not pid:
                return gr.update(choices=[]), ""
            # Read (and owner-checked) even without a storyboard: as an API step it is called with none.
            found = audio.get_project_audio(svc, user_id=user_of(svc, request), project_id=require_project(pid, lang))
            shots = [(f"#{s['order']} {s['text'][:24]}", s["shot_id"]) for s in (board_value or {}).get("shots", [])]
            return gr.update(choices=shots), _audio_summary(found, lang)

        browse.click(list_bgm, [category, page], [tracks, track], api_name="list_bgm")
        recommend.click(recommend_bgm, project_id, [tracks, track], api_name="recommend_bgm")
        set_music.click(set_bgm, [project_id, track, volume, start, fade_in, fade_out], summary, api_name="set_bgm")
        browse_effects.click(list_effects, effect_category, [effects, effect], api_name="list_sound_effects")
        add.click(add_effect, [project_id, shot, effect, effect_volume, offset], summary, api_name="add_sound_effect")
        board.change(show_audio, [project_id, board], [shot, summary], api_name="project_audio")


def _track_label(row: dict[str, Any]) -> str:
    return f"{row['name']} · {row['name_en']} ({row['category']}, {float(row['duration']):.0f}s)"


def _library_table(rows: list[dict[str, Any]]) -> str:
    """Tracks or effects with the browser's own player on each (the files come from /library/audio/...)."""
    if not rows:
        return "—"
    lines = "".join(
        f"<tr><td>{html.escape(r['name'])}<br><small>{html.escape(r['name_en'])}</small></td>"
        f"<td>{html.escape(str(r['category']))}</td><td>{float(r['duration']):.1f}s"
        + (f" · {r['score']:.2f}" if "score" in r else "") + f"</td><td>{player(r['url'])}</td></tr>"
        for r in rows
    )  # fmt: skip
    return f'<table style="width:100%">{lines}</table>'


def _audio_summary(found: dict[str, Any], lang: Lang) -> str:
    """The project's music, the effects on each shot, and warnings for script cues nothing matches."""
    music = found["bgm"]
    out = [say("msg_music_set", lang, name=music["name"], volume=music["volume"], fade_in=music["fade_in"],
               fade_out=music["fade_out"]) if music else say("msg_no_music", lang)]  # fmt: skip
    for shot in found["shots"]:
        if shot["sound_effects"]:
            names = ", ".join(f"{e['name']}{'' if e['matched'] else ' ⚠'}" for e in shot["sound_effects"])
            out.append(f"- #{shot['order']}: {names}")
    out += [say("msg_unmatched_cue", lang, order=w["order"], cue=w["cue"]) for w in found["warnings"]]
    return "\n".join(out)

"""Storyboard tab: plan the shots and draw the panels (the project's character lock and panel quality chosen here);
the grid shows each panel with its order, camera, duration, speaker, line, status (stale ones marked) and consistency
scores (low ones marked); picking a shot opens its editor — edit, regenerate with a new or fixed
seed, pick any earlier version, insert, delete, move."""

from __future__ import annotations

import uuid
from typing import Any

import gradio as gr

from pipeline.image.diffusion import CharacterScore, passes
from pipeline.models import CAMERAS, TRANSITIONS
from pipeline.shot_requests import LOCK_KEY, LOCKS, QUALITIES, QUALITY_KEY, SCENE_REFERENCE_KEY
from studio import editor, projects, workspace
from studio.services import Services
from studio.ui.common import require_project, run_and_wait, ui_errors, user_of, wait_for
from studio.ui.i18n import Lang, say, t
from studio.ui.i18n import request_lang as lang_of


def shot_caption(shot: dict[str, Any], lang: Lang, threshold: float | None = None) -> str:
    who = shot["dialogue"]["character"] if shot.get("dialogue") and shot["dialogue"].get("character") else ""
    flags = []
    if shot.get("image_stale") or shot.get("voice_stale"):
        flags.append("！" + say("stale", lang))
    if not shot.get("image_key"):
        flags.append(say("no_panel", lang))
    head = f"#{shot['order']} · {shot['type']} · {shot['duration']:.1f}s" + (f" · {' '.join(flags)}" if flags else "")
    scores = consistency_line(shot, lang, threshold)
    return f"{head}\n{who + ': ' if who else ''}{shot['text']}" + (f"\n{scores}" if scores else "")


def consistency_line(shot: dict[str, Any], lang: Lang, threshold: float | None) -> str:
    """One line per measured character: its similarity to its reference (ref), to its other panels (shots) and its
    copy-paste score (copy), each left out when there is nothing to compare with; marked low, and why, when the
    character fails `passes` (under `threshold`, or a near copy of its reference — copies are marked even without a
    threshold). Empty when the panel was not measured."""
    scores = (shot.get("generation_params") or {}).get("consistency") or {}
    floor = float("-inf") if threshold is None else threshold
    lines = []
    for name, stored in scores.items():
        score = CharacterScore(stored.get("reference"), stored.get("others"), stored.get("copy_paste"))
        values = [say(key, lang, value=f"{value:.2f}") for key, value in (
            ("score_reference", score.reference), ("score_others", score.others), ("score_copy", score.copy_paste))
            if value is not None]  # fmt: skip
        if not values:
            continue
        low = ""
        if not passes(score, floor):  # the similarity first, as `passes` checks it; else the shot is a near copy
            unlike = not passes(CharacterScore(score.reference, score.others, None), floor)
            why = say("consistency_unlike" if unlike else "consistency_copy", lang)
            low = f" ！{say('consistency_low', lang, why=why)}"
        lines.append(f"{name}: {' · '.join(values)}{low}")
    return "\n".join(lines)


def editor_heading(shot: dict[str, Any]) -> str:
    return f"### #{shot['order']} · {shot['kind']}"


def stale_summary(board: dict[str, Any] | None, lang: Lang, measured: bool = True) -> str:
    """Shots, length and what is stale; with `measured` False (no consistency model), that nothing is measured."""
    if not board:
        return ""
    images = sum(1 for s in board["shots"] if s.get("image_stale") or not s.get("image_key"))
    voices = sum(1 for s in board["shots"] if s.get("voice_stale"))
    total = sum(s["duration"] for s in board["shots"])
    head = say("msg_planned", lang, shots=len(board["shots"]), seconds=round(total, 1))
    stale = f" · ！{say('msg_stale_count', lang, images=images, voices=voices)}" if images or voices else ""
    return head + stale + ("" if measured else f" · {say('msg_not_measured', lang)}")


class StoryboardTab:
    def __init__(self, svc: Services, project_id: gr.Textbox, characters: gr.State, board: gr.State) -> None:
        self.svc = svc
        with gr.Row():
            generate = gr.Button(t("generate_storyboard"), variant="primary", min_width=160, elem_id="generate-board")
            update_stale = gr.Button(t("update_stale"), min_width=160, elem_id="update-stale")
            refresh = gr.Button(t("refresh"), min_width=80)
        with gr.Row():
            self.lock = gr.Dropdown(list(LOCKS), value="none", label=t("character_lock"), info=t("character_lock_info"),
                                    min_width=200, elem_id="character-lock")  # fmt: skip
            self.scene = gr.Checkbox(value=False, label=t("scene_reference"), info=t("scene_reference_info"),
                                     min_width=200, elem_id="scene-reference")  # fmt: skip
            self.quality = gr.Dropdown(list(QUALITIES), value="final", label=t("image_quality"),
                                       info=t("image_quality_info"), min_width=160, elem_id="image-quality")
        self.summary = gr.Markdown(elem_id="board-summary")
        self.gallery = gr.Gallery(label=t("storyboard"), columns=4, object_fit="contain", height="auto",
                                  allow_preview=False, elem_id="storyboard-grid")  # fmt: skip
        selected = gr.State(None)  # the shot being edited, per browser session
        with gr.Group(elem_id="shot-editor"):
            self.editor_title = gr.Markdown(t("pick_shot"), elem_id="shot-title")
            with gr.Column(visible=False) as details:  # the fields appear once a shot is picked
                with gr.Row():
                    text = gr.Textbox(label=t("line"), lines=2, scale=3, min_width=240, elem_id="shot-text")
                    speaker = gr.Dropdown([], label=t("speaker"), allow_custom_value=True, scale=1, min_width=120)
                    emotion = gr.Textbox(label=t("emotion"), scale=1, min_width=100)
                with gr.Row():
                    description = gr.Textbox(label=t("scene_description"), lines=2, min_width=240)
                    # The creator's prompt (stored as the shot's override); the planned one shows as the placeholder.
                    prompt = gr.Textbox(label=t("prompt"), lines=2, min_width=240)
                with gr.Row():
                    camera = gr.Dropdown(list(CAMERAS), label=t("camera"), min_width=120)
                    in_frame = gr.Dropdown([], multiselect=True, label=t("in_frame"), min_width=160)
                    duration = gr.Number(label=t("duration"), minimum=0.5, maximum=30, step=0.1, min_width=100)
                    transition = gr.Dropdown(list(TRANSITIONS), label=t("transition"), min_width=120)
                with gr.Row():
                    save = gr.Button(t("save_shot"), variant="primary", min_width=100, elem_id="save-shot")
                    override = gr.Textbox(label=t("prompt_override"), min_width=160)
                    seed = gr.Textbox(label=t("seed"), placeholder="—", min_width=120)  # empty: a new seed
                    regenerate = gr.Button(t("regenerate"), min_width=120, elem_id="regenerate-shot")
                with gr.Row():
                    insert = gr.Button(t("insert_after"), size="sm")
                    up = gr.Button(t("move_up"), size="sm")
                    down = gr.Button(t("move_down"), size="sm")
                    delete = gr.Button(t("delete_shot"), variant="stop", size="sm")
                # A strip of thumbnails (the CSS in __init__ sizes them): with Gradio's default fit_columns one
                # version would stretch across the whole editor.
                versions = gr.Gallery(label=t("image_versions"), columns=8, height="auto", allow_preview=False,
                                      fit_columns=False, object_fit="contain", elem_id="shot-versions")  # fmt: skip
        self.outputs = [self.summary, self.gallery, self.lock, self.quality, self.scene]
        fields = [text, speaker, emotion, description, prompt, camera, in_frame, duration, transition]
        editor_outputs = [selected, self.editor_title, details, *fields, versions]

        def current(user: uuid.UUID, pid: str) -> dict[str, Any] | None:
            return workspace.storyboard(svc, user_id=user, project_id=pid)

        def edit_view(user: uuid.UUID | None, shot: dict[str, Any] | None, chars: list[dict[str, Any]] | None, pid: str,
                      lang: Lang) -> list:  # fmt: skip
            if shot is None or user is None:
                return [None, say("pick_shot", lang), gr.update(visible=False), *[gr.update(value=None)] * len(fields), []]
            names = [c["name"] for c in chars or []]
            images = editor.list_shot_images(svc, user_id=user, project_id=pid, shot_id=shot["shot_id"])
            strip = [(svc.ui_file(i["image_key"]), f"{'✓ ' if i['is_current'] else ''}seed {i['seed']}") for i in images]
            who = shot["dialogue"]["character"] if shot.get("dialogue") else None
            return [
                shot["shot_id"], editor_heading(shot), gr.update(visible=True),
                shot["text"], gr.update(choices=names, value=who), (shot.get("dialogue") or {}).get("emotion") or "",
                shot["scene_description"], gr.update(value=shot.get("prompt_override") or "", placeholder=shot["prompt_used"]),
                shot["type"],
                gr.update(choices=names, value=[n for n in shot["characters"] if n in names] or shot["characters"]),
                shot["duration"], shot["transition"], strip,
            ]  # fmt: skip

        def find(board_value: dict[str, Any] | None, shot_id: str | None) -> dict[str, Any] | None:
            return next((s for s in (board_value or {}).get("shots", []) if s["shot_id"] == shot_id), None)

        @ui_errors
        def generate_storyboard(pid: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            run_and_wait(svc, user, pid, "storyboard", progress, span=(0.0, 0.1), lang=lang)
            run_and_wait(svc, user, pid, "image_generation", progress, span=(0.1, 1.0), lang=lang)
            board_value = current(user, pid)
            return self.summary_text(board_value, lang), self.grid(board_value, lang), board_value

        @ui_errors
        def show_storyboard(pid: str, request: gr.Request) -> tuple:
            lang = lang_of(request)
            board_value = current(user_of(svc, request), require_project(pid, lang))
            return self.summary_text(board_value, lang), self.grid(board_value, lang), board_value

        @ui_errors
        def bring_up_to_date(pid: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> dict | None:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            wait_for(svc, user, editor.update_stale(svc, user_id=user, project_id=pid), progress, lang=lang)
            return current(user, pid)

        @ui_errors
        def pick(board_value: dict | None, chars: list | None, pid: str, evt: gr.SelectData, request: gr.Request) -> list:
            shots = (board_value or {}).get("shots", [])  # the grid shows every shot, in order
            shot = shots[evt.index] if isinstance(evt.index, int) and evt.index < len(shots) else None
            return edit_view(user_of(svc, request), shot, chars, pid, lang_of(request))

        @ui_errors
        def save_shot(pid: str, shot_id: str | None, text_v: str, speaker_v: str | None, emotion_v: str,
                      description_v: str, prompt_v: str, camera_v: str, frame_v: list[str], duration_v: float,
                      transition_v: str, request: gr.Request) -> tuple:  # fmt: skip
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            if not shot_id:
                raise gr.Error(say("msg_no_storyboard", lang))
            changes = {"text": text_v, "emotion": emotion_v or None, "scene_description": description_v,
                       "prompt": prompt_v, "camera": camera_v, "characters": list(frame_v or []),
                       "duration": float(duration_v), "transition": transition_v}  # fmt: skip
            if speaker_v:
                changes["speaker"] = speaker_v
            shot = editor.update_shot(svc, user_id=user, project_id=pid, shot_id=shot_id, changes=changes)
            return f"{editor_heading(shot)}\n\n✓ {say('msg_shot_saved', lang, order=shot['order'])}", current(user, pid)

        @ui_errors
        def redraw_panel(pid: str, shot_id: str | None, override_v: str, seed_v: str, chars: list | None,
                            request: gr.Request, progress: gr.Progress = gr.Progress()) -> list:  # fmt: skip
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            if not shot_id:
                raise gr.Error(say("msg_no_storyboard", lang))
            seed_text = (seed_v or "").strip()
            if seed_text and not seed_text.isdigit():
                raise gr.Error(say("msg_bad_seed", lang))
            task_id = editor.regenerate_shot(svc, user_id=user, project_id=pid, shot_id=shot_id,
                                             prompt_override=override_v.strip() or None,
                                             seed=int(seed_text) if seed_text else None)  # fmt: skip
            wait_for(svc, user, task_id, progress, lang=lang)
            board_value = current(user, pid)
            return [board_value, *edit_view(user, find(board_value, shot_id), chars, pid, lang)]

        @ui_errors
        def select_version(pid: str, shot_id: str | None, chars: list | None, evt: gr.SelectData,
                           request: gr.Request) -> list:  # fmt: skip
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            images = editor.list_shot_images(svc, user_id=user, project_id=pid, shot_id=shot_id or "")
            chosen = images[evt.index]
            editor.select_shot_image(svc, user_id=user, project_id=pid, shot_id=shot_id or "",
                                     image_id=chosen["image_id"])  # fmt: skip
            board_value = current(user, pid)
            return [board_value, *edit_view(user, find(board_value, shot_id), chars, pid, lang)]

        @ui_errors
        def insert_shot(pid: str, shot_id: str | None, request: gr.Request) -> dict | None:
            user = user_of(svc, request)
            pid = require_project(pid, lang_of(request))
            editor.insert_shot(svc, user_id=user, project_id=pid, after_shot_id=shot_id,
                               fields={"kind": "narration", "text": "…"})  # fmt: skip
            return current(user, pid)

        @ui_errors
        def delete_shot(pid: str, shot_id: str | None, request: gr.Request) -> tuple:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            if shot_id:
                editor.delete_shot(svc, user_id=user, project_id=pid, shot_id=shot_id)
            return (current(user, pid), *edit_view(user, None, None, pid, lang))

        def mover(step: int):  # type: ignore[no-untyped-def]
            @ui_errors
            def move(pid: str, shot_id: str | None, request: gr.Request) -> dict | None:
                user = user_of(svc, request)
                pid = require_project(pid, lang_of(request))
                board_value = current(user, pid)
                ids = [s["shot_id"] for s in (board_value or {}).get("shots", [])]
                if shot_id in ids:
                    i = ids.index(shot_id)
                    j = min(max(i + step, 0), len(ids) - 1)
                    ids[i], ids[j] = ids[j], ids[i]
                    editor.reorder_shots(svc, user_id=user, project_id=pid, shot_ids=ids)
                return current(user, pid)

            return move

        generate.click(generate_storyboard, project_id, [self.summary, self.gallery, board],
                       api_name="generate_storyboard")  # fmt: skip
        refresh.click(show_storyboard, project_id, [self.summary, self.gallery, board], api_name="get_storyboard")
        update_stale.click(bring_up_to_date, project_id, board, api_visibility="private")
        self.gallery.select(pick, [board, characters, project_id], editor_outputs, api_visibility="private")
        save.click(save_shot, [project_id, selected, *fields], [self.editor_title, board], api_visibility="private")
        regenerate.click(redraw_panel, [project_id, selected, override, seed, characters], [board, *editor_outputs],
                         api_visibility="private")  # fmt: skip
        versions.select(select_version, [project_id, selected, characters], [board, *editor_outputs],
                        api_visibility="private")  # fmt: skip
        insert.click(insert_shot, [project_id, selected], board, api_visibility="private")
        delete.click(delete_shot, [project_id, selected], [board, *editor_outputs], api_visibility="private")
        up.click(mover(-1), [project_id, selected], board, api_visibility="private")
        down.click(mover(+1), [project_id, selected], board, api_visibility="private")

        @ui_errors
        def on_board(board_value: dict | None, request: gr.Request) -> tuple:
            lang = lang_of(request)
            return self.summary_text(board_value, lang), self.grid(board_value, lang)

        board.change(on_board, board, [self.summary, self.gallery], api_visibility="private")

        @ui_errors
        def close_editor(request: gr.Request) -> list:  # another project opened: its shots are not this one's
            return edit_view(None, None, None, "", lang_of(request))

        project_id.change(close_editor, None, editor_outputs, api_visibility="private")

        @ui_errors
        def set_panel_settings(pid: str, lock_v: str, quality_v: str, scene_v: bool, request: gr.Request) -> None:
            lang = lang_of(request)
            project = projects.update_project(svc, user_id=user_of(svc, request), project_id=require_project(pid, lang), changes={
                LOCK_KEY: lock_v, QUALITY_KEY: quality_v, SCENE_REFERENCE_KEY: bool(scene_v)})  # fmt: skip
            scene = say("switch_on" if project[SCENE_REFERENCE_KEY] else "switch_off", lang)
            gr.Info(say("msg_panel_settings", lang, lock=project[LOCK_KEY], quality=project[QUALITY_KEY], scene=scene))

        for choice in (self.lock, self.quality, self.scene):  # `input`: the creator's choice, not a project opened
            choice.input(set_panel_settings, [project_id, self.lock, self.quality, self.scene], None,
                         api_visibility="private")  # fmt: skip

    def summary_text(self, board: dict[str, Any] | None, lang: Lang) -> str:
        settings = self.svc.settings  # sketch panels are drawn from the descriptions: nothing to measure there
        return stale_summary(board, lang, measured=settings.consistency_model is not None
                             or settings.image_backend != "diffusers")  # fmt: skip

    def grid(self, board: dict[str, Any] | None, lang: Lang) -> list[tuple[str | None, str]]:
        """Every shot in order: its panel (a blank frame when not drawn yet) and its caption."""
        threshold = self.svc.settings.consistency_threshold
        return [(self.svc.ui_file(shot["image_key"]) if shot.get("image_key") else self._blank(),
                 shot_caption(shot, lang, threshold)) for shot in (board or {}).get("shots", [])]  # fmt: skip

    def _blank(self) -> str:
        path = self.svc.ui_dir / "blank.png"
        if not path.is_file():
            from PIL import Image

            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (270, 480), (228, 228, 232)).save(path)
        return str(path)

    def show(self, snapshot: dict[str, Any], lang: Lang) -> list[Any]:
        project = snapshot["project"]
        return [self.summary_text(snapshot["storyboard"], lang), self.grid(snapshot["storyboard"], lang),
                project.get(LOCK_KEY, "none"), project.get(QUALITY_KEY, "final"),
                bool(project.get(SCENE_REFERENCE_KEY, False))]  # fmt: skip

"""Characters tab: one card per character — who they are, how they look, how they sound (with a preview), a
reference image with its earlier versions (any of which can be made current again) — to add, edit and delete. Saving
marks exactly the panels and lines it changes as stale."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import gradio as gr

from pipeline.appearance import Appearance
from studio import editor, workspace
from studio.services import Services
from studio.ui.common import RENDER_QUEUE, require_project, ui_errors, user_of, wait_for
from studio.ui.i18n import Lang, say, t
from studio.ui.i18n import request_lang as lang_of

GENDERS = [("—", ""), ("男 male", "男"), ("女 female", "女")]
ENGINES = [("auto", "auto"), ("espeak-ng", "espeak"), ("Piper", "piper"), ("Coqui", "coqui")]  # auto: the project's
# Said outright: the browser infers interactivity from the page's first event list, which lacks the cards' events
# (gr.render adds them later), so a card's filled-in fields would otherwise be read-only.
EDITABLE: dict[str, Any] = {"interactive": True}
STRIP_HEIGHT = {False: 200, True: 360}  # px, the reference versions: one row of thumbnails, or two


def _voice(gender: str, variant: float, pitch: float, speed: float, engine: str) -> dict[str, Any]:
    """The card's voice settings as the editor takes them (auto: no engine of its own)."""
    return {"gender": gender, "variant": int(variant), "pitch": int(pitch), "speed": float(speed),
            "engine": None if engine in ("", "auto", None) else engine}  # fmt: skip


def profile_line(profile: dict[str, Any]) -> str:
    """What the studio understood of a character's description (the fields panels and voices use), and the words it
    did not understand, so that nothing is silently dropped."""
    look = Appearance.from_dict(profile)
    line = "读作 · read as: " + " · ".join(w for w in look.describe() if w not in look.unknown)
    if look.unknown:
        line += " — 未识别 · not understood: " + ", ".join(look.unknown)
    return line


def reference_strip(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A character's reference pictures as the card shows them: newest first by when each was made (so choosing one
    leaves the strip in place and moves only the mark); versions without a date (older projects) last."""
    order = sorted(enumerate(versions), key=lambda iv: ((iv[1].get("params") or {}).get("created_at") or "", iv[0]))
    return [v for _, v in reversed(order)]


def reference_caption(version: dict[str, Any], lang: Lang) -> str:
    """A version's caption: "drawn · seed N" or "uploaded" (nothing when its origin is unknown), "✓" on the current
    one."""
    params = version.get("params") or {}
    source = params.get("source")
    if source == "drawn":
        text = say("reference_drawn", lang, seed=params.get("seed", "?"))
    else:
        text = say("reference_uploaded", lang) if source == "uploaded" else ""
    return f"✓ {text}".rstrip() if version.get("is_current") else text


def _features(value: str) -> list[str]:
    return [f.strip() for f in value.replace("，", ",").split(",") if f.strip()]


class CharactersTab:
    def __init__(self, svc: Services, project_id: gr.Textbox, characters: gr.State, board: gr.State) -> None:
        with gr.Row(equal_height=True):
            new_name = gr.Textbox(label=t("new_character_name"), scale=3, min_width=160)
            add = gr.Button(t("add_character"), scale=1, min_width=100)
        self.message = gr.Markdown()

        def reload(user: uuid.UUID, pid: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
            chars = editor.list_characters(svc, user_id=user, project_id=pid)
            return chars, workspace.storyboard(svc, user_id=user, project_id=pid)

        @ui_errors
        def add_character(pid: str, name: str, request: gr.Request) -> tuple:
            user = user_of(svc, request)
            pid = require_project(pid, lang_of(request))
            editor.create_character(svc, user_id=user, project_id=pid, name=name)
            return ("", *reload(user, pid))

        add.click(add_character, [project_id, new_name], [new_name, characters, board], api_visibility="private")

        @gr.render(inputs=[characters], triggers=[characters.change], **RENDER_QUEUE)
        def cards(chars: list[dict[str, Any]] | None, request: gr.Request) -> None:
            lang = lang_of(request)
            if not chars:
                gr.Markdown(t("no_characters"))
                return
            for c in chars:
                appearance, attributes, voice = c.get("appearance") or {}, c.get("attributes") or {}, c.get("voice") or {}
                stale = f" · ！{c['stale_panels']} {t('stale')}" if c.get("stale_panels") else ""
                with gr.Group(elem_classes=["character-card"]):
                    gr.Markdown(f"### {c['name']}{stale}")
                    with gr.Row():
                        with gr.Column(scale=3, min_width=260):
                            with gr.Row():
                                name = gr.Textbox(c["name"], label=t("name"), min_width=120, **EDITABLE)
                                gender = gr.Dropdown(GENDERS, value=attributes.get("gender", ""), label=t("gender"),
                                                     min_width=100, **EDITABLE)  # fmt: skip
                                age = gr.Textbox(attributes.get("age", ""), label=t("age"), min_width=80, **EDITABLE)
                            description = gr.Textbox(c.get("description") or "", label=t("description"), **EDITABLE)
                            with gr.Row():
                                hair = gr.Textbox(appearance.get("hair", ""), label=t("hair"), min_width=120,
                                                  elem_classes=["character-hair"], **EDITABLE)  # fmt: skip
                                clothing = gr.Textbox(appearance.get("clothing", ""), label=t("clothing"), min_width=120,
                                                      **EDITABLE)  # fmt: skip
                            with gr.Row():
                                accessories = gr.Textbox(appearance.get("accessories", ""), label=t("accessories"),
                                                         min_width=120, **EDITABLE)  # fmt: skip
                                build = gr.Textbox(appearance.get("build", ""), label=t("build"), min_width=80,
                                                   **EDITABLE)  # fmt: skip
                            features = gr.Textbox(", ".join(appearance.get("features", [])), label=t("features"),
                                                  **EDITABLE)  # fmt: skip
                            if c.get("profile"):
                                gr.Markdown(profile_line(c["profile"]), elem_classes=["character-profile"])
                            with gr.Row():
                                v_gender = gr.Dropdown(["male", "female"], value=voice.get("gender", "male"),
                                                       label=t("voice_gender"), min_width=100, **EDITABLE)  # fmt: skip
                                variant = gr.Slider(1, 4, value=voice.get("variant", 1), step=1, label=t("voice_variant"),
                                                    min_width=120, **EDITABLE)  # fmt: skip
                                pitch = gr.Slider(0, 99, value=voice.get("pitch", 50), step=1, label=t("pitch"),
                                                  min_width=120, **EDITABLE)  # fmt: skip
                                speed = gr.Slider(0.5, 2.0, value=voice.get("speed", 1.0), step=0.01, label=t("speed"),
                                                  min_width=120, **EDITABLE)  # fmt: skip
                                engine = gr.Dropdown(ENGINES, value=voice.get("engine") or "auto", label=t("voice_engine"),
                                                     min_width=100, **EDITABLE)  # fmt: skip
                            with gr.Row():
                                save = gr.Button(t("save"), variant="primary", size="sm", elem_classes=["character-save"])
                                preview = gr.Button(t("preview_voice"), size="sm")
                                delete = gr.Button(t("delete"), variant="stop", size="sm")
                            sample = gr.Audio(label=t("preview_voice"), interactive=False)
                        with gr.Column(scale=1, min_width=180):
                            # Shown, not uploaded through: gr.Image would decode and convert any upload before
                            # our checks; the upload button hands over the file, which the editor checks first.
                            gr.Image(svc.ui_file(c["reference_image_key"]) if c.get("reference_image_key") else None,
                                     label=t("reference_image"), type="filepath", height=220, interactive=False,
                                     elem_classes=["character-reference"])  # fmt: skip
                            upload = gr.UploadButton(t("upload_reference"), file_types=[".png", ".jpg", ".jpeg", ".webp"],
                                                     type="filepath", size="sm")  # fmt: skip
                            generate = gr.Button(t("generate_reference"), size="sm")
                            strip = reference_strip(c.get("reference_versions") or [])
                            if len(strip) > 1:  # the earlier pictures, to make one current again
                                # Two columns fit the narrow column (Gradio's thumbnails are at least 100 px); a
                                # height in pixels, as "auto" keeps a 320-450 px box: one row, or two and a scroll.
                                # The current one starts selected: a re-rendered strip would otherwise keep the
                                # ring where the last pick was, on whichever picture is there now.
                                current = next((i for i, v in enumerate(strip) if v.get("is_current")), None)
                                versions = gr.Gallery(
                                    [(svc.ui_file(v["key"]), reference_caption(v, lang)) for v in strip],
                                    label=t("reference_versions"), columns=2, height=STRIP_HEIGHT[len(strip) > 2],
                                    allow_preview=False, selected_index=current, fit_columns=False,
                                    object_fit="contain", interactive=False, buttons=[],
                                    elem_classes=["reference-versions"])  # fmt: skip
                                picked = gr.State(None)  # the version picked in the strip, per browser session
                                use = gr.Button(t("use_reference"), size="sm", interactive=False,
                                                elem_classes=["reference-use"])  # fmt: skip

                voice_inputs = [v_gender, variant, pitch, speed, engine]
                fields = [name, description, gender, age, hair, clothing, accessories, build, features, *voice_inputs]
                h = _CardHandlers(svc, c["id"], reload, strip)
                outputs = [self.message, characters, board]
                save.click(h.save, [project_id, *fields], outputs, api_visibility="private")
                preview.click(h.preview, [project_id, *voice_inputs], sample, api_visibility="private")
                delete.click(h.delete, project_id, outputs, api_visibility="private")
                upload.upload(h.upload_reference, [project_id, upload], outputs, api_visibility="private")
                generate.click(h.generate_reference, project_id, outputs, api_visibility="private")
                if len(strip) > 1:
                    versions.select(h.pick_reference, None, [picked, use], api_visibility="private")
                    use.click(h.use_reference, [project_id, picked], outputs, api_visibility="private")


class _CardHandlers:
    """The events of one character's card, bound to its id (Gradio maps inputs to plain parameters)."""

    def __init__(self, svc: Services, character_id: str, reload: Any,
                 strip: list[dict[str, Any]] | None = None) -> None:  # fmt: skip
        self.svc, self.cid, self.reload = svc, character_id, reload
        strip = strip or []  # the reference versions in the order the card shows them

        @ui_errors
        def save(pid: str, name: str, description: str, gender: str, age: str, hair: str, clothing: str,
                 accessories: str, build: str, features: str, v_gender: str, variant: float, pitch: float, speed: float, engine: str,
                 request: gr.Request) -> tuple:  # fmt: skip
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            current = editor.get_character(svc, user_id=user, project_id=pid, character_id=self.cid)
            attributes = {**current["attributes"], "gender": gender, "age": age.strip()}
            changes = {
                "name": name.strip(), "description": description.strip() or None,
                "attributes": {k: v for k, v in attributes.items() if v},
                "appearance": {k: v for k, v in {**current["appearance"], "hair": hair.strip(),
                                                 "clothing": clothing.strip(), "accessories": accessories.strip(),
                                                 "build": build.strip(), "features": _features(features)}.items()
                               if v},
            }  # fmt: skip
            voice = _voice(v_gender, variant, pitch, speed, engine)
            if voice != current["voice"]:  # pinned only when the creator changed it; else it follows name and gender
                changes["voice"] = voice
            saved = editor.update_character(svc, user_id=user, project_id=pid, character_id=self.cid,
                                            changes=changes)  # fmt: skip
            return (say("msg_character_saved", lang, name=saved["name"]), *self.reload(user, pid))

        @ui_errors
        def preview(pid: str, v_gender: str, variant: float, pitch: float, speed: float, engine: str,
                    request: gr.Request) -> str:  # fmt: skip
            pid = require_project(pid, lang_of(request))
            voice = _voice(v_gender, variant, pitch, speed, engine)
            key = editor.preview_voice(svc, user_id=user_of(svc, request), project_id=pid, character_id=self.cid,
                                       voice=voice)  # fmt: skip
            return svc.ui_file(key)

        @ui_errors
        def delete(pid: str, request: gr.Request) -> tuple:
            user = user_of(svc, request)
            pid = require_project(pid, lang_of(request))
            editor.delete_character(svc, user_id=user, project_id=pid, character_id=self.cid)
            return ("", *self.reload(user, pid))

        @ui_errors
        def upload_reference(pid: str, path: str | None, request: gr.Request) -> tuple:
            if not path:
                return gr.skip(), gr.skip(), gr.skip()
            user = user_of(svc, request)
            pid = require_project(pid, lang_of(request))
            editor.set_reference_image(svc, user_id=user, project_id=pid, character_id=self.cid,
                                       data=Path(path).read_bytes())  # fmt: skip
            return ("", *self.reload(user, pid))

        @ui_errors
        def generate_reference(pid: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            task_id = editor.generate_reference_image(svc, user_id=user, project_id=pid, character_id=self.cid)
            wait_for(svc, user, task_id, progress, lang=lang)
            return ("", *self.reload(user, pid))

        @ui_errors
        def pick_reference(evt: gr.SelectData) -> tuple:
            """A version picked in the strip: remembered, and "Use this picture" enabled unless it is current."""
            index = evt.index if isinstance(evt.index, int) else -1
            chosen = strip[index] if 0 <= index < len(strip) else None
            if chosen is None:
                return None, gr.update(interactive=False)
            return chosen["key"], gr.update(interactive=not chosen.get("is_current"))

        @ui_errors
        def use_reference(pid: str, key: str | None, request: gr.Request) -> tuple:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            if not key:
                raise gr.Error(say("msg_pick_reference", lang))
            editor.choose_reference_image(svc, user_id=user, project_id=pid, character_id=self.cid, key=key)
            return ("", *self.reload(user, pid))

        self.save, self.preview, self.delete = save, preview, delete
        self.upload_reference, self.generate_reference = upload_reference, generate_reference
        self.pick_reference, self.use_reference = pick_reference, use_reference

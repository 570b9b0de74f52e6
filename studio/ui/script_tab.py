"""Script tab: paste, upload or pick a sample; save and parse; the parse as scenes and shots a person can read, with
warnings by line; every saved version listed, viewable and restorable."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import gradio as gr

from pipeline.parse import FORMATS, decode_script
from studio import projects, workspace
from studio.services import Services
from studio.ui.common import require_project, run_and_wait, ui_errors, user_of
from studio.ui.i18n import Lang, say, t
from studio.ui.i18n import request_lang as lang_of

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "tests" / "samples"


def sample_names() -> list[str]:
    return sorted(p.name for p in SAMPLES_DIR.glob("*") if p.is_file()) if SAMPLES_DIR.is_dir() else []


def parsed_markdown(parsed: dict[str, Any] | None, lang: Lang) -> str:
    """The parse as a person reads it: scenes with their shots, then the cast, then warnings by line."""
    if not parsed:
        return ""
    zh = lang == "zh"
    out: list[str] = []
    for scene in parsed["scenes"]:
        place = " · ".join(x for x in (scene.get("location"), scene.get("time")) if x) or ("(无地点)" if zh else "(no place)")
        out.append(f"#### {'场景' if zh else 'Scene'} {scene['id']}: {place}")
        for shot in scene["shots"]:
            who = shot.get("character") or ""
            mood = f" ({shot['emotion']})" if shot.get("emotion") else ""
            kind = {"dialogue": "●", "narration": "◆", "action": "■"}.get(shot["type"], "·")
            sfx = f" ♪ {', '.join(shot['sound_effects'])}" if shot.get("sound_effects") else ""
            out.append(f"- {kind} **{who}**{mood} {shot['text']} · {shot['duration']}s{sfx}" if who
                       else f"- {kind} {shot['text']} · {shot['duration']}s{sfx}")  # fmt: skip
    cast = [
        f"**{c['name']}** " + ", ".join(str(v) for v in [*c.get("attributes", {}).values(),
                                                         *_flat(c.get("appearance", {}))] if v)  # fmt: skip
        for c in parsed["characters"]
    ]
    if cast:
        out.append(f"#### {'角色' if zh else 'Characters'}\n" + "\n".join(f"- {c}" for c in cast))
    warnings = parsed.get("warnings") or []
    if warnings:
        title = "提示" if zh else "Warnings"
        out.append(f"#### ！{title}\n" + "\n".join(f"- {'第' if zh else 'line '}{w['line']}{'行' if zh else ''}: "
                                                    f"{w['message']}" for w in warnings))  # fmt: skip
    return "\n".join(out)


def _public(parsed: dict[str, Any] | None) -> dict[str, Any] | None:
    """The parse as GET …/script/parsed gives it."""
    return {k: parsed[k] for k in ("parse_id", "scenes", "characters", "metadata")} if parsed else None


def _flat(appearance: dict[str, Any]) -> list[str]:
    return [", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in appearance.values()]


def version_choices(versions: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(f"v{v['version']} · {v['format']} · {v['created_at'][:16].replace('T', ' ')}", v["version"])
            for v in versions]  # fmt: skip


class ScriptTab:
    def __init__(self, svc: Services, project_id: gr.Textbox) -> None:
        self.svc = svc
        with gr.Row():
            with gr.Column(scale=3, min_width=300):
                self.content = gr.Textbox(label=t("script"), placeholder=t("script_placeholder"), lines=16,
                                          max_lines=40, elem_id="script-text")  # fmt: skip
                with gr.Row():
                    self.sample = gr.Dropdown(sample_names(), label=t("samples"), value=None, scale=2, min_width=160)
                    self.fmt = gr.Dropdown(["auto", *FORMATS], value="auto", label=t("format"), scale=1, min_width=100)
                self.upload = gr.File(label=t("upload"), file_types=[".txt", ".md", ".fountain"], type="filepath",
                                      height=90)  # fmt: skip
                with gr.Row():
                    save = gr.Button(t("save"), min_width=80)
                    parse = gr.Button(t("save_parse"), variant="primary", min_width=120, elem_id="parse-button")
            with gr.Column(scale=2, min_width=300):
                self.summary = gr.Markdown(elem_id="script-summary")
                self.parsed = gr.Markdown(label=t("parsed"), elem_id="parsed-view")
                with gr.Accordion(t("parsed_json"), open=False):
                    self.parsed_json = gr.JSON(label=t("parsed_json"), elem_id="parsed-json")
                with gr.Accordion(t("versions"), open=False):
                    self.versions = gr.Dropdown(choices=[], label=t("versions"), value=None)
                    with gr.Row():
                        view = gr.Button(t("view_version"), size="sm")
                        restore = gr.Button(t("restore_version"), size="sm")
                    self.version_text = gr.Textbox(label=t("version_text"), lines=8, interactive=False)
        self.outputs = [self.content, self.fmt, self.summary, self.parsed, self.parsed_json, self.versions,
                        self.version_text]  # fmt: skip

        @ui_errors
        def load_sample(name: str | None) -> Any:
            if not name:
                return gr.skip()
            return decode_script((SAMPLES_DIR / Path(name).name).read_bytes())

        @ui_errors
        def load_file(path: str | None) -> Any:
            if not path:
                return gr.skip()
            return decode_script(Path(path).read_bytes())

        @ui_errors
        def save_script(pid: str, text: str, fmt_value: str, request: gr.Request) -> tuple[str, Any]:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            saved = projects.save_script(svc, user_id=user, project_id=pid, content=text,
                                         format=None if fmt_value == "auto" else fmt_value)  # fmt: skip
            note = say("msg_saved", lang, version=saved["version"], format=saved["format"], words=saved["word_count"],
                       seconds=saved["estimated_duration"])  # fmt: skip
            return note, self._versions_update(user, pid)

        @ui_errors
        def parse_script(
            pid: str, text: str, fmt_value: str, request: gr.Request, progress: gr.Progress = gr.Progress()
        ) -> tuple[str, Any, Any, Any, Any]:
            """Save and parse; returns the summary, the parse as text, the parse as the REST API gives it
            (GET …/script/parsed), the versions and the script (the language model's, when it wrote one)."""
            lang, user = lang_of(request), user_of(svc, request)
            note, versions = save_script(pid, text, fmt_value, request)
            pid = require_project(pid, lang)
            saved = workspace.script_versions(svc, user_id=user, project_id=pid)[0]["version"]
            result = run_and_wait(svc, user, pid, "nlp", progress, lang=lang)
            parse = workspace.parsed(svc, user_id=user, project_id=pid)
            done = say("msg_parsed", lang, scenes=result["total_scenes"], shots=result["total_shots"],
                       seconds=result["estimated_duration"], cast=", ".join(result["characters"]) or "—")  # fmt: skip
            public = projects.get_parsed(svc, user_id=user, project_id=pid)
            if result.get("script_version", saved) == saved:
                return f"{note}\n\n{done}", parsed_markdown(parse, lang), public, versions, gr.skip()
            written = workspace.script_version(svc, user_id=user, project_id=pid,
                                               version=result["script_version"])["content"]  # fmt: skip
            return (f"{note}\n\n{say('msg_llm_wrote', lang)}\n\n{done}", parsed_markdown(parse, lang), public,
                    self._versions_update(user, pid), written)  # fmt: skip

        @ui_errors
        def view_version(pid: str, version: int | None, request: gr.Request) -> str:
            if not version:
                return ""
            pid = require_project(pid, lang_of(request))
            return workspace.script_version(svc, user_id=user_of(svc, request), project_id=pid,
                                            version=int(version))["content"]  # fmt: skip

        @ui_errors
        def restore_version(pid: str, version: int | None, request: gr.Request) -> tuple:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            if not version:
                return gr.skip(), gr.skip(), gr.skip()
            saved = workspace.restore_script_version(svc, user_id=user, project_id=pid, version=int(version))
            text = workspace.script_version(svc, user_id=user, project_id=pid, version=saved["version"])["content"]
            return text, say("msg_restored", lang, old=version, new=saved["version"]), self._versions_update(user, pid)

        self.sample.change(load_sample, self.sample, self.content, api_visibility="private")
        self.upload.upload(load_file, self.upload, self.content, api_visibility="private")
        save.click(save_script, [project_id, self.content, self.fmt], [self.summary, self.versions],
                   api_name="save_script")  # fmt: skip
        self.parse_event = parse.click(parse_script, [project_id, self.content, self.fmt],
                                       [self.summary, self.parsed, self.parsed_json, self.versions, self.content],
                                       api_name="parse_script")  # fmt: skip
        view.click(view_version, [project_id, self.versions], self.version_text, api_visibility="private")
        restore.click(restore_version, [project_id, self.versions], [self.content, self.summary, self.versions],
                      api_visibility="private")  # fmt: skip

    def _versions_update(self, user: uuid.UUID, pid: str) -> Any:
        versions = workspace.script_versions(self.svc, user_id=user, project_id=pid)
        return gr.update(choices=version_choices(versions), value=versions[0]["version"] if versions else None)

    def show(self, snapshot: dict[str, Any], lang: Lang) -> list[Any]:
        script = snapshot["script"]
        return [
            script["content"] if script else "",
            script["format"] if script else "auto",
            "",
            parsed_markdown(snapshot["parsed"], lang),
            _public(snapshot["parsed"]),
            gr.update(choices=version_choices(snapshot["versions"]),
                      value=snapshot["versions"][0]["version"] if snapshot["versions"] else None),  # fmt: skip
            "",
        ]

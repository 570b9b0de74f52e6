"""Export tab: render a fast preview or the final video for a platform (size, safe zone, text, watermark, title), play
and download it with its subtitles and cover; edit the subtitle track; export a webtoon, a comic PDF, a Jianying
draft or the whole project."""

from __future__ import annotations

from typing import Any

import gradio as gr

from pipeline.presets import CORNERS, RENDER_RESOLUTIONS, SUBTITLE_STYLES, TEXT_MODES, VIDEO_FORMATS
from studio import bundle, projects, videos
from studio.services import Services
from studio.ui.common import files_of, require_project, ui_errors, user_of, wait_for
from studio.ui.i18n import Lang, say, t
from studio.ui.i18n import request_lang as lang_of

PLATFORM_CHOICES = [("自定义 Custom", "custom"), ("抖音 Douyin", "douyin"), ("快手 Kuaishou", "kuaishou"),
                    ("哔哩哔哩 Bilibili", "bilibili"), ("YouTube", "youtube"), ("YouTube Shorts", "youtube-shorts")]  # fmt: skip
EXPORT_CHOICES = [("条漫 PNG · Webtoon", "webtoon"), ("漫画 PDF · Comic PDF", "pdf"),
                  ("剪映草稿 · Jianying draft", "jianying"), ("项目包 · Project bundle", "bundle")]  # fmt: skip
SUBTITLE_HEADERS = ["id", "start", "end", "text", "origin"]


def video_summary(video: dict[str, Any] | None, lang: Lang) -> str:
    if not video:
        return say("msg_no_video", lang)
    width, _, height = video["resolution"].partition("x")
    return say("msg_rendered", lang, width=width, height=height, seconds=video["duration"],
               mb=f"{(video['file_size'] or 0) / 1e6:.1f}")  # fmt: skip


class ExportTab:
    def __init__(self, svc: Services, project_id: gr.Textbox) -> None:
        self.svc = svc
        with gr.Row(equal_height=True):
            preview = gr.Button(t("render_preview"), min_width=140, elem_id="render-preview")
            render = gr.Button(t("render"), variant="primary", min_width=140, elem_id="render-video")
            resolution = gr.Radio(list(RENDER_RESOLUTIONS), value="1080p", label=t("resolution"), min_width=200)
            platform = gr.Dropdown(PLATFORM_CHOICES, value="custom", label=t("platform"), min_width=160,
                                   elem_id="render-platform")  # fmt: skip
            video_format = gr.Radio(list(VIDEO_FORMATS), value="mp4", label=t("video_format"), min_width=120)
        with gr.Accordion(t("text_and_marks"), open=False):
            with gr.Row():
                text_mode = gr.Radio([(say(f"text_mode_{m}", "zh") + " · " + say(f"text_mode_{m}", "en"), m)
                                      for m in TEXT_MODES], value="subtitles", label=t("text_mode"),
                                     elem_id="render-text-mode")  # fmt: skip
                style = gr.Dropdown(list(SUBTITLE_STYLES), value="simple", label=t("subtitle_style"), min_width=120)
                title = gr.Textbox("", label=t("video_title"), max_length=80, min_width=160)
                comic = gr.Checkbox(True, label=t("motion_comic"), min_width=160, elem_id="render-motion-comic")
            with gr.Row():
                mark_text = gr.Textbox("", label=t("watermark"), max_length=60, min_width=160)
                mark_corner = gr.Dropdown(list(CORNERS), value="bottom-right", label=t("watermark_position"))
                mark_opacity = gr.Slider(0.05, 1.0, value=0.7, step=0.05, label=t("watermark_opacity"))
        self.summary = gr.Markdown(elem_id="export-summary")
        with gr.Row():
            self.video = gr.Video(label=t("video_player"), interactive=False, elem_id="export-video", min_width=280)
            self.files = gr.File(label=t("downloads"), file_count="multiple", interactive=False, min_width=200,
                                 elem_id="export-files")  # fmt: skip
        with gr.Accordion(t("subtitle_track"), open=False):
            self.subtitles = gr.Dataframe(headers=SUBTITLE_HEADERS, datatype=["str", "number", "number", "str", "str"],
                                          interactive=True, wrap=True, elem_id="subtitle-track")  # fmt: skip
            save_subtitles = gr.Button(t("save_subtitles"), size="sm", elem_id="save-subtitles")
        with gr.Row(equal_height=True):
            export_kind = gr.Dropdown(EXPORT_CHOICES, value="webtoon", label=t("export_as"), min_width=200)
            export = gr.Button(t("export"), min_width=120, elem_id="export-other")
            export_files = gr.File(label=t("exported"), file_count="multiple", interactive=False, min_width=200,
                                   elem_id="exported-files")  # fmt: skip
        self.outputs = [self.summary, self.video, self.files, self.subtitles]
        settings_inputs = [project_id, resolution, platform, video_format, text_mode, style, title, mark_text,
                           mark_corner, mark_opacity, comic]  # fmt: skip

        def renderer(kind: str) -> Any:
            """The handler of a render button: a preview or a final with the tab's settings."""

            @ui_errors
            def render(pid: str, resolution_v: str, platform_v: str, format_v: str, mode_v: str, style_v: str,
                       title_v: str, mark_v: str, corner_v: str, opacity_v: float, comic_v: bool, request: gr.Request,
                       progress: gr.Progress = gr.Progress()) -> tuple:  # fmt: skip
                lang, user = lang_of(request), user_of(svc, request)
                pid = require_project(pid, lang)
                settings = {"kind": kind, "platform": platform_v or "custom", "resolution": resolution_v or "1080p",
                            "format": format_v or "mp4", "text_mode": mode_v or "subtitles",
                            "subtitle_style": style_v or "simple", "title": (title_v or "").strip(),
                            "motion_comic": comic_v is not False,
                            "watermark": {"text": (mark_v or "").strip(), "position": corner_v or "bottom-right",
                                          "opacity": float(opacity_v if opacity_v is not None else 0.7)}}  # fmt: skip
                queued = videos.start_render(svc, user_id=user, project_id=pid, settings=settings)
                wait_for(svc, user, queued["render_task_id"], progress, lang=lang)
                video = videos.latest_video(svc, user_id=user, project_id=pid, kind=kind)
                track = videos.list_subtitles(svc, user_id=user, project_id=pid)
                return (video_summary(video, lang), *self._files(video), _table(track))

            return render

        @ui_errors
        def save_track(pid: str, table: Any, request: gr.Request) -> Any:
            """Save the texts and times changed in the table (an edited line keeps its text in later renders)."""
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            current = {r["subtitle_id"]: r for r in videos.list_subtitles(svc, user_id=user, project_id=pid)}
            rows = table.values.tolist() if hasattr(table, "values") else (table or [])
            for row in rows:
                sid, start, end, text = str(row[0]), float(row[1]), float(row[2]), str(row[3])
                old = current.get(sid)
                if old is None:
                    continue
                changes = {k: v for k, v in (("text", text.strip()), ("start_time", round(start, 3)),
                                             ("end_time", round(end, 3))) if v != old[k]}  # fmt: skip
                if changes:
                    videos.update_subtitle(svc, user_id=user, project_id=pid, subtitle_id=sid, changes=changes)
            gr.Info(say("msg_subtitles_saved", lang))
            return _table(videos.list_subtitles(svc, user_id=user, project_id=pid))

        @ui_errors
        def export_other(pid: str, kind: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> list[str]:
            lang, user = lang_of(request), user_of(svc, request)
            pid = require_project(pid, lang)
            if kind == "bundle":
                made = bundle.export_bundle(svc, user_id=user, project_id=pid)
                return files_of(svc, [made["key"]])
            task_id = projects.start_export(svc, user_id=user, project_id=pid, kind=kind)
            result = wait_for(svc, user, task_id, progress, lang=lang)
            return files_of(svc, [result["key"]])

        outputs = [self.summary, self.video, self.files, self.subtitles]
        preview.click(renderer("preview"), settings_inputs, outputs, api_name="render_preview")
        render.click(renderer("final"), settings_inputs, outputs, api_name="render_final")
        save_subtitles.click(save_track, [project_id, self.subtitles], self.subtitles, api_name="save_subtitles")
        export.click(export_other, [project_id, export_kind], export_files, api_name="export_project")

    def _files(self, video: dict[str, Any]) -> tuple[str, list[str]]:
        files = files_of(self.svc, [video["video_key"], video.get("subtitles_key"), video.get("ass_key"),
                                    video.get("cover_key")])  # fmt: skip
        return files[0], files

    def show(self, snapshot: dict[str, Any], lang: Lang) -> list[Any]:
        video = snapshot["video"]
        track = _table(snapshot.get("subtitles") or [])
        if not video:
            return [video_summary(None, lang), None, None, track]
        player, files = self._files(video)
        return [video_summary(video, lang), player, files, track]


def _table(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["subtitle_id"], r["start_time"], r["end_time"], r["text"], r["origin"]] for r in rows]

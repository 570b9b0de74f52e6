"""The studio's words in Chinese and English: one table of pairs (so neither language can miss a key), Gradio's
`gr.I18n` for labels (chosen from the browser, switchable in Gradio's settings), and `say()` for messages the server
writes (errors, summaries), in the language of the request."""

from __future__ import annotations

import re
from typing import Any, Literal

import gradio as gr

Lang = Literal["zh", "en"]

TEXTS: dict[str, tuple[str, str]] = {
    # the project bar
    "title": ("漫画视频工作室", "Comic video studio"),
    "tagline": ("剧本 → 分镜 → 画面 → 配音 → 视频", "Script → storyboard → panels → voices → MP4"),
    "project_name": ("项目名称", "Project name"),
    "style": ("风格", "Style"),
    "aspect": ("画幅", "Aspect ratio"),
    "create": ("新建项目", "Create project"),
    "open_project": ("打开项目", "Open project"),
    "project_id": ("项目 ID", "Project ID"),
    "open": ("打开", "Open"),
    "cancel_task": ("取消任务", "Cancel running task"),
    # tabs
    "tab_script": ("剧本", "Script"),
    "tab_characters": ("角色", "Characters"),
    "tab_storyboard": ("分镜", "Storyboard"),
    "tab_audio": ("音频", "Audio"),
    "tab_export": ("导出", "Export"),
    # script
    "script": ("剧本 (剧本格式 / Markdown / Fountain)", "Script (seed format / Markdown / Fountain)"),
    "script_placeholder": ("在这里粘贴剧本,或点下面的示例", "Paste a script here, or pick a sample below"),
    "upload": ("上传剧本 (.txt .md .fountain)", "Upload a script (.txt .md .fountain)"),
    "format": ("格式", "Format"),
    "save": ("保存", "Save"),
    "save_parse": ("保存并解析", "Save & parse"),
    "samples": ("示例剧本", "Samples"),
    "parsed": ("解析结果", "Parse result"),
    "parsed_json": ("解析结果 (JSON，与 REST 接口相同)", "Parse result (JSON, as the REST API gives it)"),
    "versions": ("历史版本", "Versions"),
    "view_version": ("查看", "View"),
    "restore_version": ("恢复此版本", "Restore this version"),
    "version_text": ("所选版本的内容", "The selected version"),
    # characters
    "add_character": ("添加角色", "Add character"),
    "new_character_name": ("新角色名字", "New character's name"),
    "name": ("名字", "Name"),
    "description": ("描述", "Description"),
    "gender": ("性别", "Gender"),
    "age": ("年龄", "Age"),
    "hair": ("发型", "Hair"),
    "clothing": ("服装", "Clothing"),
    "features": ("特征 (逗号分隔)", "Features (comma-separated)"),
    "accessories": ("配饰", "Accessories"),
    "motion_comic": ("动态漫画 (视差、口型、眨眼)", "Motion comic (parallax, talking mouths, blinks)"),
    "build": ("体型", "Build"),
    "voice_gender": ("声音性别", "Voice gender"),
    "voice_variant": ("音色", "Voice variant"),
    "voice_engine": ("配音引擎", "Voice engine"),
    "pitch": ("音高", "Pitch"),
    "speed": ("语速", "Speed"),
    "preview_voice": ("试听", "Preview voice"),
    "reference_image": ("参考图", "Reference image"),
    "generate_reference": ("生成参考图", "Generate reference image"),
    "upload_reference": ("上传参考图", "Upload reference image"),
    "reference_versions": ("参考图版本", "Reference versions"),
    "use_reference": ("用这张图", "Use this picture"),
    "reference_drawn": ("绘制 · 种子 {seed}", "drawn · seed {seed}"),
    "reference_uploaded": ("上传", "uploaded"),
    "delete": ("删除", "Delete"),
    "no_characters": ("还没有角色:解析剧本或在上面添加。", "No characters yet: parse a script or add one above."),
    # storyboard
    "generate_storyboard": ("生成分镜与画面", "Generate storyboard & panels"),
    "update_stale": ("更新过期画面与配音", "Update stale panels & voices"),
    "refresh": ("刷新", "Refresh"),
    "storyboard": ("分镜", "Storyboard"),
    "shot_editor": ("镜头编辑", "Shot editor"),
    "pick_shot": ("在上面的分镜中选择一个镜头来编辑。", "Pick a shot in the storyboard above to edit it."),
    "line": ("台词 / 文字", "Line / text"),
    "scene_description": ("画面描述", "Description"),
    "prompt": ("提示词 (留空:用规划的提示词)", "Prompt (empty: the planned one)"),
    "camera": ("镜头", "Camera"),
    "emotion": ("情绪", "Emotion"),
    "in_frame": ("画面中的角色", "Characters in frame"),
    "speaker": ("说话人", "Speaker"),
    "duration": ("时长 (秒)", "Duration (s)"),
    "transition": ("转场", "Transition"),
    "save_shot": ("保存镜头", "Save shot"),
    "regenerate": ("重新生成画面", "Regenerate panel"),
    "prompt_override": ("改用的提示词 (可选)", "Prompt override (optional)"),
    "seed": ("固定种子 (可选)", "Fixed seed (optional)"),
    "image_versions": ("画面版本 (点选设为当前)", "Panel versions (click to make current)"),
    "insert_after": ("在后面插入镜头", "Insert a shot after"),
    "delete_shot": ("删除镜头", "Delete shot"),
    "move_up": ("上移", "Move up"),
    "move_down": ("下移", "Move down"),
    # audio
    "voice_all": ("生成配音", "Voice all lines"),
    "revoice": ("重新配音", "Revoice"),
    "no_lines": ("还没有可配音的台词:先生成分镜。", "No lines to voice yet: generate the storyboard first."),
    "music_heading": ("### 背景音乐", "### Music"),
    "music_mood": ("情绪", "Mood"),
    "all": ("全部", "All"),
    "page": ("页", "Page"),
    "browse_music": ("浏览音乐", "Browse music"),
    "recommend_music": ("按剧本推荐", "Recommend for the script"),
    "music_track": ("选用的音乐", "Track"),
    "music_volume": ("音乐音量", "Music volume"),
    "music_start": ("开始于 (秒)", "Starts at (s)"),
    "fade_in": ("淡入 (秒)", "Fade in (s)"),
    "fade_out": ("淡出 (秒)", "Fade out (s)"),
    "set_music": ("设为项目音乐", "Use as the project's music"),
    "effects_heading": ("### 音效", "### Sound effects"),
    "effect_category": ("类别", "Category"),
    "browse_effects": ("浏览音效", "Browse effects"),
    "effect_shot": ("镜头", "Shot"),
    "effect_pick": ("音效", "Effect"),
    "effect_volume": ("音效音量", "Effect volume"),
    "effect_offset": ("镜头开始后 (秒)", "Seconds into the shot"),
    "add_effect": ("添加到镜头", "Add to the shot"),
    # export
    "render": ("渲染成片", "Render final"),
    "render_preview": ("快速预览", "Quick preview"),
    "import_bundle": ("导入项目包", "Import project"),
    "resolution": ("分辨率", "Resolution"),
    "platform": ("平台", "Platform"),
    "video_format": ("格式", "Format"),
    "text_and_marks": ("字幕、气泡、水印与标题", "Subtitles, bubbles, watermark and title"),
    "text_mode": ("台词显示", "Dialogue shown as"),
    "text_mode_subtitles": ("字幕", "Subtitles"),
    "text_mode_bubbles": ("对话气泡", "Speech bubbles"),
    "text_mode_both": ("两者", "Both"),
    "subtitle_style": ("字幕样式", "Subtitle style"),
    "video_title": ("片头标题", "Title"),
    "watermark": ("水印文字", "Watermark text"),
    "watermark_position": ("水印位置", "Watermark corner"),
    "watermark_opacity": ("水印不透明度", "Watermark opacity"),
    "video_player": ("视频", "Video"),
    "downloads": ("下载 (视频、SRT、ASS、封面)", "Download (video, SRT, ASS, cover)"),
    "subtitle_track": ("字幕轨 (可编辑文字与时间)", "Subtitle track (edit text and times)"),
    "save_subtitles": ("保存字幕", "Save subtitles"),
    "export_as": ("导出为", "Export as"),
    "export": ("导出", "Export"),
    "exported": ("导出文件", "Exported files"),
    # messages the server writes
    "msg_imported": ("已导入项目 **{name}**", "Imported project **{name}**"),
    "msg_subtitles_saved": ("字幕已保存:下次渲染生效。", "Subtitles saved: the next render shows them."),
    "msg_created": ("已创建 **{name}** ({aspect})", "Created **{name}** ({aspect})"),
    "msg_opened": ("已打开 **{name}** · {status}", "Opened **{name}** · {status}"),
    "msg_pick_project": ("先创建或选择一个项目。", "Create or pick a project first."),
    "msg_bad_project": ("项目 ID 无效:请从列表中选择项目。", "That project ID is not valid: pick one from the list."),
    "msg_saved": ("已保存 v{version} · {format} · {words} 字/词 · ≈{seconds}秒",
                  "Saved v{version} · {format} · {words} words · ≈{seconds}s"),
    "msg_llm_wrote": ("这段文字没有剧本格式：语言模型已把故事写成剧本（新版本），原文保留在上一个版本。",
                      "The text had no script markup: the language model wrote the story as a script (a new version); "
                      "the story itself is the version before."),
    "msg_parsed": ("解析完成:**{scenes}** 场景 · **{shots}** 镜头 · ≈{seconds}秒 · 角色:{cast}",
                   "Parsed: **{scenes}** scenes · **{shots}** shots · ≈{seconds}s · characters: {cast}"),
    "msg_restored": ("已恢复 v{old},保存为 v{new}", "Restored v{old} as v{new}"),
    "msg_planned": ("**{shots}** 个镜头 · ≈{seconds}秒", "**{shots}** shots · ≈{seconds}s"),
    "msg_stale_count": ("过期:{images} 个画面,{voices} 条配音", "Stale: {images} panels, {voices} voices"),
    "msg_voiced": ("新配音 **{count}** 条 · 共 {total} 条", "Newly voiced: **{count}** · {total} lines"),
    "msg_voice_fallbacks": ("⚠ 以下台词改由 {engine} 配音：{lines}", "⚠ Voiced by {engine} instead: {lines}"),
    "msg_music_set": ("音乐:**{name}** · 音量 {volume} · 淡入 {fade_in}秒 · 淡出 {fade_out}秒",
                      "Music: **{name}** · volume {volume} · fade in {fade_in}s · fade out {fade_out}s"),
    "msg_no_music": ("还没有选音乐。", "No music chosen yet."),
    "msg_unmatched_cue": ("⚠ 镜头 #{order} 的音效「{cue}」在音效库里找不到:请从库里选一个或上传。",
                          "⚠ Shot #{order}: no library effect matches the cue “{cue}”: pick one or upload one."),
    "msg_pick_shot_effect": ("先选择镜头和音效。", "Pick a shot and an effect first."),
    "msg_rendered": ("完成:{width}x{height} · {seconds}秒 · {mb} MB", "Done: {width}x{height} · {seconds}s · {mb} MB"),
    "msg_cancelled_n": ("已取消 {count} 个任务", "Cancelled {count} task(s)"),
    "msg_nothing_running": ("没有运行中的任务。", "Nothing is running."),
    "msg_running": ("运行中:{step} {progress}%", "Running: {step} {progress}%"),
    "msg_cancelled": ("已取消。", "Cancelled."),
    "msg_failed": ("失败:{reason}", "Failed: {reason}"),
    "msg_storage": ("存储暂不可用,请稍后再试。", "File storage is unavailable; try again shortly."),
    "msg_unexpected": ("出错了,服务器日志里有详情 (编号 {ref})。",
                       "Something went wrong; the server log has the details (ref {ref})."),
    "msg_no_storyboard": ("还没有分镜:先解析剧本并生成分镜。", "No storyboard yet: parse the script and generate it."),
    "msg_no_video": ("还没有视频。", "No video yet."),
    "msg_character_saved": ("已保存角色 {name}", "Saved {name}"),
    "msg_pick_reference": ("先在参考图版本中点选一张。", "Pick one of the reference versions first."),
    "msg_bad_seed": ("种子须为 0 到 4294967295 的整数,或留空。", "The seed must be a whole number 0-4294967295, or empty."),
    "msg_shot_saved": ("已保存镜头 #{order}", "Saved shot #{order}"),
    # task steps
    "step_queued": ("排队中", "queued"),
    "step_starting": ("开始", "starting"),
    "step_parsing_script": ("解析剧本", "parsing"),
    "step_enriching_shots": ("用语言模型丰富镜头描述", "enriching shot descriptions"),
    "step_writing_script": ("用语言模型把故事写成剧本", "writing the story as a script"),
    "step_planning_shots": ("规划分镜", "planning"),
    "step_generating_images": ("绘制画面", "drawing panels"),
    "step_generating_voices": ("生成配音", "voicing"),
    "step_merging_assets": ("整合素材", "merging assets"),
    "step_adding_subtitles": ("字幕", "subtitles"),
    "step_adding_audio": ("混音", "mixing audio"),
    "step_rendering_video": ("渲染视频", "rendering"),
    "step_uploading": ("保存", "saving"),
    "step_retrying": ("重试", "retrying"),
    "step_cancelled": ("已取消", "cancelled"),
    "step_completed": ("完成", "completed"),
    "status_draft": ("草稿", "draft"),
    "status_generating": ("生成中", "generating"),
    "status_completed": ("已完成", "completed"),
    "status_failed": ("失败", "failed"),
    "stale": ("需更新", "stale"),
    "no_panel": ("未绘制", "not drawn"),
    # diffusion panels: how characters are kept alike, the quality preset, consistency scores
    "character_lock": ("角色锁定", "Character lock"),
    "character_lock_info": ("模型绘制时保持角色一致:none 不锁定;reference 参考角色设定图(IP-Adapter);consistent 同批镜头共享注意力",
                            "Keeps characters alike in model-drawn panels: none; reference (their character sheets, "
                            "IP-Adapter); consistent (shots of a batch share attention)"),
    "image_quality": ("画面质量", "Panel quality"),
    "image_quality_info": ("preview 步数少、出图快;final 完整步数", "preview: fewer steps, fast drafts; final: full steps"),
    "scene_reference": ("场景参考", "Scene reference"),
    "scene_reference_info": ("同一场景的镜头保持同一地点:先画场景首个镜头,其余镜头以它为参考(需 diffusers 与 IP-Adapter;草图后端无效)",
                             "Shots of one scene keep one place: its first shot is drawn first and steers the others "
                             "(diffusers with an IP-Adapter; no effect with the sketch backend)"),
    "switch_on": ("开", "on"),
    "switch_off": ("关", "off"),
    "msg_panel_settings": ("已设置:角色锁定 {lock},画面质量 {quality},场景参考 {scene}(从下次绘制起生效)",
                           "Set: character lock {lock}, panel quality {quality}, scene reference {scene} (applies to "
                           "panels drawn from now on)"),
    # a panel's scores per character in the grid: to its reference, to its other panels, how much a copy it is
    "score_reference": ("参考 {value}", "ref {value}"),
    "score_others": ("镜头 {value}", "shots {value}"),
    "score_copy": ("照搬 {value}", "copy {value}"),
    "consistency_low": ("偏低({why})", "low ({why})"),
    "consistency_unlike": ("不够像", "too unlike"),
    "consistency_copy": ("照搬参考图", "a copy"),
    "msg_not_measured": ("一致性未测量(设置 COMICREEL_CONSISTENCY_MODEL)",
                         "consistency not measured (set COMICREEL_CONSISTENCY_MODEL)"),
    "step_generating_reference_image": ("绘制角色设定图", "drawing character sheets"),
    "step_measuring_consistency": ("测量角色一致性", "measuring consistency"),
}  # fmt: skip

I18N = gr.I18n(
    en={k: v[1] for k, v in TEXTS.items()},
    zh={k: v[0] for k, v in TEXTS.items()},
    **{"zh-CN": {k: v[0] for k, v in TEXTS.items()}, "zh-TW": {k: v[0] for k, v in TEXTS.items()}},
)


# Gradio's own translation tables are merged with ours, and these names are groups of its messages there: a label
# with one of them shows "[object Object]" (as "video" once did).
GRADIO_GROUPS = frozenset({
    "annotated_image", "audio", "blocks", "chat_interface", "chatbot", "checkbox", "code", "color_picker", "common",
    "dataframe", "dropdown", "errors", "file", "highlighted_text", "image", "image_editor", "label", "login", "number",
    "plot", "radio", "slider", "status", "upload_text", "video",
})  # fmt: skip


def t(key: str) -> Any:
    """A label Gradio translates in the browser."""
    if key not in TEXTS:
        raise KeyError(f"no studio text {key!r}: add it to studio/ui/i18n.py")
    if key in GRADIO_GROUPS:
        raise KeyError(f"{key!r} names a group of Gradio's own messages: choose another key")
    return I18N(key)


def say(key: str, lang: Lang, **values: Any) -> str:
    """A message the server writes, in `lang`."""
    zh, en = TEXTS[key]
    return (zh if lang == "zh" else en).format(**values)


def step_label(step: str | None, lang: Lang) -> str:
    step = (step or "").split(":")[0]
    return say(f"step_{step}", lang) if f"step_{step}" in TEXTS else step


LANG_COOKIE = "comicreel_lang"

# The page copies the language Gradio shows (the browser's, or the one picked in Gradio's settings; Gradio writes it
# to <html lang>) into a cookie, so the messages the server writes follow the same choice.
HEAD = f"""<script>
(() => {{
  const sync = () => {{
    const lang = document.documentElement.lang;
    if (lang) document.cookie = "{LANG_COOKIE}=" + encodeURIComponent(lang) + "; path=/; SameSite=Lax";
  }};
  new MutationObserver(sync).observe(document.documentElement, {{ attributes: true, attributeFilter: ["lang"] }});
  sync();
}})();
</script>"""


def request_lang(request: gr.Request | None) -> Lang:
    """The studio's language for this request: the one the page shows (its cookie), else the browser's first."""
    if request is None:
        return "en"
    chosen = _cookie(request.headers.get("cookie", ""), LANG_COOKIE)
    first = chosen or request.headers.get("accept-language", "").split(",")[0]
    return "zh" if first.strip().lower().startswith("zh") else "en"


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


# Errors the pipeline and the services write in English, as Chinese readers see them (translated at the edge).
# Each pattern matches a whole message; its groups fill the translation. Anything else is shown as it is.
_ERRORS_ZH: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.S), zh) for p, zh in [
    (r"The script is empty.*", "剧本是空的:请粘贴或上传至少有一句台词的剧本。"),
    (r"The script has (\d+) characters; the limit is (\d+).*", "剧本有 {0} 个字符,上限是 {1}:请分集。"),
    (r"The script holds a control character \((U\+[0-9A-F]+)\) on line (\d+).*",
     "剧本第 {1} 行有控制字符 ({0}):是二进制文件吗?请存为 UTF-8 纯文本。"),
    (r"The file is too large.*?(\d+) bytes.*", "文件太大:剧本最多 {0} 字节。"),
    (r"The file is not text.*", "这不是文本文件(不是 UTF-8、UTF-16 或 GB18030):请存为 UTF-8 纯文本。"),
    (r"No dialogue, narration or action line was found.*",
     "没有找到台词、旁白或动作:请写成“小明(紧张): 你好”或“旁白: …”(或用 Fountain/Markdown)后再解析。"),
    (r"The project has no script.*", "项目还没有剧本:请先保存剧本再解析。"),
    (r"The script has not been parsed yet.*", "剧本还没有解析:请先解析再生成分镜。"),
    (r"[Tt]he project has no storyboard yet.*", "还没有分镜:先解析剧本并生成分镜。"),
    (r"the project has no rendered video yet.*", "还没有渲染好的视频:请先渲染。"),
    (r"The script has (\d+) lines; merging .* leaves (\d+) shots, more than max_shots \((\d+)\).*",
     "剧本有 {0} 行，合并动作、旁白和同一角色的连续台词后仍有 {1} 个镜头，超过上限 {2}：请调高上限或分集。"),
    (r"ffmpeg could not render the video.*", "视频渲染失败 (ffmpeg):服务器日志里有详情。"),
    (r"espeak-ng could not voice (.*) \(exit code.*", "无法为 {0} 配音 (espeak-ng):服务器日志里有详情。"),
    (r"(\S+) is not installed: (.*)", "没有安装 {0}:{1}"),
    (r"(.+?) failed unexpectedly; the server log has the details \(task ([0-9a-f-]+)\)\.",
     "任务意外失败,服务器日志里有详情 (任务 {1})。"),
    (r"name must be 1-(\d+) characters", "名称须为 1 到 {0} 个字符。"),
    (r"description must be at most (\d+) characters", "描述最多 {0} 个字符。"),
    (r"project (\S+) does not exist", "项目 {0} 不存在。"),
    (r"shot (\S+) does not exist in this project", "此项目中没有镜头 {0}。"),
    (r"task (\S+) is already (\w+)", "任务 {0} 已经结束 ({1})。"),
    (r"(\w+) cannot be null; leave it out to keep it", "{0} 不能为空。"),
]]  # fmt: skip


def localize_error(message: str, lang: Lang) -> str:
    """An error message in `lang` (English messages are the source; known ones have a Chinese translation)."""
    if lang == "zh":
        for pattern, template in _ERRORS_ZH:
            if match := pattern.fullmatch(message.strip()):
                return template.format(*match.groups())
    return message

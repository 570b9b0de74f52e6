"""The studio's words in Chinese and English: one table of pairs (so neither language can miss a key), Gradio's
`gr.I18n` for labels (chosen from the browser, switchable in Gradio's settings), and `say()` for messages the server
writes (errors, summaries), in the language of the request."""

from __future__ import annotations

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
    "voice_gender": ("声音性别", "Voice gender"),
    "voice_variant": ("音色", "Voice variant"),
    "pitch": ("音高", "Pitch"),
    "speed": ("语速", "Speed"),
    "preview_voice": ("试听", "Preview voice"),
    "reference_image": ("参考图", "Reference image"),
    "generate_reference": ("生成参考图", "Generate reference image"),
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
    "prompt_override": ("临时提示词 (可选)", "Prompt override (optional)"),
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
    # export
    "render": ("渲染视频", "Render video"),
    "resolution": ("分辨率", "Resolution"),
    "video_player": ("视频", "Video"),
    "downloads": ("下载 (MP4 + SRT)", "Download (MP4 + SRT)"),
    # messages the server writes
    "msg_created": ("已创建 **{name}** ({aspect})", "Created **{name}** ({aspect})"),
    "msg_opened": ("已打开 **{name}** · {status}", "Opened **{name}** · {status}"),
    "msg_pick_project": ("先创建或选择一个项目。", "Create or pick a project first."),
    "msg_bad_project": ("项目 ID 无效:请从列表中选择项目。", "That project ID is not valid: pick one from the list."),
    "msg_saved": ("已保存 v{version} · {format} · {words} 字/词 · ≈{seconds}秒",
                  "Saved v{version} · {format} · {words} words · ≈{seconds}s"),
    "msg_parsed": ("解析完成:**{scenes}** 场景 · **{shots}** 镜头 · ≈{seconds}秒 · 角色:{cast}",
                   "Parsed: **{scenes}** scenes · **{shots}** shots · ≈{seconds}s · characters: {cast}"),
    "msg_restored": ("已恢复 v{old},保存为 v{new}", "Restored v{old} as v{new}"),
    "msg_planned": ("**{shots}** 个镜头 · ≈{seconds}秒", "**{shots}** shots · ≈{seconds}s"),
    "msg_stale_count": ("过期:{images} 个画面,{voices} 条配音", "Stale: {images} panels, {voices} voices"),
    "msg_voiced": ("新配音 **{count}** 条 · 共 {total} 条", "Newly voiced: **{count}** · {total} lines"),
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
    "msg_bad_seed": ("种子须为 0 到 4294967295 的整数,或留空。", "The seed must be a whole number 0-4294967295, or empty."),
    "msg_shot_saved": ("已保存镜头 #{order}", "Saved shot #{order}"),
    # task steps
    "step_queued": ("排队中", "queued"),
    "step_starting": ("开始", "starting"),
    "step_parsing_script": ("解析剧本", "parsing"),
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


def request_lang(request: gr.Request | None) -> Lang:
    """The language the browser asks for first: Chinese or, otherwise, English."""
    header = request.headers.get("accept-language", "") if request is not None else ""
    first = header.split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"

"""The JSON of a 剪映 (JianYing Pro) draft: draft_content.json's skeleton, its materials, segments and tracks, and
draft_meta_info.json. Field for field it follows what pyJianYingDraft 0.3.1 (Apache-2.0) writes for JianYing 5.9+;
times are whole microseconds, and media inside the draft folder are named through JianYing's draft-path
placeholder, so the folder can be moved into any JianYing drafts directory."""

from __future__ import annotations

import json
import uuid
from typing import Any

SECOND = 1_000_000
# JianYing replaces this prefix with the draft folder's own path when it opens the draft.
DRAFT_PATH_PLACEHOLDER = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"
PHOTO_DURATION = 3 * 3600 * SECOND  # a still has no length of its own; JianYing records three hours
APP = {"app_id": 3704, "app_source": "lv", "app_version": "5.9.0", "os": "windows"}
MATERIAL_KINDS = (
    "ai_translates", "audio_balances", "audio_effects", "audio_fades", "audio_track_indexes", "audios", "beats",
    "canvases", "chromas", "color_curves", "common_mask", "digital_humans", "drafts", "effects", "flowers",
    "green_screens", "handwrites", "hsl", "images", "log_color_wheels", "loudnesses", "manual_deformations", "masks",
    "material_animations", "material_colors", "multi_language_refs", "placeholders", "plugin_effects",
    "primary_color_wheels", "realtime_denoises", "shapes", "smart_crops", "smart_relights", "sound_channel_mappings",
    "speeds", "stickers", "tail_leaders", "text_templates", "texts", "time_marks", "transitions", "video_effects",
    "video_trackings", "videos", "vocal_beautifys", "vocal_separations",
)  # fmt: skip


def us(seconds: float) -> int:
    """Seconds as whole microseconds, the unit of every time in a draft."""
    return round(seconds * SECOND)


def new_id() -> str:
    return str(uuid.uuid4()).upper()


def draft_file_path(file_name: str) -> str:
    """How a draft names a file in its own `materials/` folder."""
    return f"{DRAFT_PATH_PLACEHOLDER}/materials/{file_name}"


def timerange(start: int, duration: int) -> dict[str, int]:
    return {"start": start, "duration": duration}


# -- materials ------------------------------------------------------------------------------------------------


def photo_material(material_id: str, file_name: str, width: int, height: int) -> dict[str, Any]:
    return {
        "audio_fade": None, "category_id": "", "category_name": "local", "check_flag": 63487,
        "crop": {"upper_left_x": 0.0, "upper_left_y": 0.0, "upper_right_x": 1.0, "upper_right_y": 0.0,
                 "lower_left_x": 0.0, "lower_left_y": 1.0, "lower_right_x": 1.0, "lower_right_y": 1.0},
        "crop_ratio": "free", "crop_scale": 1.0, "duration": PHOTO_DURATION, "height": height, "id": material_id,
        "local_material_id": "", "material_id": material_id, "material_name": file_name, "media_path": "",
        "path": draft_file_path(file_name), "type": "photo", "width": width,
    }  # fmt: skip


def audio_material(material_id: str, file_name: str, duration: int) -> dict[str, Any]:
    return {
        "app_id": 0, "category_id": "", "category_name": "local", "check_flag": 3, "copyright_limit_type": "none",
        "duration": duration, "effect_id": "", "formula_id": "", "id": material_id, "local_material_id": material_id,
        "music_id": material_id, "name": file_name, "path": draft_file_path(file_name), "source_platform": 0,
        "type": "extract_music", "wave_points": [],
    }  # fmt: skip


def speed_material(material_id: str) -> dict[str, Any]:
    return {"curve_speed": None, "id": material_id, "mode": 0, "speed": 1.0, "type": "speed"}


def text_material(material_id: str, text: str, *, size: float = 8.0) -> dict[str, Any]:
    """A subtitle: white, centred, with a black outline, wrapped by JianYing at 82 % of the frame's width."""
    style = {
        "fill": {"alpha": 1.0, "content": {"render_type": "solid", "solid": {"alpha": 1.0, "color": [1.0, 1.0, 1.0]}}},
        "range": [0, len(text)], "size": size, "bold": False, "italic": False, "underline": False,
        "strokes": [{"content": {"solid": {"alpha": 1.0, "color": [0.0, 0.0, 0.0]}}, "width": 0.08}],
    }  # fmt: skip
    return {
        "id": material_id, "content": json.dumps({"styles": [style], "text": text}, ensure_ascii=False),
        "typesetting": 0, "alignment": 1, "letter_spacing": 0.0, "line_spacing": 0.02, "line_feed": 1,
        "line_max_width": 0.82, "force_apply_line_max_width": False, "check_flag": 15, "type": "subtitle",
        "global_alpha": 1.0,
    }  # fmt: skip


# -- segments and tracks --------------------------------------------------------------------------------------


def _segment(material_id: str, target: dict[str, int]) -> dict[str, Any]:
    return {
        "enable_adjust": True, "enable_color_correct_adjust": False, "enable_color_curves": True,
        "enable_color_match_adjust": False, "enable_color_wheels": True, "enable_lut": True,
        "enable_smart_color_adjust": False, "last_nonzero_volume": 1.0, "reverse": False, "track_attribute": 0,
        "track_render_index": 0, "visible": True, "id": new_id(), "material_id": material_id,
        "target_timerange": target, "common_keyframes": [], "keyframe_refs": [],
    }  # fmt: skip


def _clip(transform_y: float = 0.0) -> dict[str, Any]:
    return {"alpha": 1.0, "flip": {"horizontal": False, "vertical": False}, "rotation": 0.0,
            "scale": {"x": 1.0, "y": 1.0}, "transform": {"x": 0.0, "y": transform_y}}  # fmt: skip


def photo_segment(material_id: str, speed_id: str, start: int, duration: int) -> dict[str, Any]:
    return {
        **_segment(material_id, timerange(start, duration)),
        "source_timerange": timerange(0, duration), "speed": 1.0, "volume": 1.0, "extra_material_refs": [speed_id],
        "is_tone_modify": False, "clip": _clip(), "uniform_scale": {"on": True, "value": 1.0},
        "hdr_settings": {"intensity": 1.0, "mode": 1, "nits": 1000},
    }  # fmt: skip


def audio_segment(material_id: str, speed_id: str, start: int, duration: int, *, source_start: int = 0,
                  volume: float = 1.0) -> dict[str, Any]:  # fmt: skip
    return {
        **_segment(material_id, timerange(start, duration)),
        "source_timerange": timerange(source_start, duration), "speed": 1.0, "volume": volume,
        "extra_material_refs": [speed_id], "is_tone_modify": False, "clip": None, "hdr_settings": None,
    }  # fmt: skip


def text_segment(material_id: str, start: int, duration: int) -> dict[str, Any]:
    """A subtitle near the bottom of the frame (JianYing's own imported subtitles sit at y = -0.8)."""
    return {
        **_segment(material_id, timerange(start, duration)),
        "source_timerange": None, "speed": 1.0, "volume": 1.0, "extra_material_refs": [], "is_tone_modify": False,
        "clip": _clip(-0.8), "uniform_scale": {"on": True, "value": 1.0},
    }  # fmt: skip


def track(kind: str, name: str, segments: list[dict[str, Any]], render_index: int) -> dict[str, Any]:
    for segment in segments:
        segment["render_index"] = render_index
    return {"attribute": 0, "flag": 0, "id": new_id(), "is_default_name": False, "name": name,
            "segments": segments, "type": kind}  # fmt: skip


# -- the two files --------------------------------------------------------------------------------------------


def draft_content(
    *, name: str, draft_id: str, width: int, height: int, fps: int, duration: int, materials: dict[str, list[Any]],
    tracks: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    return {
        "canvas_config": {"height": height, "ratio": "original", "width": width}, "color_space": 0,
        "config": {
            "adjust_max_index": 1, "attachment_info": [], "combination_max_index": 1, "export_range": None,
            "extract_audio_last_index": 1, "lyrics_recognition_id": "", "lyrics_sync": True, "lyrics_taskinfo": [],
            "maintrack_adsorb": True, "material_save_mode": 0, "multi_language_current": "none",
            "multi_language_list": [], "multi_language_main": "none", "multi_language_mode": "none",
            "original_sound_last_index": 1, "record_audio_last_index": 1, "sticker_max_index": 1,
            "subtitle_keywords_config": None, "subtitle_recognition_id": "", "subtitle_sync": True,
            "subtitle_taskinfo": [], "system_font_list": [], "video_mute": False, "zoom_info_params": None,
        },
        "cover": None, "create_time": 0, "duration": duration, "extra_info": None, "fps": float(fps),
        "free_render_index_mode_on": False, "group_container": None, "id": draft_id, "keyframe_graph_list": [],
        "keyframes": {k: [] for k in ("adjusts", "audios", "effects", "filters", "handwrites", "stickers", "texts",
                                      "videos")},
        "last_modified_platform": dict(APP), "platform": dict(APP),
        "materials": {kind: list(materials.get(kind, [])) for kind in MATERIAL_KINDS},
        "mutable_config": None, "name": name, "new_version": "110.0.0", "relationships": [],
        "render_index_track_mode_on": False, "retouch_cover": None, "source": "default", "static_cover_image_path": "",
        "time_marks": None, "tracks": tracks, "update_time": 0, "version": 360000,
    }  # fmt: skip


def draft_meta_info(*, name: str, draft_id: str, duration: int, now_us: int) -> dict[str, Any]:
    return {
        "cloud_package_completed_time": "", "draft_cloud_capcut_purchase_info": "",
        "draft_cloud_last_action_download": False, "draft_cloud_materials": [], "draft_cloud_purchase_info": "",
        "draft_cloud_template_id": "", "draft_cloud_tutorial_info": "", "draft_cloud_videocut_purchase_info": "",
        "draft_cover": "", "draft_deeplink_url": "",
        "draft_enterprise_info": {"draft_enterprise_extra": "", "draft_enterprise_id": "", "draft_enterprise_name": "",
                                  "enterprise_material": []},
        "draft_fold_path": "", "draft_id": draft_id, "draft_is_ai_packaging_used": False, "draft_is_ai_shorts": False,
        "draft_is_ai_translate": False, "draft_is_article_video_draft": False, "draft_is_from_deeplink": "false",
        "draft_is_invisible": False,
        "draft_materials": [{"type": t, "value": []} for t in (0, 1, 2, 3, 6, 7, 8)],
        "draft_materials_copied_info": [], "draft_name": name, "draft_new_version": "",
        "draft_removable_storage_device": "", "draft_root_path": "", "draft_segment_extra_info": [], "draft_type": "",
        "tm_draft_cloud_completed": "", "tm_draft_cloud_modified": 0, "tm_draft_create": now_us,
        "tm_draft_modified": now_us, "tm_draft_removed": 0, "tm_duration": duration,
    }  # fmt: skip

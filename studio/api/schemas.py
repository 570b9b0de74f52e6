"""Request bodies (`XCreate`, `XUpdate`: unknown fields and nulls refused) and response data (`XPublic`)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from pipeline.export import ExportKind
from pipeline.models import AspectRatio as Aspect
from pipeline.models import CameraType, ShotKind, Style, Transition
from pipeline.motion import Motion
from pipeline.parse import MAX_SCRIPT_CHARS, Format
from pipeline.presets import Corner, Platform, RenderResolution, SubtitleStyle, TextMode, VideoFormat
from pipeline.shot_requests import Lock, Quality
from pipeline.tts.base import VOICE_PITCH, VOICE_SPEED, VOICE_VARIANTS, VoiceEngine, VoiceGender
from studio.audio import MAX_BYTES as MAX_UPLOAD_BYTES
from studio.audio import MAX_FADE, MAX_OFFSET, MAX_SHOT_EFFECTS, MAX_START, MAX_VOLUME
from studio.edit_checks import (
    MAX_CHARACTER_NAME,
    MAX_IN_FRAME,
    MAX_PREVIEW_TEXT,
    MAX_REFERENCE_BYTES,
    MAX_SEED,
    MAX_TEXT,
)
from studio.projects import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


LOCK_DOC = ("How panels drawn by a model (COMICREEL_IMAGE_BACKEND=diffusers) keep each character alike: none; "
            "reference (conditioned on the character's reference picture through IP-Adapter; a character without one "
            "gets a character sheet drawn first); consistent (the shots of a batch sharing a character share "
            "self-attention). Applies to panels drawn from now on.")  # fmt: skip
QUALITY_DOC = ("The preset model-drawn panels use: preview (COMICREEL_DIFFUSERS_PREVIEW_STEPS, fast drafts) or final "
               "(COMICREEL_DIFFUSERS_FINAL_STEPS); after a switch to final, update-stale redraws the preview panels.")
SCENE_REFERENCE_DOC = ("Keep the shots of one scene in one place: each scene's first shot is drawn first and its panel "
                       "conditions the scene's other shots through IP-Adapter (COMICREEL_DIFFUSERS_SCENE_REFERENCE_SCALE"
                       "); redrawing that first shot makes the others stale. Only with COMICREEL_IMAGE_BACKEND=diffusers "
                       "and COMICREEL_DIFFUSERS_IP_ADAPTER set; the sketch backend ignores it.")  # fmt: skip


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("cannot be null; leave the field out to keep its value")
    return value


# -- requests ------------------------------------------------------------------------------------------------


class ProjectCreate(Body):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_CHARS)
    style: Style = "comic"
    aspect_ratio: Aspect = "9:16"
    target_duration: int | None = Field(
        None, ge=5, le=3600, description="Seconds the video should last; shots without a voice stretch toward it."
    )
    character_lock: Lock = Field("none", description=LOCK_DOC)
    image_quality: Quality = Field("final", description=QUALITY_DOC)
    scene_reference: StrictBool = Field(False, description=SCENE_REFERENCE_DOC)


class ProjectUpdate(Body):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME_CHARS)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_CHARS)
    style: Style | None = None
    aspect_ratio: Aspect | None = None
    target_duration: int | None = Field(None, ge=5, le=3600)
    character_lock: Lock | None = Field(None, description=LOCK_DOC)
    image_quality: Quality | None = Field(None, description=QUALITY_DOC)
    scene_reference: StrictBool | None = Field(None, description=SCENE_REFERENCE_DOC)

    @field_validator("name", "style", "aspect_ratio", "character_lock", "image_quality", "scene_reference",
                     mode="before")  # fmt: skip
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class ScriptCreate(Body):
    content: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)
    format: Format | None = None


class StoryboardOptions(Body):
    max_shots: int = Field(200, ge=1, le=1000, description="At most this many shots: beyond it the least important "
                           "neighbours are merged (an action into a line, narration into narration, a speaker's lines "
                           "into one); a script that cannot be merged so far is refused.")  # fmt: skip
    enrich: bool = Field(False, description="Let the configured language model (COMICREEL_LLM_BACKEND) write richer "
                         "shot descriptions, added to each panel's prompt; without one the planned ones are kept, "
                         "with a warning.")  # fmt: skip
    shot_duration_range: tuple[float, float] = Field(
        (2.0, 8.0), description="Shortest and longest length of a shot without a voice, in seconds (0.5-30)."
    )

    @field_validator("shot_duration_range")
    @classmethod
    def _range(cls, value: tuple[float, float]) -> tuple[float, float]:
        low, high = value
        if not 0.5 <= low <= high <= 30:
            raise ValueError("must be [min, max] seconds with 0.5 <= min <= max <= 30")
        return value


class StoryboardGenerate(Body):
    parsed_script_id: uuid.UUID | None = Field(None, description="Plan from this parse instead of the latest.")
    options: StoryboardOptions = StoryboardOptions()


class ShotRegenerate(Body):
    prompt_override: str | None = Field(
        None, min_length=1, max_length=2000,
        description="Words for the new panel, kept as the shot's prompt for later redraws: a diffusion model reads "
                    "it as its prompt; the sketch renderer takes place, time of day and weather words from it.",
    )  # fmt: skip
    seed: int | None = Field(
        None, ge=0, le=MAX_SEED, description="Draw with this seed (the same seed and inputs give the same panel); "
                                             "by default a new random seed, so the picture changes.",
    )  # fmt: skip


class WatermarkSettings(Body):
    enabled: bool = False
    text: str = Field("", max_length=60, description="The mark's text (shown when enabled).")
    position: Corner = Field("bottom-right", description="A corner of the platform's safe area.")
    opacity: float = Field(0.7, ge=0.05, le=1.0)


class RenderRequest(Body):
    """How to render (seed §3.6). A preview is always 720p with the fastest settings; `resolution` is for finals."""

    resolution: RenderResolution = Field("1080p", description="The frame's short side: 720p, 1080p or 4k (2160).")
    format: VideoFormat = "mp4"
    platform_preset: Platform = Field("custom", description="Size, frame rate, bitrate cap and safe zone of a "
                                                            "platform; custom: the project's aspect ratio at 25 fps.")
    subtitle_style: SubtitleStyle = "simple"
    text_mode: TextMode = Field("subtitles", description="Where dialogue shows: burnt-in subtitles, speech bubbles "
                                                         "in the panel, or both.")
    watermark: WatermarkSettings = Field(default_factory=WatermarkSettings)
    title: str = Field("", max_length=80, description="Shown over the opening seconds and on the cover image.")
    motion_comic: bool = Field(True, description="Panels move in layers: the characters apart from the background "
                               "(parallax), the speaker's mouth with their voice, blinks. False: each panel moves as "
                               "one picture.")  # fmt: skip

    def settings(self, kind: str) -> dict[str, Any]:
        mark = self.watermark
        return {"kind": kind, "platform": self.platform_preset, "resolution": self.resolution, "format": self.format,
                "text_mode": self.text_mode, "subtitle_style": self.subtitle_style, "title": self.title.strip(),
                "motion_comic": self.motion_comic,
                "watermark": {"text": mark.text.strip() if mark.enabled else "", "position": mark.position,
                              "opacity": mark.opacity}}  # fmt: skip


class SubtitleCreate(Body):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    start_time: float = Field(ge=0, le=36000, description="Seconds from the start of the video.")
    end_time: float = Field(gt=0, le=36000)
    shot_id: uuid.UUID | None = Field(None, description="Tie it to a shot: it then moves with the shot.")


class SubtitleUpdate(Body):
    """Fields left out keep their value. An edited line keeps its text over the shot's line in later renders and
    moves with its shot."""

    text: str | None = Field(None, min_length=1, max_length=MAX_TEXT)
    start_time: float | None = Field(None, ge=0, le=36000)
    end_time: float | None = Field(None, gt=0, le=36000)

    _not_null = field_validator("text", "start_time", "end_time", mode="before")(_refuse_null)


class ExportCreate(Body):
    kind: ExportKind = Field(description="webtoon: one tall PNG (a zip of numbered PNGs past 60000 px); pdf: comic "
                                         "pages (A4); jianying: a zipped 剪映 draft folder to finish in JianYing.")  # fmt: skip


# -- responses -----------------------------------------------------------------------------------------------


class ProjectCreated(BaseModel):
    project_id: str
    status: str


class BundlePublic(BaseModel):
    key: str = Field(description="Where the bundle is stored: projects/<id>/exports/bundle_<stamp>.zip.")
    file_name: str
    file_size: int = Field(description="Bytes.")
    download_url: str = Field(description="A signed URL to download the zip from, until expires_at.")
    expires_at: str


class ScriptPublic(BaseModel):
    content: str
    format: str
    version: int


class ProjectPublic(BaseModel):
    id: str
    name: str
    description: str | None
    style: str
    aspect_ratio: str
    target_duration: int | None
    status: str
    progress: int
    created_at: str
    updated_at: str
    character_lock: Lock = Field(description=LOCK_DOC)
    image_quality: Quality = Field(description=QUALITY_DOC)
    scene_reference: bool = Field(False, description=SCENE_REFERENCE_DOC)
    script: ScriptPublic | None = None


class ProjectPage(BaseModel):
    projects: list[ProjectPublic]
    total: int
    page: int
    page_size: int


class ScriptSaved(BaseModel):
    script_id: str
    version: int
    word_count: int = Field(description="Hanzi one each, words of other languages one each.")
    estimated_duration: int = Field(description="Seconds the video will last, from the parsed shots and the voices' "
                                    "speaking rates (COMICREEL_SPEAKING_RATE_ZH / _EN).")  # fmt: skip
    format: str


class ParsedPublic(BaseModel):
    parse_id: str
    scenes: list[dict[str, Any]]
    characters: list[dict[str, Any]]
    metadata: dict[str, Any]


class VoicePublic(BaseModel):
    gender: VoiceGender
    variant: int
    pitch: int
    speed: float
    engine: VoiceEngine | None = Field(description="The engine chosen for this character; null: the project's.")


class ReferenceVersion(BaseModel):
    key: str
    url: str = Field(description="A signed URL to the picture, until it expires.")
    is_current: bool
    params: dict[str, Any] = Field(description="What it was made from: `source` drawn (with the panel parameters: "
                                   "backend, model, seed, prompt, steps, guidance…) or uploaded (with its sha256), "
                                   "and `created_at`.")  # fmt: skip


class CharacterPublic(BaseModel):
    id: str
    name: str
    description: str | None
    attributes: dict[str, Any]
    appearance: dict[str, Any]
    profile: dict[str, Any] = Field(description="What the studio reads from the attributes and appearance words: "
                                    "gender, age_group, build, hair, clothing, accessories, and the words it did not "
                                    "understand (unknown).")  # fmt: skip
    voice_id: str | None
    voice: VoicePublic = Field(description="The voice the character's lines are spoken in: its settings over the "
                                           "voice derived from its name and attributes.")  # fmt: skip
    reference_image_key: str | None
    reference_image_url: str | None
    stale_panels: int = Field(description="Panels with this character in frame drawn before its latest change.")
    reference_versions: list[ReferenceVersion] = Field(description="Its reference pictures in the order they were "
                                                       "last made current (10 kept); the last is reference_image_key.")  # fmt: skip


class CharacterList(BaseModel):
    characters: list[CharacterPublic]


class TaskQueued(BaseModel):
    task_id: str
    status: str


class ParseQueued(TaskQueued):
    parse_id: str | None = None


class BatchQueued(BaseModel):
    batch_task_id: str
    status: str
    total_shots: int | None = None
    total_dialogues: int | None = None


class RenderQueued(BaseModel):
    render_task_id: str
    status: str
    estimated_time: int = Field(description="Seconds the render is expected to take (panels and voices included).")


class SubtitlePublic(BaseModel):
    subtitle_id: str
    shot_id: str | None
    text: str
    start_time: float
    end_time: float
    origin: Literal["auto", "edited", "manual"] = Field(description="auto: made by the last render from the shot's "
                                                        "line; edited: changed by the creator; manual: added.")


CONSISTENCY_DOC = ("How alike each character in frame stays, by name (measured when COMICREEL_CONSISTENCY_MODEL is "
                   "set; null: not measured).")


class CharacterConsistency(BaseModel):
    reference: float | None = Field(description="Cosine similarity of the panel to the character's reference picture "
                                    "(null: it has none).")  # fmt: skip
    others: float | None = Field(description="Mean cosine similarity to the character's other panels (null: none).")
    copy_paste: float | None = Field(description="0: no nearer the reference than to its other panels; 1: the "
                                     "reference picture itself (a copy, not consistency).")  # fmt: skip


class DialoguePublic(BaseModel):
    character: str | None
    text: str
    emotion: str | None
    audio_key: str | None
    audio_url: str | None
    audio_duration: float | None


class ShotPublic(BaseModel):
    shot_id: str
    order: int
    type: str
    kind: str
    scene_description: str
    characters: list[str]
    duration: float
    transition: str
    motion: str
    image_key: str | None
    image_url: str | None
    prompt_used: str
    generation_params: dict[str, Any]
    status: str
    dialogue: DialoguePublic | None
    text: str
    sound_effects: list[str | dict[str, Any]] = Field(description="The script's cues (strings) and the effects "
                                                                   "added to the shot (see GET .../audio).")
    prompt_override: str | None = Field(description="The creator's words for the panel (null: the planned prompt).")
    image_stale: bool = Field(description="The panel was drawn from other inputs than the shot and its cast have now.")
    voice_stale: bool = Field(description="The voice was made from another text, emotion or voice than now.")
    seed: int | None = Field(description="The current panel's seed.")
    consistency: dict[str, CharacterConsistency] | None = Field(
        None, description=CONSISTENCY_DOC + " From generation_params.consistency."
    )

    @model_validator(mode="before")
    @classmethod
    def _consistency_from_params(cls, data: Any) -> Any:
        if isinstance(data, dict) and "consistency" not in data:
            return {**data, "consistency": (data.get("generation_params") or {}).get("consistency")}
        return data


class StoryboardPublic(BaseModel):
    storyboard_id: str
    aspect_ratio: str
    style: str
    shots: list[ShotPublic]


class VideoPublic(BaseModel):
    video_id: str
    type: Literal["preview", "final"]
    format: str
    video_key: str
    subtitles_key: str | None
    ass_key: str | None
    cover_key: str | None
    download_url: str
    subtitles_url: str | None
    ass_url: str | None
    cover_url: str | None
    expires_at: str = Field(description="When the URLs stop working (ISO 8601, UTC); ask again for fresh ones.")
    file_size: int | None
    duration: float | None
    resolution: str
    settings: dict[str, Any]
    created_at: str


class TaskPublic(BaseModel):
    task_id: str
    type: str
    status: Literal["queued", "processing", "completed", "failed", "cancelled"]
    progress: int
    current_step: str | None
    result: dict[str, Any] | None
    error: str | None
    retry_count: int
    project_id: str | None
    created_at: str
    updated_at: str
    heartbeat_at: str | None
    estimated_remaining: int | None = Field(None, description="Seconds left at the pace so far (while processing).")


class ExportPublic(BaseModel):
    kind: ExportKind
    file_name: str
    file_size: int = Field(description="Bytes.")
    download_url: str = Field(description="A signed URL to download the file from, until expires_at.")
    expires_at: str
    created_at: str = Field(description="When the export finished.")


class ExportList(BaseModel):
    exports: list[ExportPublic] = Field(description="The newest finished export of each kind; kinds never exported "
                                                    "are left out.")  # fmt: skip


# -- the editor: characters and shots ---------------------------------------------------------------------------


class VoiceSettings(Body):
    """Settings over the derived voice; a field left out keeps the derived value."""

    gender: VoiceGender | None = None
    variant: int | None = Field(None, ge=VOICE_VARIANTS[0], le=VOICE_VARIANTS[1], description="Which voice of that gender.")
    pitch: int | None = Field(None, ge=VOICE_PITCH[0], le=VOICE_PITCH[1])
    speed: float | None = Field(None, ge=VOICE_SPEED[0], le=VOICE_SPEED[1], description="1.0 is normal speed.")
    engine: VoiceEngine | None = Field(
        None, description="The engine that speaks this character (espeak, piper, coqui); left out: the project's "
        "(COMICREEL_TTS_ENGINE). A line it cannot voice is voiced by espeak-ng, and the task says so.",
    )  # fmt: skip


Words = str
Attributes = dict[str, Words]
Appearance = dict[str, Words | list[Words]]


class CharacterCreate(Body):
    name: str = Field(min_length=1, max_length=MAX_CHARACTER_NAME, description="Unique in the project.")
    description: str | None = Field(None, max_length=MAX_TEXT)
    attributes: Attributes | None = Field(None, description="e.g. {\"gender\": \"女\", \"role\": \"高中生\", \"age\": \"17\"}")
    appearance: Appearance | None = Field(
        None, description="What panels draw, e.g. {\"hair\": \"黑色长发\", \"clothing\": \"校服\", \"features\": [\"眼镜\"]}"
    )
    voice: VoiceSettings | None = None


class CharacterUpdate(Body):
    """Fields left out keep their value; a new name follows into the storyboard and keeps the character's voice;
    null attributes, appearance or voice clear them (voice: back to the derived voice)."""

    name: str | None = Field(None, min_length=1, max_length=MAX_CHARACTER_NAME)
    description: str | None = Field(None, max_length=MAX_TEXT)
    attributes: Attributes | None = None
    appearance: Appearance | None = None
    voice: VoiceSettings | None = None

    _name_not_null = field_validator("name", mode="before")(_refuse_null)


class ReferenceChoice(Body):
    key: str = Field(min_length=1, max_length=500, description="One of the character's reference_versions keys.")


class ReferenceImageUpload(Body):
    """The picture: `image_base64` or `asset_id`, one of the two."""

    image_base64: str | None = Field(
        None, min_length=1, max_length=(MAX_REFERENCE_BYTES + 2) // 3 * 4,
        description="A PNG, JPEG or WebP picture (at most 8 MB and 4096 px a side), base64-encoded; the request "
                    "body limit (COMICREEL_MAX_REQUEST_BYTES) applies too.",
    )  # fmt: skip
    asset_id: uuid.UUID | None = Field(None, description="An image uploaded to the project (POST "
                                       "/api/v1/assets/upload-complete); the character gets a copy of it.")  # fmt: skip


class VoicePreviewRequest(Body):
    voice: VoiceSettings | None = Field(None, description="Settings to hear over the character's voice (not saved).")
    text: str | None = Field(None, min_length=1, max_length=MAX_PREVIEW_TEXT,
                             description="The line to say; by default a greeting with the character's name.")  # fmt: skip


class ShotUpdate(Body):
    """Fields left out keep their value; null emotion, speaker or prompt clear them (prompt: back to the planned
    prompt). The panel and the voice become stale where what they show or say changed."""

    text: str | None = Field(None, max_length=MAX_TEXT, description="The line (dialogue, narration) or caption (action).")
    scene_description: str | None = Field(None, max_length=MAX_TEXT)
    prompt: str | None = Field(None, max_length=MAX_TEXT, description="The creator's words for the panel.")
    camera: CameraType | None = None
    emotion: str | None = Field(None, max_length=50)
    characters: list[str] | None = Field(None, max_length=MAX_IN_FRAME, description="Who is in frame (cast names).")
    speaker: str | None = Field(None, description="Who says a dialogue line (a cast name).")
    duration: float | None = Field(None, ge=0.5, le=30, description="Seconds; only action shots (a voiced shot lasts "
                                                                     "as long as its voice).")  # fmt: skip
    transition: Transition | None = None
    motion: Motion | None = Field(None, description="The camera move in the video: auto (from the camera), none, "
                                                    "zoom-in/out (on the speaker), pan-left/right/up/down.")

    _not_null = field_validator("text", "scene_description", "camera", "characters", "duration", "transition",
                                "motion", mode="before")(_refuse_null)  # fmt: skip


class ShotInsert(Body):
    """A new shot; place, time and scene come from the shot before it (or after it, when inserted first)."""

    after_shot_id: uuid.UUID | None = Field(None, description="Insert after this shot; first when left out.")
    kind: ShotKind
    text: str = Field("", max_length=MAX_TEXT, description="Required for dialogue and narration.")
    speaker: str | None = None
    emotion: str | None = Field(None, max_length=50)
    characters: list[str] | None = Field(None, max_length=MAX_IN_FRAME, description="By default the speaker alone.")
    camera: CameraType = "medium"
    scene_description: str = Field("", max_length=MAX_TEXT)
    prompt: str | None = Field(None, max_length=MAX_TEXT)
    duration: float | None = Field(None, ge=0.5, le=30, description="Seconds, for action shots (default 3).")
    transition: Transition = "dissolve"
    motion: Motion = "auto"


class ShotReorder(Body):
    shot_ids: list[uuid.UUID] = Field(min_length=1, description="Every shot of the storyboard once, in the new order.")


class ShotImagePublic(BaseModel):
    image_id: str
    image_key: str
    image_url: str
    seed: int
    prompt: str
    created_at: str
    is_current: bool
    params: dict[str, Any] = Field({}, description="Everything the panel was drawn from (backend, model, LoRA, seed, "
                                   "prompt, negative prompt, steps, guidance, scheduler, size, lock method…).")
    consistency: dict[str, CharacterConsistency] | None = Field(
        None, description=CONSISTENCY_DOC + " As measured while this panel was current."
    )

    @model_validator(mode="before")
    @classmethod
    def _consistency_from_params(cls, data: Any) -> Any:
        if isinstance(data, dict) and "consistency" not in data:
            return {**data, "consistency": (data.get("params") or {}).get("consistency")}
        return data


class ShotImageList(BaseModel):
    images: list[ShotImagePublic]


class VoicePreviewPublic(BaseModel):
    audio_key: str
    audio_url: str


class StaleQueued(TaskQueued):
    panels: int = Field(description="Panels to draw: stale or missing.")
    voices: int = Field(description="Lines to voice: stale or missing.")


# -- audio: the music and sound-effect library, the project's music, effects on shots, uploads, one line voiced ----


class BgmRecommend(Body):
    script_emotion: str | None = Field(
        None, min_length=1, max_length=50, description="A mood (happy, sad, tense, romantic, epic, calm, comedic, "
        "mysterious) or an emotion (开心, 害羞, nervous...); by default the script's emotions and words.",
    )  # fmt: skip
    duration: float | None = Field(None, gt=0, le=MAX_START, description="Seconds of video to score; by default the "
                                                                          "storyboard's length.")  # fmt: skip


class BgmSet(Body):
    """The project's music; with neither bgm_id nor upload_id (or both null) the music is removed."""

    bgm_id: uuid.UUID | None = Field(None, description="A library track (GET /api/v1/audio/bgm).")
    upload_id: uuid.UUID | None = Field(None, description="Music uploaded to the project (POST .../audio/uploads).")
    volume: float = Field(0.5, ge=0, le=1, description="Linear gain under the voices (1 = as recorded).")
    start_time: float = Field(0.0, ge=0, le=MAX_START, description="Second of the video the music starts at.")
    fade_in: float = Field(0.0, ge=0, le=MAX_FADE, description="Seconds.")
    fade_out: float = Field(0.0, ge=0, le=MAX_FADE, description="Seconds, before the video ends.")


class CustomEffect(Body):
    upload_id: uuid.UUID | None = Field(None, description="An effect uploaded before (POST .../audio/uploads).")
    data_base64: str | None = Field(
        None, min_length=1, description=f"A new effect: WAV, MP3, OGG or FLAC, at most 30 s and "
        f"{MAX_UPLOAD_BYTES['effect'] // 1_000_000} MB, base64-encoded (checked by decoding).",
    )  # fmt: skip
    file_name: str | None = Field(None, max_length=255, description="The new effect's name, shown in the studio.")
    volume: float = Field(1.0, ge=0, le=MAX_VOLUME, description="Linear gain (1 = as recorded).")
    offset: float = Field(0.0, ge=0, le=MAX_OFFSET, description="Seconds after the shot starts.")


class ShotEffectsAdd(Body):
    effect_ids: list[str] = Field(default_factory=list, max_length=MAX_SHOT_EFFECTS,
                                  description="Library effects: ids or keys (GET /api/v1/audio/sound-effects).")
    volume: float = Field(1.0, ge=0, le=MAX_VOLUME, description="Linear gain of the effect_ids (1 = as recorded).")
    offset: float = Field(0.0, ge=0, le=MAX_OFFSET, description="Seconds after the shot starts, for the effect_ids.")
    custom_effects: list[CustomEffect] = Field(default_factory=list, max_length=MAX_SHOT_EFFECTS)


class AudioUpload(Body):
    """The sound: `data_base64` or `asset_id`, one of the two."""

    kind: Literal["effect", "music"] = Field(description="effect: at most 30 s and 2 MB; music: at most 10 min and "
                                                         "20 MB (and the request body limit).")  # fmt: skip
    data_base64: str | None = Field(None, min_length=1, description="WAV, MP3, OGG or FLAC, base64-encoded (checked "
                                                                    "by decoding).")  # fmt: skip
    asset_id: uuid.UUID | None = Field(None, description="A sound uploaded to the project (POST "
                                       "/api/v1/assets/upload-complete), checked for the kind's limits.")  # fmt: skip
    file_name: str = Field("upload", min_length=1, max_length=255, description="Shown in the studio; with asset_id "
                                                                               "the asset's name by default.")  # fmt: skip


class TtsGenerate(Body):
    text: str = Field(min_length=1, max_length=MAX_PREVIEW_TEXT)
    character_id: uuid.UUID | None = Field(None, description="Say it in this character's voice (and its project).")
    project_id: uuid.UUID | None = Field(None, description="The project the clip belongs to; needed without "
                                                           "character_id (the narrator's voice then).")  # fmt: skip
    voice_id: str | None = Field(None, max_length=100, description="Not supported yet (refused): the voice follows "
                                                                   "character_id, speed and emotion.")  # fmt: skip
    emotion: str | None = Field(None, min_length=1, max_length=50, description="e.g. 伤心, excited: changes delivery.")
    speed: float | None = Field(None, ge=VOICE_SPEED[0], le=VOICE_SPEED[1], description="1.0 is the voice's own pace.")


class BgmPublic(BaseModel):
    id: str
    key: str | None = Field(description="The catalog id (a stable slug).")
    name: str
    name_en: str
    category: str | None
    duration: int = Field(description="Seconds.")
    url: str = Field(description="Where the browser plays it (this app's /library/audio/...).")
    preview_url: str
    license_type: str
    tags: list[str]


class BgmPage(BaseModel):
    bgm_list: list[BgmPublic]
    total: int
    page: int
    page_size: int


class BgmRecommendation(BaseModel):
    bgm_id: str
    key: str
    name: str
    name_en: str
    category: str
    duration: float
    score: float = Field(description="0-1: mostly the mood fit, partly the length fit.")
    url: str


class BgmRecommendations(BaseModel):
    moods: dict[str, float] = Field(description="The moods scored against, weights summing to 1.")
    duration: float
    recommendations: list[BgmRecommendation]


class SoundEffectPublic(BaseModel):
    id: str
    key: str | None
    name: str
    name_en: str
    category: str | None
    duration: float
    url: str
    tags: list[str]


class SoundEffectList(BaseModel):
    sound_effects: list[SoundEffectPublic]


class ShotEffectPublic(BaseModel):
    index: int = Field(description="Its place in the shot's list (DELETE .../sound-effects/{index}).")
    type: Literal["cue", "library", "upload"] = Field(description="cue: from the script, matched by name and tag.")
    name: str
    cue: str | None
    effect_id: str | None = Field(description="The library effect's id (for a cue: the one it matched).")
    key: str | None = Field(description="The library effect's catalog key, e.g. heartbeat.")
    upload_id: str | None
    volume: float
    offset: float
    url: str | None
    matched: bool = Field(description="False for a script cue no library effect matches (it stays silent).")


class ShotAudioPublic(BaseModel):
    shot_id: str
    order: int
    sound_effects: list[ShotEffectPublic]


class AudioWarning(BaseModel):
    shot_id: str
    order: int
    cue: str
    message: str


class ProjectMusicPublic(BaseModel):
    bgm_id: str | None
    upload_id: str | None
    key: str | None
    name: str
    category: str | None
    duration: float
    url: str
    volume: float
    start_time: float
    fade_in: float
    fade_out: float


class ProjectAudioPublic(BaseModel):
    bgm: ProjectMusicPublic | None
    shots: list[ShotAudioPublic]
    warnings: list[AudioWarning] = Field(description="Script cues no library effect matches.")


class AudioUploadPublic(BaseModel):
    upload_id: str
    kind: Literal["effect", "music"]
    file_name: str
    format: str
    duration: float
    file_size: int
    key: str
    url: str


# -- assets (seed §3.7): files uploaded straight to storage, checked when the upload completes ---------------------


class UploadTokenPublic(BaseModel):
    upload_url: str = Field(description="PUT the file's bytes here (any Content-Type) before expires_at: a presigned "
                            "S3 URL, or this app's /files/upload/<token> with local storage.")  # fmt: skip
    upload_token: str = Field(description="The credential upload_url carries (local storage: its signed token; S3: "
                              "its presigned query); nothing else is needed to upload.")  # fmt: skip
    file_key: str = Field(description="Where the file lands; send it to POST /api/v1/assets/upload-complete.")
    expires_at: str
    max_bytes: int = Field(description="The largest file accepted (COMICREEL_MAX_UPLOAD_BYTES, and 8 MB for pictures, "
                           "20 MB for sounds).")  # fmt: skip


class UploadComplete(Body):
    file_key: str = Field(min_length=1, max_length=900, description="The upload token's file_key.")
    file_size: int = Field(ge=0, le=1_000_000_000, description="Bytes sent: must be what arrived.")
    content_type: str = Field(min_length=1, max_length=100, description="The file's type: image/png, image/jpeg, "
                              "image/webp, audio/wav, audio/mpeg, audio/ogg or audio/flac; must be what its content "
                              "is.")  # fmt: skip


class AssetPublic(BaseModel):
    id: str
    type: Literal["image", "audio"]
    file_name: str
    url: str = Field(description="A signed URL to fetch the file from (COMICREEL_SIGNED_URL_TTL).")
    size: int = Field(description="Bytes.")
    content_type: str = Field(description="As judged by the content.")
    duration: float | None = Field(description="Seconds, for a sound.")
    created_at: str


class AssetCompleted(AssetPublic):
    asset_id: str = Field(description="The new asset's id (the same as id).")


class AssetPage(BaseModel):
    assets: list[AssetPublic]
    total: int
    page: int
    page_size: int

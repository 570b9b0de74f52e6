"""Request bodies (`XCreate`, `XUpdate`: unknown fields and nulls refused) and response data (`XPublic`)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.models import AspectRatio as Aspect
from pipeline.models import Resolution, Style
from pipeline.parse import MAX_SCRIPT_CHARS, Format
from studio.projects import MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests ------------------------------------------------------------------------------------------------


class ProjectCreate(Body):
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_CHARS)
    style: Style = "comic"
    aspect_ratio: Aspect = "9:16"
    target_duration: int | None = Field(
        None, ge=5, le=3600, description="Seconds the video should last; shots without a voice stretch toward it."
    )


class ProjectUpdate(Body):
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME_CHARS)
    description: str | None = Field(None, max_length=MAX_DESCRIPTION_CHARS)
    style: Style | None = None
    aspect_ratio: Aspect | None = None
    target_duration: int | None = Field(None, ge=5, le=3600)

    @field_validator("name", "style", "aspect_ratio", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class ScriptCreate(Body):
    content: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)
    format: Format | None = None


class StoryboardOptions(Body):
    max_shots: int = Field(200, ge=1, le=1000, description="Refuse scripts with more lines than this.")
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
        description="Words for the new panel: a diffusion model reads it as its prompt; the sketch renderer takes "
                    "place, time of day and weather words from it.",
    )  # fmt: skip


class RenderFinal(Body):
    resolution: Resolution = "1080p"
    format: Literal["mp4"] = "mp4"
    platform_preset: Literal["douyin", "bilibili", "kuaishou", "youtube", "custom"] = Field(
        "custom", description="Only 'custom' for now: platform presets are not supported yet (refused with 10002)."
    )
    subtitle_style: str = Field(
        "simple", max_length=50, description="Only 'simple' for now: other styles are not supported yet."
    )


# -- responses -----------------------------------------------------------------------------------------------


class ProjectCreated(BaseModel):
    project_id: str
    status: str


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
    script: ScriptPublic | None = None


class ProjectPage(BaseModel):
    projects: list[ProjectPublic]
    total: int
    page: int
    page_size: int


class ScriptSaved(BaseModel):
    script_id: str
    version: int
    word_count: int
    estimated_duration: int
    format: str


class ParsedPublic(BaseModel):
    parse_id: str
    scenes: list[dict[str, Any]]
    characters: list[dict[str, Any]]
    metadata: dict[str, Any]


class CharacterPublic(BaseModel):
    id: str
    name: str
    description: str | None
    attributes: dict[str, Any]
    appearance: dict[str, Any]
    voice_id: str | None


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


class DialoguePublic(BaseModel):
    character: str | None
    text: str
    emotion: str | None
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
    image_key: str | None
    image_url: str | None
    prompt_used: str
    generation_params: dict[str, Any]
    status: str
    dialogue: DialoguePublic | None
    text: str
    sound_effects: list[str]


class StoryboardPublic(BaseModel):
    storyboard_id: str
    aspect_ratio: str
    style: str
    shots: list[ShotPublic]


class VideoPublic(BaseModel):
    video_id: str
    video_key: str
    subtitles_key: str | None
    download_url: str
    file_size: int | None
    duration: float | None
    resolution: str


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

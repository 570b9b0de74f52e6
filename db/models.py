"""SQLAlchemy models for the seed's tables (§3, §5.1) plus its document data as JSON/JSONB columns and rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite hands them back without their zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSONType, list[Any]: JSONType, datetime: DateTime(timezone=True)}


class _Id:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class _Stamped(_Id):
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class User(_Stamped, Base):
    __tablename__ = "users"
    email: Mapped[str] = mapped_column(String(255), unique=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active, suspended
    role: Mapped[str] = mapped_column(String(20), default="user")  # user, admin
    preferences: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Plan(Base):
    """A subscription plan and what it allows (admins edit them); subscriptions copy the quota when they start."""

    __tablename__ = "plans"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)  # free, basic, pro, enterprise
    videos_quota: Mapped[int] = mapped_column()
    description: Mapped[str] = mapped_column(String(255), default="")


class AuthSession(_Id, Base):
    """One login: its refresh tokens form a family (rotation), and every access token names it (`sid`), so logging
    out or reusing a spent refresh token revokes them all."""

    __tablename__ = "auth_sessions"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_why: Mapped[str | None] = mapped_column(String(50), default=None)


class RefreshToken(Base):
    """A refresh token, kept only as its SHA-256; `used_at` set when it is exchanged (once)."""

    __tablename__ = "refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class OAuthIdentity(Base):
    """An OpenID Connect provider's account (issuer, subject) and the local user it signs in as (social login)."""

    __tablename__ = "oauth_identities"
    issuer: Mapped[str] = mapped_column(String(255), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(String(255), default=None)  # as the provider last said
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthLogin(Base):
    """A social login under way: its `state` (kept as SHA-256) and what the callback needs, the ID token's nonce and
    the PKCE verifier. Used once; gone when the callback comes or after a few minutes."""

    __tablename__ = "oauth_logins"
    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_path: Mapped[str | None] = mapped_column(String(2000), default=None)  # where the studio's browser goes after
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Subscription(_Stamped, Base):
    __tablename__ = "subscriptions"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    plan: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="active")
    videos_quota: Mapped[int] = mapped_column(default=5)
    videos_used: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


class Project(_Stamped, Base):
    __tablename__ = "projects"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    style: Mapped[str] = mapped_column(String(50))
    aspect_ratio: Mapped[str] = mapped_column(String(10))
    target_duration: Mapped[int | None] = mapped_column(default=None)  # None: the script alone sets the length
    status: Mapped[str] = mapped_column(String(50), default="draft", index=True)
    progress: Mapped[int] = mapped_column(default=0)

    script: Mapped[Script | None] = relationship(back_populates="project", cascade="all, delete-orphan", uselist=False)
    # Project settings kept as JSON (no column per setting): the character lock and image quality of its panels.
    config_row: Mapped[ProjectConfig | None] = relationship(cascade="all, delete-orphan", uselist=False)


class ProjectConfig(_Id, Base):
    __tablename__ = "project_configs"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Script(_Stamped, Base):
    __tablename__ = "scripts"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    content: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(20), default="text")
    word_count: Mapped[int] = mapped_column(default=0)
    estimated_duration: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")  # seconds
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(back_populates="script")


class ScriptVersion(_Id, Base):
    """Every saved script text is kept, so an edit can be undone."""

    __tablename__ = "script_versions"
    __table_args__ = (UniqueConstraint("script_id", "version", name="uq_script_versions_script_version"),)
    script_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("scripts.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    content: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(20))
    word_count: Mapped[int] = mapped_column(default=0, server_default="0")
    estimated_duration: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")  # seconds
    source: Mapped[str] = mapped_column(String(20), default="creator", server_default="creator")  # or "llm"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ParsedScriptRow(_Id, Base):
    """The seed's Mongo `parsed_scripts` document: scenes and characters as one JSON value."""

    __tablename__ = "parsed_scripts"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    script_version: Mapped[int] = mapped_column(default=1)
    scenes: Mapped[list[Any]] = mapped_column(default=list)
    characters: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    parsed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CharacterRow(_Stamped, Base):
    __tablename__ = "characters"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    appearance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reference_images: Mapped[list[Any]] = mapped_column(default=list)  # storage keys, oldest first; the last is current
    # By key: what each reference picture was drawn from (the panel parameters: seed, prompt, model…) or that it was
    # uploaded, and when.
    reference_params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    embedding_data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    voice_id: Mapped[str | None] = mapped_column(String(100), default=None)
    # The creator's voice settings over the derived voice (pipeline.tts.base.voice_for): gender, variant, pitch, speed.
    voice: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StoryboardRow(_Stamped, Base):
    """The seed's Mongo `storyboards` document; its shots are rows of `shots`."""

    __tablename__ = "storyboards"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    parsed_script_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parsed_scripts.id", ondelete="SET NULL"))
    aspect_ratio: Mapped[str] = mapped_column(String(10))
    style: Mapped[str] = mapped_column(String(50))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)

    shots: Mapped[list[ShotRow]] = relationship(
        back_populates="storyboard", cascade="all, delete-orphan", order_by="ShotRow.order"
    )


class ShotRow(_Stamped, Base):
    __tablename__ = "shots"
    storyboard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("storyboards.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    order: Mapped[int] = mapped_column("order", Integer)
    scene_id: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(20))  # dialogue, narration, action
    type: Mapped[str] = mapped_column(String(20))  # camera: closeup, medium, long, over-shoulder
    scene_description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(255), default="")
    time: Mapped[str] = mapped_column(String(100), default="")
    interior: Mapped[bool | None] = mapped_column(Boolean, default=None)
    characters: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    speaker: Mapped[str | None] = mapped_column(String(100), default=None)
    emotion: Mapped[str | None] = mapped_column(String(50), default=None)
    duration: Mapped[float] = mapped_column(Float, default=3.0)
    transition: Mapped[str] = mapped_column(String(20), default="dissolve")
    motion: Mapped[str] = mapped_column(String(20), default="auto")  # the camera move in the video (pipeline.motion)
    prompt_used: Mapped[str] = mapped_column(Text, default="")  # the planned prompt
    prompt_override: Mapped[str | None] = mapped_column(Text, default=None)  # the creator's words, drawn instead
    generation_params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sound_effects: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending, generating, completed, failed
    image_key: Mapped[str | None] = mapped_column(Text, default=None)
    audio_key: Mapped[str | None] = mapped_column(Text, default=None)
    audio_duration: Mapped[float | None] = mapped_column(Float, default=None)
    # The inputs hash of the current voice (pipeline.shot_requests.voice_inputs_hash); None for older rows.
    voice_hash: Mapped[str | None] = mapped_column(String(64), default=None)

    storyboard: Mapped[StoryboardRow] = relationship(back_populates="shots")
    images: Mapped[list[ShotImage]] = relationship(cascade="all, delete-orphan", order_by="ShotImage.created_at")


class ShotImage(_Id, Base):
    """Every panel drawn for a shot, with how it was made; one is current."""

    __tablename__ = "shot_images"
    shot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shots.id", ondelete="CASCADE"), index=True)
    image_key: Mapped[str] = mapped_column(Text)
    seed: Mapped[int] = mapped_column(BigInteger)
    prompt: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The inputs hash of what it shows (pipeline.shot_requests.panel_inputs_hash); None for older rows.
    inputs_hash: Mapped[str | None] = mapped_column(String(64), default=None)


class Task(_Stamped, Base):
    __tablename__ = "tasks"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(50), index=True)
    status: Mapped[str] = mapped_column(String(50), default="queued", index=True)
    progress: Mapped[int] = mapped_column(default=0)
    current_step: Mapped[str | None] = mapped_column(String(50), default=None)
    priority: Mapped[int] = mapped_column(default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    retry_count: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    claim: Mapped[str | None] = mapped_column(String(32), default=None)  # the running worker's token
    quota_charged: Mapped[bool] = mapped_column(Boolean, default=False)  # a final render holding one of the quota


class Video(_Id, Base):
    __tablename__ = "videos"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    storyboard_id: Mapped[str | None] = mapped_column(String(100), default=None)
    type: Mapped[str] = mapped_column(String(20))  # preview, final
    output_url: Mapped[str | None] = mapped_column(Text, default=None)  # the storage key
    subtitles_key: Mapped[str | None] = mapped_column(Text, default=None)  # SRT
    ass_key: Mapped[str | None] = mapped_column(Text, default=None)
    cover_key: Mapped[str | None] = mapped_column(Text, default=None)  # a JPEG thumbnail
    segments: Mapped[list[Any]] = mapped_column(default=list)  # the hashes of its per-shot segments (the cache keys)
    resolution: Mapped[str] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10), default="mp4")
    file_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    duration: Mapped[float | None] = mapped_column(Float, default=None)
    render_status: Mapped[str] = mapped_column(String(50), default="pending")
    render_progress: Mapped[int] = mapped_column(default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class BGM(_Id, Base):
    __tablename__ = "bgm"
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(50), index=True)
    duration: Mapped[int] = mapped_column()
    file_url: Mapped[str] = mapped_column(Text)
    preview_url: Mapped[str | None] = mapped_column(Text, default=None)
    license_type: Mapped[str] = mapped_column(String(50), default="royalty_free")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SoundEffect(_Id, Base):
    __tablename__ = "sound_effects"
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(50), index=True)
    file_url: Mapped[str] = mapped_column(Text)
    duration: Mapped[float] = mapped_column(Float)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Asset(_Id, Base):
    __tablename__ = "assets"
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    type: Mapped[str] = mapped_column(String(50), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    file_key: Mapped[str] = mapped_column(Text, unique=True)
    file_size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class ProjectAudio(_Id, Base):
    __tablename__ = "project_audio"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    bgm_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bgm.id", ondelete="SET NULL"), index=True)
    bgm_volume: Mapped[float] = mapped_column(Float, default=0.5)
    bgm_start_time: Mapped[float] = mapped_column(Float, default=0.0)
    fade_in: Mapped[float] = mapped_column(Float, default=0.0)
    fade_out: Mapped[float] = mapped_column(Float, default=0.0)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Subtitle(_Stamped, Base):
    __tablename__ = "subtitles"
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    shot_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shots.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    start_time: Mapped[float] = mapped_column(Float)
    end_time: Mapped[float] = mapped_column(Float)
    style: Mapped[dict[str, Any]] = mapped_column(default=dict)
    position: Mapped[str] = mapped_column(String(30), default="bottom-center")
    # auto: made by the last render from the shot's line; edited: the creator changed it (kept across renders, moved
    # with its shot); manual: added by the creator.
    origin: Mapped[str] = mapped_column(String(10), default="auto")
    shot_start: Mapped[float | None] = mapped_column(Float, default=None)  # its shot's start when it was timed

"""All settings in one pydantic-settings class: COMICREEL_* environment variables or a `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COMICREEL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # where the embedded defaults keep their files
    data_dir: Path = Field(Path("data"), description="Directory for the SQLite database, queue, files and work dirs.")
    host: str = Field("127.0.0.1", description="Address the studio listens on.")
    port: int = Field(7860, description="Port the studio listens on.")
    # database
    database_url: str | None = Field(None, description="SQLAlchemy URL; empty means SQLite at data_dir/comicreel.db.")
    auto_migrate: bool = Field(True, description="Run Alembic migrations up to head when the app starts.")
    # queue
    redis_url: str | None = Field(
        None, description="Redis URL for PriorityRedisHuey; empty means SqliteHuey in data_dir."
    )
    embedded_workers: int = Field(
        2, description="Worker threads started inside the app process (0 = none; run `comicreel worker`)."
    )
    task_retries: int = Field(2, description="How many times a failed job is retried before its Task is marked failed.")
    task_retry_delay: int = Field(5, description="Seconds between retries of a failed job.")
    task_stale_after: int = Field(
        300, description="Seconds without a heartbeat after which a processing Task is requeued."
    )
    # object storage
    storage_backend: Literal["local", "s3"] = Field("local", description="'local' (a directory) or 's3' (any S3 API).")
    storage_dir: Path | None = Field(
        None, description="Directory of the local storage backend; empty means data_dir/objects."
    )
    s3_endpoint: str = Field("127.0.0.1:9000", description="host:port of the S3 server.")
    s3_access_key: str = Field("", description="S3 access key.")
    s3_secret_key: str = Field("", description="S3 secret key.")
    s3_bucket: str = Field("comicreel", description="S3 bucket; created when missing.")
    s3_secure: bool = Field(False, description="Use HTTPS to reach the S3 server.")
    s3_region: str | None = Field(None, description="S3 region, when the server needs one.")
    # backends
    image_backend: Literal["sketch"] = Field("sketch", description="Panel renderer: 'sketch' (offline, CPU).")
    tts_backend: Literal["espeak"] = Field("espeak", description="Voice engine: 'espeak' (offline espeak-ng).")
    espeak_binary: str = Field("espeak-ng", description="espeak-ng executable name or path.")
    ffmpeg: str = Field("ffmpeg", description="ffmpeg executable name or path.")
    font_path: str | None = Field(None, description="A .ttf/.ttc font with Hanzi; empty means find Noto Sans CJK.")
    render_preset: str = Field("veryfast", description="x264 preset used for renders.")
    render_crf: int = Field(23, description="x264 quality (lower is better, 18-28 sensible).")
    # accounts
    default_username: str = Field("creator", description="Owner of projects made without logging in (embedded studio).")

    @field_validator("database_url", "redis_url", "storage_dir", "s3_region", "font_path", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'comicreel.db').resolve()}"

    @property
    def resolved_storage_dir(self) -> Path:
        return (self.storage_dir or self.data_dir / "objects").resolve()

    @property
    def work_dir(self) -> Path:
        return (self.data_dir / "work").resolve()

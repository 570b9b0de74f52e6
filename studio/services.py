"""Wire the app's parts from Settings: database, storage, queue, backends, workers. Built in create_app()."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from db.migrate import upgrade
from db.models import Subscription, User
from db.session import make_engine, make_sessionmaker, transaction
from jobs.context import ConsistencyCheck, JobContext
from jobs.huey_app import QUEUES, JobQueues, StoppingConsumer, Sweeper, build_queues, start_consumers, stop_consumers
from jobs.tasks import JobTasks, register_tasks
from jobs.workdirs import sweep_work_dirs
from pipeline.errors import DrawError
from pipeline.image.base import ImageBackend
from pipeline.render import RenderOptions
from pipeline.tts.base import TTSBackend
from storage.base import ObjectStorage, StorageError
from studio.auth import Authenticator, Identity, token_from
from studio.config import Settings
from studio.errors import Unauthorized
from studio.read_cache import ReadCache
from studio.throttle import Throttle

if TYPE_CHECKING:
    from studio.oauth import OidcClient

logger = logging.getLogger(__name__)


def build_storage(settings: Settings) -> ObjectStorage:
    if settings.storage_backend == "s3":
        from storage.s3 import S3Storage

        return S3Storage(
            settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket,
            secure=settings.s3_secure, region=settings.s3_region, cache_dir=settings.data_dir / "cache",
            connect_timeout=settings.storage_connect_timeout, read_timeout=settings.storage_read_timeout,
        )  # fmt: skip
    from storage.local import LocalStorage

    return LocalStorage(settings.resolved_storage_dir, secret=load_secret_key(settings))


def load_secret_key(settings: Settings) -> bytes:
    """The secret that signs file URLs: from settings, else `data_dir/secret_key`, generated (mode 0600) on first start."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = settings.data_dir / "secret_key"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written whole under a temporary name, then linked into place: of two processes starting at once, the
        # second's link fails and it reads the first one's complete secret.
        tmp = path.with_name(f".secret_key.{uuid.uuid4().hex}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
            logger.info("generated a secret for file URLs in %s", path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    elif path.stat().st_mode & 0o077:
        logger.warning("%s is readable by other users: chmod 600 it", path)
    secret = path.read_bytes().strip()
    if not secret:
        raise StorageError(f"{path} is empty: delete it to generate a new secret, or set COMICREEL_SECRET_KEY.")
    return secret


def build_image_backend(settings: Settings) -> ImageBackend:
    """The panel renderer. The diffusers backend is only configured here: its model loads in the worker that draws
    first (and stays loaded for every later task of that process); a missing model fails that task, naming
    COMICREEL_DIFFUSERS_MODEL."""
    if settings.image_backend == "diffusers":
        from pipeline.image.diffusion import DiffusersImageBackend

        return DiffusersImageBackend(settings.diffusion)
    from pipeline.image.sketch import SketchImageBackend

    return SketchImageBackend(font_path=settings.font_path)


def build_consistency_check(settings: Settings) -> ConsistencyCheck | None:
    """How panels are measured (COMICREEL_CONSISTENCY_*), or None when no model is set; the model loads on first use."""
    if settings.consistency_model is None:
        return None
    from pipeline.image.diffusion import ConsistencyScorer
    from pipeline.image.diffusion.consistency import Picture

    scorer = ConsistencyScorer(settings.consistency_model, settings.consistency_device)
    lock = threading.Lock()  # image workers share the scorer: it loads once, and embeds one batch at a time

    def embed(pictures: Sequence[Picture]) -> np.ndarray:
        with lock:
            try:
                return scorer.embed(pictures)
            except DrawError as exc:
                raise DrawError(f"COMICREEL_CONSISTENCY_MODEL: {exc}", detail=exc.detail) from exc

    return ConsistencyCheck(embed, threshold=settings.consistency_threshold, retries=settings.consistency_retries)


def build_tts_backend(settings: Settings) -> TTSBackend:
    """Every engine set up here behind the failover: Piper always (it fails over when its wheel is missing), coqui
    when a model is set; espeak-ng speaks what they cannot. Nothing loads before the first line."""
    from pipeline.tts.espeak import EspeakTTSBackend
    from pipeline.tts.failover import FailoverTTSBackend
    from pipeline.tts.piper import PiperTTSBackend

    espeak = EspeakTTSBackend(binary=settings.espeak_binary)
    engines: dict[str, TTSBackend] = {
        "espeak": espeak,
        "piper": PiperTTSBackend(_path(settings.piper_model_path), _path(settings.piper_config_path)),
    }
    if settings.coqui_model_path is not None:
        from pipeline.tts.coqui import CoquiTTSBackend

        engines["coqui"] = CoquiTTSBackend(str(settings.coqui_model_path), _path(settings.coqui_config_path),
                                           speaker_wav=_path(settings.coqui_speaker_wav))  # fmt: skip
    return FailoverTTSBackend(engines, fallback=espeak, default=settings.tts_engine)


def _path(value: Path | None) -> str | None:
    return str(value) if value is not None else None


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: ObjectStorage
    queues: JobQueues
    ctx: JobContext
    tasks: JobTasks
    default_user_id: uuid.UUID
    reads: ReadCache = field(default_factory=lambda: ReadCache(ttl=0))  # task status and project reads
    consumers: list[StoppingConsumer] = field(default_factory=list)
    sweeper: Sweeper | None = field(default=None)

    @cached_property
    def authenticator(self) -> Authenticator:
        return Authenticator(self.sessions, load_secret_key(self.settings), access_ttl=self.settings.access_token_ttl)

    @cached_property
    def oidc(self) -> OidcClient:
        """Social login's provider (COMICREEL_OIDC_ISSUER), whose discovery document and keys it keeps a while."""
        from studio.oauth import OidcClient  # here: studio.oauth uses studio.accounts, which imports this module

        return OidcClient(self.settings)

    def identify(self, headers: Any, cookies: Any) -> Identity:
        """Who sends a request (REST, the studio, gradio_client alike): the local creator when auth is off, else the
        holder of a valid access token (`Authorization: Bearer`, else the studio's session cookie)."""
        if not self.settings.auth_enabled:
            return Identity(user_id=self.default_user_id, role="admin")
        token = token_from(headers, cookies)
        if not token:
            raise Unauthorized("log in first: send Authorization: Bearer <access token> (POST /api/v1/auth/login), "
                               "or open /login")  # fmt: skip
        return self.authenticator.verify(token)

    @cached_property
    def throttle(self) -> Throttle:
        s = self.settings
        return Throttle(s.redis_url, api=s.rate_limit, tasks=s.rate_limit_tasks, logins=s.login_attempts)

    @property
    def ui_dir(self) -> Path:
        """The one folder Gradio may serve from: copies of the stored files the studio shows."""
        return (self.settings.data_dir / "ui").resolve()

    def signed_url(self, key: str) -> str:
        """A URL the browser can fetch the object from until it expires (COMICREEL_SIGNED_URL_TTL)."""
        return self.storage.url(key, self.settings.signed_url_ttl)

    def ui_file(self, key: str) -> str:
        """A stored object as a file Gradio may hand to the browser (a hard link where possible, else a copy).

        Keys are written once, so an existing copy is current. Copies go when their project is deleted, and at
        start when older than a signed URL lives.
        """
        target = self._ui_folder(key) / Path(key).name
        if not target.is_file():
            source = Path(self.storage.local_path(key))
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{uuid.uuid4().hex}.part")
            try:
                os.link(source, tmp)
            except OSError:
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        return str(target)

    def forget_ui_file(self, key: str) -> None:
        shutil.rmtree(self._ui_folder(key), ignore_errors=True)

    def _ui_folder(self, key: str) -> Path:
        return self.ui_dir / hashlib.sha256(key.encode()).hexdigest()[:16]

    def prune_ui_files(self) -> None:
        cutoff = time.time() - self.settings.signed_url_ttl
        for folder in self.ui_dir.glob("*") if self.ui_dir.is_dir() else ():
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)

    def start_workers(self) -> None:
        """The app's start: embedded mode (COMICREEL_EMBEDDED_WORKERS > 0) runs a consumer for every queue in this
        process, and the sweeper; production mode (0) runs none: `comicreel worker` processes do."""
        self.prune_ui_files()
        removed = sweep_work_dirs(self.ctx.work_dir)
        if removed:
            logger.info("removed %d work folders left by stopped processes", len(removed))
        if self.settings.embedded_workers > 0 and not self.consumers and not self.queues.immediate:
            self.run_workers(QUEUES, self.settings.embedded_workers)

    def run_workers(self, queues: tuple[str, ...], concurrency: int, *, shutdown_timeout: float = 10) -> None:
        """Consume `queues` in this process (`concurrency` threads each) and sweep up after dead workers."""
        self.consumers = start_consumers(self.queues, queues, concurrency, self.ctx.shutdown,
                                         shutdown_timeout=shutdown_timeout)  # fmt: skip
        self.sweeper = Sweeper(self.tasks.sweep, self.settings.worker_sweep_interval).start()

    def stop(self) -> None:
        """Stop the workers: running jobs stop at their next progress report (killing ffmpeg) and are requeued."""
        self.ctx.shutdown.set()
        if self.sweeper is not None:
            self.sweeper.stop()
            self.sweeper = None
        stop_consumers(self.consumers)
        self.consumers = []
        self.engine.dispose()


def build_services(settings: Settings, *, immediate: bool = False) -> Services:
    """Create (and migrate) everything the app and the workers share."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if settings.auto_migrate:
        upgrade(url)
    engine = make_engine(url, pool_size=settings.database_pool_size, max_overflow=settings.database_pool_overflow)
    sessions = make_sessionmaker(engine)
    storage = build_storage(settings)
    queues = build_queues(redis_url=settings.redis_url, sqlite_path=settings.data_dir / "queue.db", immediate=immediate)
    ctx = JobContext(
        sessions=sessions,
        storage=storage,
        image_backend=build_image_backend(settings),
        tts_backend=build_tts_backend(settings),
        render_options=RenderOptions(
            font_path=settings.font_path, ffmpeg=settings.ffmpeg, final_preset=settings.render_preset,
            final_crf=settings.render_crf, final_x264_params=settings.render_x264_params,
            parallel=settings.render_parallel,
        ),  # fmt: skip
        work_dir=settings.work_dir,
        retries=settings.task_retries,
        retry_delay=settings.task_retry_delay,
        heartbeat_interval=settings.task_heartbeat_interval,
        pacing=settings.pacing,
        llm=settings.llm,
        consistency=build_consistency_check(settings),
        # the sketch loads no model; an embedded app consumes every queue; a worker process only its own
        draws_panels=(settings.image_backend == "sketch" or settings.embedded_workers > 0
                      or "image_generation" in settings.worker_queues.split(",")),  # fmt: skip
    )
    tasks = register_tasks(queues, ctx, stale_after=settings.task_stale_after,
                           sweep_interval=settings.worker_sweep_interval)  # fmt: skip
    user_id = ensure_user(sessions, settings.default_username)
    from studio.audio import seed_audio_library  # here: studio.audio builds on this module's Services

    seed_audio_library(sessions)
    return Services(settings, engine, sessions, storage, queues, ctx, tasks, user_id, read_cache(settings, sessions))


# How long a cached read may live when every writer is in this process (each write empties the cache anyway).
IN_PROCESS_READ_TTL = 60.0


def read_cache(settings: Settings, sessions: sessionmaker[Session]) -> ReadCache:
    """The hot reads' cache: emptied by every write committed here; entries live `read_cache_ttl` seconds when other
    processes may write too (Redis or a server database: other replicas and `comicreel worker`s; or no in-process
    workers). Only one embedded process on its own SQLite file keeps entries until its next write."""
    others_write = (settings.redis_url is not None or settings.embedded_workers == 0
                    or not settings.resolved_database_url.startswith("sqlite"))  # fmt: skip
    ttl = settings.read_cache_ttl if others_write or settings.read_cache_ttl == 0 else IN_PROCESS_READ_TTL
    cache = ReadCache(ttl=ttl)
    cache.watch(sessions)
    return cache


def ensure_user(sessions: sessionmaker[Session], username: str) -> uuid.UUID:
    """The local creator who owns projects made in the embedded studio (no login there yet)."""
    with transaction(sessions) as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None:
            # No password can match "!": this account cannot log in, it only owns local work.
            user = User(username=username, email=f"{username}@localhost", password_hash="!")
            s.add(user)
            s.flush()
            s.add(Subscription(user_id=user.id, plan="local", videos_quota=1_000_000))  # no plan an admin edits
        return user.id

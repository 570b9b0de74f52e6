"""What a job needs, passed in once: sessions, storage, backends, render options, a work directory."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from pipeline.image.base import ImageBackend
from pipeline.llm import LLMConfig
from pipeline.render import RenderOptions
from pipeline.timeline import Pacing
from pipeline.tts.base import TTSBackend
from storage.base import ObjectStorage


@dataclass(frozen=True)
class JobContext:
    sessions: sessionmaker[Session]
    storage: ObjectStorage
    image_backend: ImageBackend
    tts_backend: TTSBackend
    render_options: RenderOptions
    work_dir: Path
    retries: int = 2
    retry_delay: int = 5
    heartbeat_interval: float = 10.0
    pacing: Pacing = field(default_factory=Pacing)  # the gap between lines, how long silent shots last
    llm: LLMConfig = field(default_factory=LLMConfig)  # the language model that turns prose into a script
    # Set when the worker is stopping: running jobs stop at their next progress report and are requeued.
    shutdown: threading.Event = field(default_factory=threading.Event)

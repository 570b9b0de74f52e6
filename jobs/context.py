"""What a job needs, passed in once: sessions, storage, backends (built once per process: a diffusion model loads on
the first draw and serves every later task), render options, a work directory, how consistency is measured."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from pipeline.image.base import ImageBackend
from pipeline.image.diffusion.consistency import MAX_COPY_PASTE, Embed
from pipeline.llm import LLMConfig
from pipeline.render import RenderOptions
from pipeline.timeline import Pacing
from pipeline.tts.base import TTSBackend
from storage.base import ObjectStorage


@dataclass(frozen=True)
class ConsistencyCheck:
    """How drawn panels are measured: `embed` (ConsistencyScorer.embed: image files or regions -> unit rows), the
    similarity a character must keep (`threshold`, see pipeline.image.diffusion.passes) and how often a panel under it
    is drawn again with a new seed (`retries`)."""

    embed: Embed
    threshold: float = 0.75
    retries: int = 0
    max_copy_paste: float = MAX_COPY_PASTE  # the grid marks copies by the same measure


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
    consistency: ConsistencyCheck | None = None  # None: panels are not measured
    # Whether a render may draw the panels it finds missing: always with the sketch; with a model only in a process
    # that consumes the image_generation queue (a CPU render worker never loads it).
    draws_panels: bool = True
    # Set when the worker is stopping: running jobs stop at their next progress report and are requeued.
    shutdown: threading.Event = field(default_factory=threading.Event)
    # Set on the copy each task's run gets (jobs.tasks.run_task): called in the transaction that records the job's
    # result, it raises TaskStopped unless the task is still this run's (TaskReporter.hold). None outside a task.
    hold_task: Callable[[Session], None] | None = None

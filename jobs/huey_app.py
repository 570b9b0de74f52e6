"""Build the Huey instance (SqliteHuey embedded, PriorityRedisHuey with Redis) and the in-process consumer."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from huey import Huey, PriorityRedisHuey, SqliteHuey
from huey.consumer import Consumer


def build_huey(*, redis_url: str | None, sqlite_path: str | Path, immediate: bool = False) -> Huey:
    """PriorityRedisHuey when a Redis URL is given (plain RedisHuey rejects priorities), else SqliteHuey."""
    if redis_url:
        huey: Huey = PriorityRedisHuey("comicreel", url=redis_url, immediate=immediate)
    else:
        Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("comicreel", filename=str(sqlite_path), immediate=immediate)
    return huey


class StoppingConsumer(Consumer):
    """Stopping sets the jobs' shutdown flag first: running jobs stop at their next progress report (their ffmpeg
    killed, their work folder removed) and are requeued, so waiting for them is short and nothing is left running."""

    def __init__(self, huey: Huey, shutdown: threading.Event, **options: Any) -> None:
        super().__init__(huey, **options)
        self.shutdown = shutdown

    def stop(self, graceful: bool = False) -> None:
        self.shutdown.set()
        super().stop(graceful=True)


class EmbeddedConsumer(StoppingConsumer):
    """A consumer run from the web app's lifespan: worker threads, no signal handlers (uvicorn keeps those)."""

    def _set_signal_handlers(self) -> None:
        pass


# Huey's idle polling backs off to 10 s by default: a creator would wait that long after clicking "Parse".
POLL_MAX_DELAY = 0.5


def start_embedded_consumer(huey: Huey, workers: int, shutdown: threading.Event) -> EmbeddedConsumer:
    consumer = EmbeddedConsumer(
        huey, shutdown, workers=workers, worker_type="thread", periodic=True, shutdown_timeout=10,
        max_delay=POLL_MAX_DELAY,
    )  # fmt: skip
    consumer.start()
    return consumer

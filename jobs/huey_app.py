"""The job queues: one Huey instance per queue (SqliteHuey embedded, PriorityRedisHuey with Redis), the consumers
that run them (worker threads in the app, or a `comicreel worker` process), and the sweeper that requeues the tasks
of dead workers and clears what they left behind."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from huey import Huey, PriorityRedisHuey, SqliteHuey
from huey.consumer import Consumer

from db.session import ensure_wal

logger = logging.getLogger(__name__)

# The seed's queues. A worker process takes any subset (GPU machines image_generation, CPU machines the rest).
QUEUES: tuple[str, ...] = ("image_generation", "tts", "video_render", "nlp")


def queue_names(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Queue names from a comma-separated string or a list (empty: all), checked against QUEUES, in QUEUES' order.

    Raises:
        ValueError: an unknown queue name; the message lists the known ones.
    """
    if value is None:
        return QUEUES
    parts = value.split(",") if isinstance(value, str) else list(value)
    names = {p.strip() for p in parts if p.strip()}
    unknown = sorted(names - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; choose among {', '.join(QUEUES)} (comma-separated)")
    return tuple(q for q in QUEUES if q in names) or QUEUES


def build_huey(*, redis_url: str | None, sqlite_path: str | Path, immediate: bool = False, name: str = "comicreel") -> Huey:
    """PriorityRedisHuey when a Redis URL is given (plain RedisHuey rejects priorities), else SqliteHuey."""
    if redis_url:
        return PriorityRedisHuey(name, url=redis_url, immediate=immediate)
    # WAL is set once for the file here; Huey would otherwise set it again on each of its connections.
    ensure_wal(sqlite_path)
    return SqliteHuey(name, filename=str(sqlite_path), immediate=immediate, journal_mode=None, timeout=30)


class JobQueues(Mapping[str, Huey]):
    """The Huey instance of every queue, by queue name, on one backend: `comicreel.<queue>` in Redis, or the
    `comicreel.<queue>` queue of one SqliteHuey file."""

    def __init__(self, hueys: dict[str, Huey]) -> None:
        self._hueys = dict(hueys)

    def __getitem__(self, queue: str) -> Huey:
        return self._hueys[queue]

    def __iter__(self) -> Iterator[str]:
        return iter(self._hueys)

    def __len__(self) -> int:
        return len(self._hueys)

    name = "comicreel"  # the queues' common prefix

    @property
    def immediate(self) -> bool:
        return all(h.immediate for h in self._hueys.values())

    def lengths(self) -> dict[str, int]:
        """Messages waiting in each queue."""
        return {queue: huey.pending_count() for queue, huey in self._hueys.items()}

    def pending_count(self) -> int:
        return sum(self.lengths().values())

    def flush(self) -> None:
        """Drop every waiting message of every queue (tests, and an operator clearing a backlog)."""
        for huey in self._hueys.values():
            huey.flush()


def build_queues(*, redis_url: str | None, sqlite_path: str | Path, immediate: bool = False) -> JobQueues:
    return JobQueues({queue: build_huey(redis_url=redis_url, sqlite_path=sqlite_path, immediate=immediate,
                                        name=f"comicreel.{queue}") for queue in QUEUES})  # fmt: skip


class StoppingConsumer(Consumer):
    """Stopping sets the jobs' shutdown flag first: running jobs stop at their next progress report (their ffmpeg
    killed, their work folder removed) and are requeued, so waiting for them is short and nothing is left running.

    It installs no signal handlers: the web app (uvicorn) or the worker command (`run_consumers`) owns those, and
    several consumers (one per queue) share a process.
    """

    def __init__(self, huey: Huey, shutdown: threading.Event, **options: Any) -> None:
        super().__init__(huey, **options)
        self.shutdown = shutdown

    def _set_signal_handlers(self) -> None:
        pass

    def stop(self, graceful: bool = False) -> None:
        self.shutdown.set()
        super().stop(graceful=True)



# Huey's idle polling backs off to 10 s by default: a creator would wait that long after clicking "Parse".
POLL_MAX_DELAY = 0.5


def start_consumers(
    queues: JobQueues, names: tuple[str, ...], workers: int, shutdown: threading.Event, *, shutdown_timeout: float = 10
) -> list[StoppingConsumer]:
    """Start one consumer (with `workers` threads) per queue in `names`; they run until `stop_consumers`."""
    consumers = []
    for name in names:
        consumer = StoppingConsumer(queues[name], shutdown, workers=workers, worker_type="thread", periodic=False,
                                    shutdown_timeout=shutdown_timeout, max_delay=POLL_MAX_DELAY)  # fmt: skip
        consumer.start()
        consumers.append(consumer)
    return consumers


def stop_consumers(consumers: list[StoppingConsumer]) -> None:
    """Stop them all at once: the shutdown flag first (every running job stops and requeues) and every consumer's
    stop flag (none takes another message), then each waits for its own jobs: the waits overlap, so the whole stop
    takes one shutdown timeout at most, not one per queue."""
    for consumer in consumers:
        consumer.shutdown.set()
        consumer.stop_flag.set()
    with ThreadPoolExecutor(max_workers=max(1, len(consumers))) as pool:
        list(pool.map(lambda consumer: consumer.stop(graceful=True), consumers))


def run_consumers(consumers: list[StoppingConsumer], stop: threading.Event, *, health_every: float = 1.0) -> None:
    """Block until `stop` is set (the worker command's SIGTERM/SIGINT), restarting dead consumer threads meanwhile."""
    while not stop.wait(health_every):
        for consumer in consumers:
            consumer.check_worker_health()


class Sweeper:
    """A thread that calls `sweep()` every `interval` seconds until stopped (requeue the tasks of dead workers, kill
    what they left running, remove their folders). A failed round is logged and the next one tries again."""

    def __init__(self, sweep: Callable[[], object], interval: float) -> None:
        self.sweep = sweep
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="comicreel-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - a database or Redis outage: the next round tries again
                logger.warning("sweep failed; retrying in %.1f s", self.interval, exc_info=True)
            self._stop.wait(max(0.05, self.interval - (time.monotonic() - started)))


def take_lease(huey: Huey, seconds: float, key: str = "comicreel.sweep") -> bool:
    """True for one caller per `seconds` across every process on the same Redis (one sweep per round in the whole
    deployment); always True on SQLite, where the queue and its workers live in one process."""
    conn = getattr(huey.storage, "conn", None)
    if not isinstance(huey, PriorityRedisHuey) or conn is None:
        return True
    # A little shorter than the round, so the holder's own next round finds it free.
    return bool(conn.set(key, b"1", nx=True, px=max(1, int(seconds * 900))))

"""What a running job tells the outside: its task id for the logs (a contextvar), task counts and durations by type
and outcome, the render real-time factor (Prometheus metrics in this process's registry), and a trace span.

Here rather than in `studio/observability.py` because jobs may not import studio; the studio serves these metrics.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from jobs.progress import TaskStopped

logger = logging.getLogger(__name__)

# The Task id of the job running in this thread (None outside a job); the JSON log formatter reads it.
TASK_ID: ContextVar[str | None] = ContextVar("comicreel_task_id", default=None)

TASK_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600)
# Seconds of work per second of video: below 1 renders faster than real time.
RTF_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 21, 34, 55)


@dataclass(frozen=True)
class TaskMetrics:
    """The job metrics of one registry (this process's default one: `task_metrics()`)."""

    tasks: Counter
    duration: Histogram
    render_rtf: Histogram
    running: Gauge

    @classmethod
    def on(cls, registry: CollectorRegistry) -> TaskMetrics:
        return cls(
            tasks=Counter("comicreel_tasks", "Job runs (each delivery of a task) by task type and outcome: completed, "
                          "failed, stopped (cancelled or taken over) or requeued (the worker shut down).",
                          ["type", "status"], registry=registry),
            duration=Histogram("comicreel_task_duration_seconds", "Seconds one job run took, by type and outcome.",
                               ["type", "status"], buckets=TASK_BUCKETS, registry=registry),
            render_rtf=Histogram("comicreel_render_realtime_factor", "Seconds a completed video_render job took per "
                                 "second of the video it made (below 1: faster than real time).",
                                 buckets=RTF_BUCKETS, registry=registry),
            running=Gauge("comicreel_tasks_running", "Jobs running in this process now, by task type (a queue's "
                          "workers are busy: an autoscaler keeps them while the sum over workers is above 0).",
                          ["type"], registry=registry),
        )  # fmt: skip


@functools.cache
def task_metrics() -> TaskMetrics:
    """This process's job metrics, registered in prometheus_client's default registry on first use (not at import)."""
    return TaskMetrics.on(REGISTRY)


@dataclass
class TaskObservation:
    """Filled in by the job: its result, read when the job completes (a render's video duration)."""

    result: dict[str, Any] | None = None


def outcome_of(exc: BaseException | None) -> str:
    """The `status` label of a job run that raised `exc` (None: it completed)."""
    if exc is None:
        return "completed"
    if isinstance(exc, TaskStopped):
        return "requeued" if exc.requeue else "stopped"
    return "failed"


@contextmanager
def observe_task(task_type: str, task_id: uuid.UUID) -> Iterator[TaskObservation]:
    """Around one job run: its task id in the logs, a trace span when tracing is on, and on the way out its count
    and duration by outcome (and a render's real-time factor). Exceptions pass through untouched.

    Usage: `with observe_task(type, id) as seen: result = body(); seen.result = result`.
    """
    observation = TaskObservation()
    token = TASK_ID.set(str(task_id))
    started = time.perf_counter()
    error: BaseException | None = None
    running = task_metrics().running.labels(task_type)
    running.inc()
    try:
        with _span(task_type, task_id):
            yield observation
    except BaseException as exc:
        error = exc
        raise
    finally:
        running.dec()
        TASK_ID.reset(token)
        _record(task_type, outcome_of(error), time.perf_counter() - started, observation.result)


def _record(task_type: str, status: str, elapsed: float, result: dict[str, Any] | None) -> None:
    try:
        metrics = task_metrics()
        metrics.tasks.labels(task_type, status).inc()
        metrics.duration.labels(task_type, status).observe(elapsed)
        video_seconds = float((result or {}).get("duration") or 0)
        if task_type == "video_render" and status == "completed" and video_seconds > 0:
            metrics.render_rtf.observe(elapsed / video_seconds)
    except Exception:  # noqa: BLE001 - metrics must never fail a job that worked
        logger.warning("could not record the metrics of a %s job", task_type, exc_info=True)


@contextmanager
def _span(task_type: str, task_id: uuid.UUID) -> Iterator[None]:
    """A span named after the task type when OpenTelemetry was set up in this process (else nothing at all)."""
    trace = sys.modules.get("opentelemetry.trace")  # imported only by the tracing setup: no import cost otherwise
    if trace is None:
        yield
        return
    tracer = trace.get_tracer("comicreel.jobs")
    with tracer.start_as_current_span(f"task {task_type}", attributes={"comicreel.task_id": str(task_id),
                                                                      "comicreel.task_type": task_type}):  # fmt: skip
        yield

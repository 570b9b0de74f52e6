"""Probes and metrics, outside the `/api/v1` envelope: `/healthz` (the process answers), `/readyz` (database, job
queue and object storage reachable, each within COMICREEL_READINESS_TIMEOUT) and `/metrics` (Prometheus)."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import Engine, text

from storage.base import ObjectStorage
from studio.observability import metrics_refusal

if TYPE_CHECKING:
    from huey import Huey

router = APIRouter(include_in_schema=False)


class Probe:
    """One readiness check run in a daemon thread of its own. A check that hangs past the timeout fails; while it
    still hangs, later probes wait on the same run instead of piling up threads against a dead server."""

    def __init__(self, name: str, check: Callable[[], dict[str, Any]]) -> None:
        self.name = name
        self.check = check
        self._running: Future[dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def _start(self) -> Future[dict[str, Any]]:
        with self._lock:
            if self._running is None or self._running.done():
                future: Future[dict[str, Any]] = Future()

                def run() -> None:
                    try:
                        future.set_result(self.check())
                    except BaseException as exc:  # noqa: BLE001 - handed to the awaiting probe, which reports it
                        future.set_exception(exc)

                threading.Thread(target=run, name=f"readyz-{self.name}", daemon=True).start()
                self._running = future
            return self._running

    async def run(self, timeout: float) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            detail = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._start())), timeout)
            outcome: dict[str, Any] = {"ok": True, **detail}
        except TimeoutError:
            outcome = {"ok": False, "error": f"no answer within {timeout:g} s (COMICREEL_READINESS_TIMEOUT)"}
        except Exception as exc:  # noqa: BLE001 - any failure of the check means "not ready", said in one line
            first_line = (str(exc).strip().splitlines() or [""])[0][:300]
            outcome = {"ok": False, "error": f"{type(exc).__name__}: {first_line}"}
        outcome["seconds"] = round(time.perf_counter() - started, 4)
        return outcome


def database_check(engine: Engine) -> Callable[[], dict[str, Any]]:
    def check() -> dict[str, Any]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
        return {"backend": engine.dialect.name}

    return check


def queue_check(queues: Mapping[str, Huey]) -> Callable[[], dict[str, Any]]:
    """Reading each queue's length is a round trip to Redis or to the SQLite queue file."""

    def check() -> dict[str, Any]:
        return {"pending": {name: huey.pending_count() for name, huey in queues.items()}}

    return check


def storage_check(storage: ObjectStorage) -> Callable[[], dict[str, Any]]:
    """Local storage: its directory is there and writable. Other backends: a HEAD of a key (absent is fine)."""

    def check() -> dict[str, Any]:
        root = getattr(storage, "root", None)
        if storage.name == "local" and root is not None:
            if not os.path.isdir(root) or not os.access(root, os.W_OK | os.X_OK):
                raise OSError(f"storage directory {root} is missing or not writable")
        else:
            storage.exists("readyz")
        return {"backend": storage.name}

    return check


class Readiness:
    def __init__(self, engine: Engine, queues: Mapping[str, Huey], storage: ObjectStorage, timeout: float) -> None:
        self.timeout = timeout
        self.probes = [Probe("database", database_check(engine)), Probe("queue", queue_check(queues)),
                       Probe("storage", storage_check(storage))]  # fmt: skip

    async def report(self) -> tuple[bool, dict[str, Any]]:
        outcomes = await asyncio.gather(*(probe.run(self.timeout) for probe in self.probes))
        checks = {probe.name: outcome for probe, outcome in zip(self.probes, outcomes, strict=True)}
        failed = [name for name, outcome in checks.items() if not outcome["ok"]]
        body = {"status": "unready" if failed else "ready", "failed": failed, "checks": checks}
        return not failed, body


def install_health(app: FastAPI, readiness: Readiness, registry: CollectorRegistry, *, metrics_token: str) -> None:
    """Serve the probes and /metrics (include before the Gradio mount, which would shadow them)."""
    app.state.readiness = readiness
    app.state.metrics_registry = registry
    app.state.metrics_token = metrics_token
    app.include_router(router)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers: nothing else is checked (a restart would not mend a dead database)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 when the database, the job queue and the storage answer; 503 naming the ones that did not. Each check's
    details (errors name hosts and users) go only to those who may read the metrics; others get the verdict."""
    ready, body = await request.app.state.readiness.report()
    if _refusal(request) is not None:
        body = {"status": body["status"], "failed": body["failed"]}
    return JSONResponse(body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})


def _refusal(request: Request) -> tuple[int, str] | None:
    headers = {key.lower(): value for key, value in request.headers.items()}
    client = request.client.host if request.client else None
    return metrics_refusal(request.app.state.metrics_token, client, headers)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    refusal = _refusal(request)
    if refusal is not None:
        status, reason = refusal
        extra = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        return PlainTextResponse(reason, status_code=status, headers=extra)
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)

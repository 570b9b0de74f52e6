"""What the app and the workers tell operators: Prometheus metrics (request latency by route template, queue lengths,
GPU memory; the job metrics live in `jobs/telemetry.py`), log lines as text or JSON carrying the request id and task
id, the `/metrics` access rule, a worker's metrics server, and OpenTelemetry tracing when installed and configured.

Each process serves its own registry: the app its requests (and, embedded, its jobs), each `comicreel worker` its
jobs on COMICREEL_WORKER_METRICS_PORT; Prometheus scrapes every process and sums.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIServer, make_server

from prometheus_client import REGISTRY, CollectorRegistry, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler
from prometheus_client.registry import Collector
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobs.telemetry import TASK_ID, task_metrics
from studio.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from huey import Huey

logger = logging.getLogger(__name__)

# The request id of the HTTP request being handled (None outside one); set by MetricsMiddleware from the guard's id.
REQUEST_ID: ContextVar[str | None] = ContextVar("comicreel_request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
# Headers a reverse proxy adds: a request that carries one came from elsewhere, even when it reaches us on loopback.
FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")


# -- logs -------------------------------------------------------------------------------------------------------


class ContextFilter(logging.Filter):
    """Copies the request id and task id of the thread or task that logs onto each record (None when outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.task_id = TASK_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id / task_id / trace_id when known, and
    the traceback as `exc_info`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }  # fmt: skip
        for key in ("request_id", "task_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        trace_id = _current_trace_id()
        if trace_id:
            entry["trace_id"] = trace_id
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _current_trace_id() -> str | None:
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return None
    context = trace.get_current_span().get_span_context()
    return f"{context.trace_id:032x}" if context.is_valid else None


class _OurHandler(logging.StreamHandler):
    """The handler configure_logging adds (and replaces when called again)."""


def configure_logging(settings: Settings, *, stream: IO[str] | None = None) -> logging.Handler:
    """Log to `stream` (stderr) as COMICREEL_LOG_FORMAT says (text or json) at COMICREEL_LOG_LEVEL; called by the
    entry points (`python app.py`, `comicreel serve`, `comicreel worker`), never at import or by create_app. Calling
    it again replaces the handler it added before."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    handler = _OurHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    return handler


def uvicorn_log_config(settings: Settings) -> dict[str, Any] | None:
    """uvicorn's `log_config`: its own coloured text logs, or none at all for JSON (its loggers then reach ours)."""
    if settings.log_format == "json":
        return None
    from uvicorn.config import LOGGING_CONFIG

    return LOGGING_CONFIG


# -- HTTP metrics -----------------------------------------------------------------------------------------------


@functools.cache
def http_duration() -> Histogram:
    """This process's request latency histogram (in prometheus_client's default registry, made on first use)."""
    return Histogram("comicreel_http_request_duration_seconds", "Seconds from a request's arrival to the end of its "
                     "response, by method, route template (not the raw path) and status.",
                     ["method", "route", "status"], buckets=HTTP_BUCKETS, registry=REGISTRY)  # fmt: skip


def route_templates(app: object) -> dict[int, str]:
    """The full path template of each route object of `app`, by id. FastAPI keeps included routers nested (a route
    knows only its own part of the path, `/projects/{project_id}`); its route contexts know the whole."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI flattens included routes: each route's own path is the whole
        return {}
    routes = getattr(app, "routes", [])
    return {id(context.original_route): context.path for context in iter_route_contexts(routes) if context.path}


def route_label(scope: Scope, templates: Mapping[int, str]) -> str:
    """The template of the route that answered (`/api/v1/projects/{project_id}`): a bounded set of label values.
    Routes of a mounted app (Gradio's, at `/`) are labelled with their own path."""
    route = scope.get("route")
    path = templates.get(id(route), getattr(route, "path", None))
    if path is None:
        return "<unmatched>"
    return f"{path}/*" if isinstance(route, Mount) else path or "/"


class MetricsMiddleware:
    """Times each HTTP request by route template and makes the guard's request id the logs' (inside RequestGuard)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._templates: dict[int, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self._templates is None:  # on the first request: every route is in place by then
            self._templates = route_templates(scope.get("app"))
        token = REQUEST_ID.set(scope.get("state", {}).get("request_id"))
        if scope["type"] == "websocket":
            try:
                await self.app(scope, receive, send)
            finally:
                REQUEST_ID.reset(token)
            return
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            method = scope.get("method", "GET")
            route = route_label(scope, self._templates)
            http_duration().labels(method if method in METHODS else "OTHER", route, str(status)).observe(
                time.perf_counter() - started
            )
            REQUEST_ID.reset(token)


# -- queue and GPU gauges, read at scrape time -------------------------------------------------------------------


class QueueCollector(Collector):
    """Messages waiting in each job queue (Huey's `pending_count()`), read when scraped; a queue that cannot be
    read is reported as down instead of failing the scrape."""

    def __init__(self, queues: Mapping[str, Huey]) -> None:
        self.queues = queues

    def collect(self) -> Iterator[Metric]:
        pending = GaugeMetricFamily("comicreel_queue_pending_tasks", "Jobs waiting in each queue.", labels=["queue"])
        up = GaugeMetricFamily("comicreel_queue_up", "1 when the queue could be read at scrape time.", labels=["queue"])
        for name, huey in self.queues.items():
            try:
                pending.add_metric([name], float(huey.pending_count()))
                up.add_metric([name], 1.0)
            except Exception as exc:  # noqa: BLE001 - Redis or the queue file unreachable: say so in the gauge
                logger.debug("queue %s unreadable at scrape: %s", name, exc)
                up.add_metric([name], 0.0)
        yield pending
        yield up


class GpuCollector(Collector):
    """CUDA memory of this process (allocated, reserved) and of each device (total, free), when torch is loaded and
    has initialised CUDA here; nothing otherwise (it never imports torch or creates a CUDA context)."""

    def collect(self) -> Iterator[Metric]:
        torch = sys.modules.get("torch")
        if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
            return
        families = {
            "allocated": GaugeMetricFamily("comicreel_gpu_memory_allocated_bytes",
                                           "GPU memory held by this process's tensors.", labels=["device"]),
            "reserved": GaugeMetricFamily("comicreel_gpu_memory_reserved_bytes",
                                          "GPU memory reserved by this process's caching allocator.",
                                          labels=["device"]),
            "total": GaugeMetricFamily("comicreel_gpu_memory_total_bytes", "GPU memory of the device.",
                                       labels=["device"]),
            "free": GaugeMetricFamily("comicreel_gpu_memory_free_bytes", "GPU memory free on the device (all "
                                      "processes).", labels=["device"]),
        }  # fmt: skip
        for index in range(torch.cuda.device_count()):
            device = [str(index)]
            families["allocated"].add_metric(device, float(torch.cuda.memory_allocated(index)))
            families["reserved"].add_metric(device, float(torch.cuda.memory_reserved(index)))
            free, total = torch.cuda.mem_get_info(index)
            families["total"].add_metric(device, float(total))
            families["free"].add_metric(device, float(free))
        yield from families.values()


class _Everything(Collector):
    """prometheus_client's default registry (this process's counters and histograms, process and GC metrics) as one
    collector, so each app's registry can add its own queue gauges beside it."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_registry(queues: Mapping[str, Huey]) -> CollectorRegistry:
    """What `/metrics` serves: the process's metrics plus these queues' lengths and the GPU's memory."""
    registry = CollectorRegistry(auto_describe=False)
    for collector in (_Everything(), QueueCollector(queues), GpuCollector()):
        registry.register(collector)
    return registry


# -- who may read /metrics ---------------------------------------------------------------------------------------


def metrics_refusal(token: str | None, client_host: str | None, headers: Mapping[str, str]) -> tuple[int, str] | None:
    """None when the request may read the metrics, else (status, reason).

    With COMICREEL_METRICS_TOKEN set, every scraper sends `Authorization: Bearer <token>`. Without it, only a
    client on loopback that came through no proxy (no Forwarded / X-Forwarded-For / X-Real-IP header) may read them.
    `headers` has lower-case names.
    """
    if token:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode()):
            return None
        return 401, "send the metrics token: Authorization: Bearer <COMICREEL_METRICS_TOKEN>"
    if client_host in LOOPBACK and not any(name in headers for name in FORWARDED):
        return None
    return 403, "metrics are served to loopback only; set COMICREEL_METRICS_TOKEN to scrape from other machines"


def serve_worker_metrics(settings: Settings, queues: Mapping[str, Huey]) -> WSGIServer | None:
    """Serve a worker process's `/metrics` on COMICREEL_HOST:COMICREEL_WORKER_METRICS_PORT in a daemon thread (the
    same access rule as the app's); None when the port is 0 or busy (the worker works on, without metrics)."""
    if settings.worker_metrics_port <= 0:
        return None
    metrics_app = make_wsgi_app(metrics_registry(queues))

    def guarded(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers = {key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items()
                   if key.startswith("HTTP_")}  # fmt: skip
        refusal = metrics_refusal(settings.metrics_token, environ.get("REMOTE_ADDR"), headers)
        if refusal is not None:
            status, reason = refusal
            start_response(f"{status} {'Unauthorized' if status == 401 else 'Forbidden'}",
                           [("Content-Type", "text/plain; charset=utf-8")])  # fmt: skip
            return [reason.encode()]
        result: Iterable[bytes] = metrics_app(environ, start_response)
        return result

    try:
        server = make_server(settings.host, settings.worker_metrics_port, guarded, ThreadingWSGIServer,
                             handler_class=_SilentHandler)  # fmt: skip
    except OSError as exc:
        logger.error("cannot serve worker metrics on %s:%s (%s): change COMICREEL_WORKER_METRICS_PORT",
                     settings.host, settings.worker_metrics_port, exc)  # fmt: skip
        return None
    threading.Thread(target=server.serve_forever, name="comicreel-metrics", daemon=True).start()
    logger.info("worker metrics on http://%s:%s/metrics", settings.host, server.server_port)
    return server


# -- tracing -----------------------------------------------------------------------------------------------------

_tracing_lock = threading.Lock()
_tracing_endpoint: list[str] = []  # the endpoint this process's tracer provider exports to, once set


def setup_tracing(settings: Settings, app: FastAPI | None = None) -> bool:
    """Send traces to COMICREEL_OTEL_ENDPOINT (OTLP over HTTP) when it is set and the `otel` extra is installed: a
    span per request of `app` (probes and /metrics left out) and per job run. Returns whether tracing is on.

    The tracer provider is process-wide and set once; a later call only instruments another app.
    """
    if not settings.otel_endpoint:
        return False
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        logger.warning("COMICREEL_OTEL_ENDPOINT is set but OpenTelemetry is not installed (%s): "
                       "pip install -e '.[otel]'; tracing stays off", exc)  # fmt: skip
        return False
    endpoint = settings.otel_endpoint.rstrip("/")
    if not endpoint.endswith("/v1/traces"):
        endpoint += "/v1/traces"
    with _tracing_lock:
        if not _tracing_endpoint:
            provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
            trace.set_tracer_provider(provider)
            _tracing_endpoint.append(endpoint)
            logger.info("tracing to %s as %s", endpoint, settings.otel_service_name)
        elif _tracing_endpoint[0] != endpoint:
            logger.warning("tracing already goes to %s in this process; %s is ignored", _tracing_endpoint[0], endpoint)
    if app is not None:
        FastAPIInstrumentor.instrument_app(app, excluded_urls="/healthz,/readyz,/metrics")
    return True


def install_observability(app: FastAPI, settings: Settings, queues: Mapping[str, Huey]) -> CollectorRegistry:
    """Time the app's requests, give its logs request ids, trace it when configured; returns what /metrics serves.
    Call before adding RequestGuard, so this runs inside it (and sees the request id the guard gives)."""
    app.add_middleware(MetricsMiddleware)
    setup_tracing(settings, app)
    return metrics_registry(queues)


def observe_worker(settings: Settings, queues: Mapping[str, Huey]) -> WSGIServer | None:
    """What a `comicreel worker` process adds: its /metrics server (when a port is set) and tracing (when set)."""
    task_metrics()  # the job metrics are listed (at zero) before the first job ends
    setup_tracing(settings)
    return serve_worker_metrics(settings, queues)

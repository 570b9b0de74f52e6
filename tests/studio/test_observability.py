"""Metrics, probes, logs and tracing through a real app: /metrics by route template, task counts and the render
real-time factor, /readyz naming what is down, JSON log lines with request and task ids, OTLP spans."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from app import create_app
from studio.services import build_services
from tests.api.conftest import ok, wait
from tests.api.test_parameters import _project, _storyboard
from tests.conftest import REPO, free_port, start_app

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def svc(settings):
    services = build_services(settings, immediate=True)
    yield services
    services.stop()


@pytest.fixture
def client(settings, svc) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services=svc), base_url="http://127.0.0.1", client=LOOPBACK) as c:
        yield c


def samples(client: TestClient, name: str, **headers: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every sample named `name` on /metrics, by its sorted labels."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(client: TestClient, name: str, **labels: str) -> float:
    return samples(client, name).get(tuple(sorted(labels.items())), 0.0)


# -- /metrics ----------------------------------------------------------------------------------------------------


def test_request_latency_is_labelled_by_route_template_not_raw_path(client) -> None:
    name = "comicreel_http_request_duration_seconds_count"
    template = {"method": "GET", "route": "/api/v1/projects/{project_id}", "status": "404"}
    before = value(client, name, **template)
    missing = [str(uuid.uuid4()) for _ in range(3)]
    for project_id in missing:
        assert client.get(f"/api/v1/projects/{project_id}").status_code == 404
    ok(client.get("/api/v1/projects"))
    assert value(client, name, **template) == before + 3
    assert value(client, name, method="GET", route="/api/v1/projects", status="200") >= 1
    text = client.get("/metrics").text
    assert not any(project_id in text for project_id in missing)  # bounded label values


def test_task_runs_are_counted_by_type_and_outcome_and_renders_give_a_realtime_factor(client) -> None:
    completed = value(client, "comicreel_tasks_total", type="nlp", status="completed")
    failed = value(client, "comicreel_tasks_total", type="storyboard", status="failed")
    durations = value(client, "comicreel_task_duration_seconds_count", type="nlp", status="completed")
    renders = value(client, "comicreel_render_realtime_factor_count")

    pid = _project(client)
    # A storyboard before any parse fails with a reason for people (a PipelineError), not a crash.
    queued = ok(client.post(f"/api/v1/projects/{pid}/storyboard/generate", json={"options": {}}), 202)
    assert wait(client, queued["task_id"])["status"] == "failed"
    assert value(client, "comicreel_tasks_total", type="storyboard", status="failed") == failed + 1

    _storyboard(client, pid, "场景:街道,傍晚\n角色:小明(男)\n小明: 你好。\n")
    assert value(client, "comicreel_tasks_total", type="nlp", status="completed") == completed + 1
    assert value(client, "comicreel_task_duration_seconds_count", type="nlp", status="completed") == durations + 1
    assert samples(client, "comicreel_tasks_running")[(("type", "nlp"),)] == 0  # counted while it ran, not after

    queued = ok(client.post(f"/api/v1/projects/{pid}/render/preview", json={}), 202)
    task = wait(client, queued["render_task_id"])
    assert task["status"] == "completed", task
    assert value(client, "comicreel_render_realtime_factor_count") == renders + 1
    assert value(client, "comicreel_render_realtime_factor_sum") > 0


def test_queue_lengths_are_read_when_scraped(client, svc) -> None:
    queues = samples(client, "comicreel_queue_pending_tasks")
    assert queues and all(v == 0 for v in queues.values())
    assert set(samples(client, "comicreel_queue_up").values()) == {1.0}


def test_a_waiting_job_is_counted_in_its_queue(settings) -> None:
    from studio import projects

    waiting = build_services(settings)  # no consumer runs here: what is queued stays
    try:
        with TestClient(create_app(settings, services=waiting), base_url="http://127.0.0.1", client=LOOPBACK) as c:
            user = waiting.default_user_id
            pid = projects.create_project(waiting, user_id=user, name="q")["id"]
            projects.save_script(waiting, user_id=user, project_id=pid, content="场景:街,白天\n阿福: 你好。\n")
            projects.start_task(waiting, user_id=user, project_id=pid, task_type="nlp")
            queues = samples(c, "comicreel_queue_pending_tasks")
            assert queues.pop((("queue", "nlp"),)) == 1 and queues and all(v == 0 for v in queues.values())
    finally:
        waiting.stop()


def test_metrics_answer_loopback_only_unless_a_token_is_set(settings, svc) -> None:
    app = create_app(settings, services=svc)
    with TestClient(app, base_url="http://127.0.0.1", client=("10.0.0.7", 40000)) as remote:
        assert remote.get("/metrics").status_code == 403
    with TestClient(app, base_url="http://127.0.0.1", client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 200
        # Through a reverse proxy on the same machine every client looks local: the proxy's header gives it away.
        assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
        assert local.get("/metrics", headers={"Host": "evil.example.com"}).status_code == 400  # Host check stays

    tokened = settings.model_copy(update={"metrics_token": "s3cret-token"})
    app = create_app(tokened, services=svc)
    with TestClient(app, base_url="http://127.0.0.1", client=("10.0.0.7", 40000)) as remote:
        assert remote.get("/metrics").status_code == 401
        assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        answer = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert answer.status_code == 200 and "comicreel_http_request_duration_seconds" in answer.text
    with TestClient(app, base_url="http://127.0.0.1", client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 401  # a token, once set, is asked of everyone


def test_probes_and_metrics_stay_out_of_the_api_schema(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/healthz", "/readyz", "/metrics"} & set(paths)


# -- /readyz -----------------------------------------------------------------------------------------------------


def test_readyz_is_ready_when_database_queue_and_storage_answer(client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["failed"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "queue", "storage"}
    assert client.get("/readyz", headers={"Host": "evil.example.com"}).status_code == 400  # not a probe by address
    proxied = client.get("/readyz", headers={"X-Forwarded-For": "203.0.113.9"}).json()  # a stranger: the verdict only
    assert proxied == {"status": "ready", "failed": []}


def test_readyz_names_storage_when_its_directory_is_gone(client, settings) -> None:
    root = settings.resolved_storage_dir
    shutil.rmtree(root)
    root.write_text("not a directory")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["storage"] and str(root) in body["checks"]["storage"]["error"]
    assert client.get("/healthz").status_code == 200  # alive all the same: a restart would not mend it


def test_readyz_names_storage_when_the_s3_server_stops(tmp_path, stoppable_s3_server) -> None:
    from studio.config import Settings

    info = stoppable_s3_server.info
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", embedded_workers=0, storage_backend="s3",
                        s3_endpoint=info["endpoint"], s3_access_key=info["access_key"],
                        s3_secret_key=info["secret_key"], storage_connect_timeout=1)  # fmt: skip
    svc = build_services(settings, immediate=True)
    try:
        with TestClient(create_app(settings, services=svc), base_url="http://127.0.0.1", client=LOOPBACK) as c:
            assert c.get("/readyz").status_code == 200
            stoppable_s3_server.stop()
            body = c.get("/readyz").json()
            assert body["failed"] == ["storage"], body
    finally:
        svc.stop()


def test_readyz_names_the_database_when_it_is_unreachable(settings, svc) -> None:
    # The PostgreSQL server this app is pointed at is down: a real engine to a port nothing listens on.
    svc.engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/comicreel")
    with TestClient(create_app(settings, services=svc), base_url="http://127.0.0.1", client=LOOPBACK) as c:
        response = c.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"] and "OperationalError" in body["checks"]["database"]["error"]


def test_readyz_gives_a_hung_database_its_timeout_and_no_more(settings, svc) -> None:
    """A server that accepts connections and never answers: the check fails after the timeout, and the next probe
    waits on the same hung check instead of starting another."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    svc.engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/comicreel")
    quick = settings.model_copy(update={"readiness_timeout": 0.5})
    try:
        with TestClient(create_app(quick, services=svc), base_url="http://127.0.0.1", client=LOOPBACK) as c:
            first = c.get("/readyz")
            second = c.get("/readyz")
            for response in (first, second):  # failed by the timeout, not by TCP or PostgreSQL's own (absent) limits
                assert response.status_code == 503
                assert "no answer within 0.5 s" in response.json()["checks"]["database"]["error"]
            assert sum(t.name == "readyz-database" for t in threading.enumerate()) == 1
    finally:
        silent.close()


def test_readyz_names_the_queue_when_redis_is_unreachable(tmp_path) -> None:
    from studio.config import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path / "data", embedded_workers=0,
                        redis_url=f"redis://127.0.0.1:{free_port()}/0")  # fmt: skip
    svc = build_services(settings)
    try:
        with TestClient(create_app(settings, services=svc), base_url="http://127.0.0.1", client=LOOPBACK) as c:
            body = c.get("/readyz").json()
            assert body["failed"] == ["queue"], body
            assert "ConnectionError" in body["checks"]["queue"]["error"]
    finally:
        svc.stop()


# -- logs --------------------------------------------------------------------------------------------------------


@pytest.fixture
def json_log(settings) -> Iterator[io.StringIO]:
    from studio.observability import configure_logging

    stream = io.StringIO()
    handler = configure_logging(settings.model_copy(update={"log_format": "json"}), stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def test_a_log_line_inside_a_job_carries_its_task_id(tmp_path, json_log) -> None:
    """Piper's voice file is broken: the job logs that espeak-ng speaks the line instead, with the task's id."""
    from studio.config import Settings

    broken = tmp_path / "voice.onnx"
    broken.write_bytes(b"not a model")
    (tmp_path / "voice.onnx.json").write_text("{}")
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", embedded_workers=0, piper_model_path=broken)
    svc = build_services(settings, immediate=True)
    try:
        with TestClient(create_app(settings, services=svc), base_url="http://127.0.0.1", client=LOOPBACK) as c:
            pid = _project(c)
            queued = ok(c.post("/api/v1/audio/tts/generate", json={"text": "Hello there.", "project_id": pid}), 202)
            task_id = queued["task_id"]
            assert wait(c, task_id)["status"] == "completed"
    finally:
        svc.stop()
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    fallback = [line for line in lines if "espeak-ng speaks it" in line["message"]]
    assert fallback and all(line["task_id"] == task_id for line in fallback), lines[-5:]
    assert not any("task_id" in line for line in lines if line["logger"].startswith("studio.api"))


def test_python_app_py_writes_json_lines_with_the_request_id(tmp_path) -> None:
    url, proc = start_app(tmp_path, COMICREEL_LOG_FORMAT="json", COMICREEL_EMBEDDED_WORKERS="0")
    try:
        request = urllib.request.Request(f"{url}/api/v1/projects", headers={"X-Request-ID": "obs-test-4711"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["X-Request-ID"] == "obs-test-4711"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    lines = [line for line in (tmp_path / "app.log").read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [e for e in entries if e.get("request_id") == "obs-test-4711"]
    assert access and "/api/v1/projects" in access[0]["message"] and access[0]["logger"] == "uvicorn.access"
    assert {"time", "level", "logger", "message"} <= set(access[0])


# -- tracing -----------------------------------------------------------------------------------------------------


class _Collector(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        type(self).bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


TRACED = """
import sys, uuid
from fastapi.testclient import TestClient
from opentelemetry import trace
from app import create_app
from studio.config import Settings
from studio.services import build_services
settings = Settings(_env_file=None, data_dir=sys.argv[1], embedded_workers=0, otel_endpoint=sys.argv[2])
svc = build_services(settings, immediate=True)
with TestClient(create_app(settings, services=svc), base_url="http://127.0.0.1") as c:
    c.get(f"/api/v1/projects/{uuid.uuid4()}")
    c.get("/healthz")
    pid = c.post("/api/v1/projects", json={"name": "t", "aspect_ratio": "1:1"}).json()["data"]["project_id"]
    c.post(f"/api/v1/projects/{pid}/script", json={"content": "Scene: park, day\\nJoe: Hi.\\n"})
    c.post(f"/api/v1/projects/{pid}/script/parse")
svc.stop()
trace.get_tracer_provider().force_flush()
"""


def test_traces_go_to_the_otlp_endpoint_when_one_is_set(tmp_path) -> None:
    pytest.importorskip("opentelemetry.sdk", reason="the otel extra (pip install -e '.[otel]')")
    _Collector.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}"
        env = {**os.environ, "PYTHONPATH": str(REPO), "GRADIO_ANALYTICS_ENABLED": "False"}
        subprocess.run([sys.executable, "-c", TRACED, str(tmp_path / "data"), endpoint], check=True, cwd=tmp_path,
                       env=env, timeout=120)  # fmt: skip
    finally:
        server.shutdown()
    sent = b"".join(_Collector.bodies)
    assert b"/api/v1/projects/{project_id}" in sent  # the request span, named by its route
    assert b"task nlp" in sent  # the job's span
    assert b"/healthz" not in sent  # probes are left out


def test_no_endpoint_means_no_tracing(settings) -> None:
    from studio.observability import setup_tracing

    assert setup_tracing(settings) is False


def test_worker_metrics_server_follows_the_same_rule(settings, svc) -> None:
    from studio.observability import serve_worker_metrics

    port = free_port()
    server = serve_worker_metrics(settings.model_copy(update={"worker_metrics_port": port}), svc.queues)
    assert server is not None
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
        assert 'comicreel_queue_pending_tasks{queue="video_render"} 0.0' in text
    finally:
        server.shutdown()
        server.server_close()
    assert serve_worker_metrics(settings, svc.queues) is None  # port 0: none


def test_worker_metrics_ask_for_the_token_when_one_is_set(settings, svc) -> None:
    from studio.observability import serve_worker_metrics

    port = free_port()
    tokened = settings.model_copy(update={"worker_metrics_port": port, "metrics_token": "tok"})
    server = serve_worker_metrics(tokened, svc.queues)
    assert server is not None
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert refused.value.code == 401
        request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": "Bearer tok"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()

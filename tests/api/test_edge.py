"""The HTTP edge as a stranger meets it: hosts, origins, content types, sizes, bad input, unknown routes; every
failure is a clear 4xx envelope, the OpenAPI document tells the truth, and a 500 keeps the connection open."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid

import pytest

from tests.api.conftest import ok, refused
from tests.conftest import free_port

NO_PROJECT = "00000000-0000-0000-0000-000000000000"


def _project(client, **fields) -> str:
    return ok(client.post("/api/v1/projects", json={"name": "p", **fields}), 201)["project_id"]


# -- hosts, origins, content types, sizes ----------------------------------------------------------------------


def test_a_forged_host_is_refused(client) -> None:
    for host in ("evil.example.com", "127.0.0.1.evil.com", "attacker:7860", "localhost:evil", "[::1]evil", ""):
        refused(client.get("/api/v1/projects", headers={"Host": host}), 400, 10002)
        assert client.get("/", headers={"Host": host}).status_code == 400  # the studio too (DNS rebinding)
    for host in ("127.0.0.1", "127.0.0.1:7860", "localhost:7860", "[::1]:7860"):
        ok(client.get("/api/v1/projects", headers={"Host": host}))
    assert client.get("/healthz", headers={"Host": "10.1.2.3:7860"}).status_code == 200  # probes come by address


def test_allowed_hosts_and_origins_are_settings(settings) -> None:
    from fastapi.testclient import TestClient

    from app import create_app
    from studio.services import build_services

    custom = settings.model_copy(update={"allowed_hosts": ["comics.example.com"],
                                         "allowed_origins": ["https://app.example.com"]})  # fmt: skip
    with TestClient(create_app(custom, services=build_services(custom, immediate=True)),
                    base_url="http://comics.example.com") as client:  # fmt: skip
        ok(client.get("/api/v1/projects"))
        refused(client.get("/api/v1/projects", headers={"Host": "127.0.0.1"}), 400, 10002)
        ok(client.post("/api/v1/projects", json={"name": "x"}, headers={"Origin": "https://app.example.com"}), 201)
        refused(client.post("/api/v1/projects", json={"name": "x"}, headers={"Origin": "https://evil.com"}), 403, 20003)
        # what a browser on the allowed origin really sends first: a preflight, answered with the CORS headers
        preflight = client.options("/api/v1/projects", headers={
            "Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})  # fmt: skip
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
        listing = client.get("/api/v1/projects", headers={"Origin": "https://app.example.com"})
        assert listing.headers["access-control-allow-origin"] == "https://app.example.com"


def test_cross_origin_requests_are_refused(client) -> None:
    pid = _project(client)
    for origin in ("https://evil.example.com", "null", "http://127.0.0.1:9999"):
        headers = {"Origin": origin}
        # The form post a hostile page can send without any preflight, and the body-less kind.
        refused(client.post(f"/api/v1/projects/{pid}/script/parse", headers=headers), 403, 20003)
        refused(client.post(f"/api/v1/projects/{pid}/script", data={"content": "x"}, headers=headers), 403, 20003)
        refused(client.delete(f"/api/v1/projects/{pid}", headers=headers), 403, 20003)
        refused(client.get("/api/v1/projects", headers=headers), 403, 20003)
    ok(client.post("/api/v1/projects", json={"name": "same"}, headers={"Origin": "http://127.0.0.1"}), 201)
    assert ok(client.get(f"/api/v1/projects/{pid}"))["name"] == "p"  # nothing was deleted


def test_json_endpoints_refuse_other_content_types(client) -> None:
    pid = _project(client)
    url = f"/api/v1/projects/{pid}/script"
    refused(client.post(url, data={"content": "小明: 你好"}), 415, 10002)
    refused(client.post(url, content=b"content=x", headers={"Content-Type": "text/plain"}), 415, 10002)
    refused(client.post(f"/api/v1/projects/{pid}/script/parse", content=b"a=1",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}), 415, 10002)  # fmt: skip
    refused(client.post(url, content=b"\x00\xff\xfe binary", headers={"Content-Type": "application/json"}), 400, 10002)
    refused(client.post(url, content=b"[1, 2]", headers={"Content-Type": "application/json"}), 400, 10002)
    ok(client.post(f"/api/v1/projects/{pid}/script/parse"), 202)  # no body, no content type: fine


def test_request_bodies_have_a_size_limit(client) -> None:
    pid = _project(client)
    limit = client.app.state.services.settings.max_request_bytes
    huge = "剧" * (limit // 2)
    refused(client.post(f"/api/v1/projects/{pid}/script", json={"content": huge}), 413, 10002)

    def chunks():  # no Content-Length: the limit still holds while the body streams in
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    refused(client.post(f"/api/v1/projects/{pid}/script", content=chunks(),
                        headers={"Content-Type": "application/json"}), 413, 10002)  # fmt: skip
    refused(client.post("/api/v1/projects", json={"name": "p", "description": "d" * 100_000}), 400, 10002,
            field="description")  # fmt: skip
    long_script = "旁白: 好。\n" * 40_000
    refused(client.post(f"/api/v1/projects/{pid}/script", json={"content": long_script}), 400, 10002, field="content")
    assert ok(client.get(f"/api/v1/projects/{pid}"))["script"] is None


# -- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", "/api/v1/projects?page=461168601842738792", None, "page"),
        ("GET", "/api/v1/projects?page=0", None, "page"),
        ("GET", "/api/v1/projects?page_size=1000", None, "page_size"),
        ("GET", "/api/v1/projects?page=abc", None, "page"),
        ("GET", "/api/v1/projects?status=bogus", None, "status"),
        ("GET", "/api/v1/projects/not-a-uuid", None, "project_id"),
        ("GET", "/api/v1/tasks/12345", None, "task_id"),
        ("POST", "/api/v1/projects", {"name": ""}, "name"),
        ("POST", "/api/v1/projects", {"name": None}, "name"),
        ("POST", "/api/v1/projects", {"name": "x", "colour": "red"}, "colour"),
        ("POST", "/api/v1/projects", {"name": "x", "target_duration": 1}, "target_duration"),
        ("POST", "/api/v1/projects", {"name": "x", "style": "oil"}, "style"),
        ("PATCH", "/api/v1/projects/{pid}", {"name": None}, "name"),
        ("PATCH", "/api/v1/projects/{pid}", {"style": None}, "style"),
        ("PATCH", "/api/v1/projects/{pid}", {"target_duration": "soon"}, "target_duration"),
        ("PATCH", "/api/v1/projects/{pid}", {"status": "completed"}, "status"),
        ("POST", "/api/v1/projects/{pid}/script", {"content": "a\x00b"}, "content"),
        ("POST", "/api/v1/projects/{pid}/script", {"content": "   "}, "content"),
        ("POST", "/api/v1/projects/{pid}/script", {"content": "x", "format": "docx"}, "format"),
        ("POST", "/api/v1/projects/{pid}/storyboard/generate", {"options": {"shot_duration_range": [5, 1]}},
         "options.shot_duration_range"),
        ("POST", "/api/v1/projects/{pid}/storyboard/generate", {"options": {"shot_duration_range": [0, 99]}},
         "options.shot_duration_range"),
        ("POST", "/api/v1/projects/{pid}/storyboard/generate", {"options": {"max_shots": 0}}, "options.max_shots"),
        ("POST", "/api/v1/projects/{pid}/storyboard/generate", {"parsed_script_id": "x"}, "parsed_script_id"),
        ("POST", "/api/v1/projects/{pid}/render/final", {"resolution": "8k"}, "resolution"),
        ("POST", "/api/v1/projects/{pid}/render/final", {"format": "gif"}, "format"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_any_work(client, method, path, body, field) -> None:
    pid = _project(client)
    response = client.request(method, path.format(pid=pid), json=body)
    refused(response, 400, 10002, field=field)
    project = ok(client.get(f"/api/v1/projects/{pid}"))
    assert project["name"] == "p" and project["style"] == "comic" and project["script"] is None
    with client.app.state.services.sessions() as s:
        from db.models import Task

        assert s.query(Task).count() == 0  # no task was started


def test_patch_accepts_what_it_documents(client) -> None:
    pid = _project(client, description="first")
    changed = ok(client.patch(f"/api/v1/projects/{pid}", json={"description": None, "target_duration": 90}))
    assert changed["description"] is None and changed["target_duration"] == 90
    assert ok(client.patch(f"/api/v1/projects/{pid}", json={"target_duration": None}))["target_duration"] is None


def test_missing_resources_answer_404_with_their_code(client) -> None:
    refused(client.get(f"/api/v1/projects/{NO_PROJECT}"), 404, 30002)
    refused(client.post(f"/api/v1/projects/{NO_PROJECT}/script", json={"content": "旁白: 好"}), 404, 30002)
    refused(client.get(f"/api/v1/tasks/{uuid.uuid4()}"), 404, 10003)
    pid = _project(client)
    refused(client.post(f"/api/v1/projects/{pid}/shots/{uuid.uuid4()}/regenerate"), 404, 10003)
    refused(client.post(f"/api/v1/projects/{pid}/storyboard/generate", json={"parsed_script_id": str(uuid.uuid4())}),
            404, 10003, field="parsed_script_id")  # fmt: skip


def test_unknown_paths_and_wrong_methods_answer_the_envelope(client) -> None:
    refused(client.get("/api/v1/nope"), 404, 10003)
    refused(client.post("/api/v1/projects/x/y/z", json={}), 404, 10003)
    refused(client.get("/api/v1"), 404, 10003)
    wrong = client.put("/api/v1/projects", json={})
    refused(wrong, 405, 10002)
    assert set(wrong.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    refused(client.delete(f"/api/v1/tasks/{uuid.uuid4()}"), 405, 10002)


# -- the OpenAPI document -------------------------------------------------------------------------------------


def test_openapi_lists_the_statuses_each_route_returns(client) -> None:
    doc = client.get("/openapi.json").json()
    assert "/api/v1/tasks/{task_id}/cancel" in doc["paths"]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            statuses = set(op["responses"])
            assert {"400", "403", "413", "500"} <= statuses, (method, path, statuses)
            assert "422" not in statuses, (method, path)  # FastAPI's default; we answer 400 with the envelope
            if method in ("post", "patch", "delete"):
                assert "415" in statuses, (method, path)
            if "{project_id}" in path or "{task_id}" in path:
                assert "404" in statuses, (method, path)
            success = [s for s in statuses if s.startswith("2")]
            assert len(success) == 1 and "$ref" in json.dumps(op["responses"][success[0]]), (method, path)
    for storage_route in ("/api/v1/projects/{project_id}/storyboard", "/api/v1/projects/{project_id}/video/download"):
        assert "503" in doc["paths"][storage_route]["get"]["responses"]
    assert "503" in doc["paths"]["/api/v1/projects/{project_id}"]["delete"]["responses"]


def test_routes_answer_only_documented_statuses(client) -> None:
    """Every request above, replayed: whatever a route answered is a status its OpenAPI entry lists."""
    doc = client.get("/openapi.json").json()
    pid = _project(client)
    samples = [("get", "/api/v1/projects?page=0"), ("get", f"/api/v1/projects/{NO_PROJECT}"),
               ("post", f"/api/v1/projects/{pid}/render/final"), ("get", f"/api/v1/projects/{pid}/storyboard"),
               ("get", f"/api/v1/projects/{pid}/video/download"), ("post", f"/api/v1/tasks/{uuid.uuid4()}/cancel"),
               ("get", f"/api/v1/projects/{pid}/script/parsed"), ("get", f"/api/v1/projects/{pid}/characters")]  # fmt: skip
    for method, url in samples:
        status = client.request(method, url).status_code
        template = _match(doc, url.split("?")[0])
        assert str(status) in doc["paths"][template][method]["responses"], (method, url, status)


def _match(doc: dict, path: str) -> str:
    import re

    for template in doc["paths"]:
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return template
    raise AssertionError(path)


# -- a 500 keeps the connection open -----------------------------------------------------------------------


def test_an_internal_error_answers_500_and_keeps_the_connection(settings, monkeypatch) -> None:
    import uvicorn

    from app import create_app
    from studio import editor

    port = free_port()
    app = create_app(settings)

    def boom(*args, **kwargs):
        raise RuntimeError("database on fire at /secret/path")

    monkeypatch.setattr(editor, "list_characters", boom)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/api/v1/projects", body=json.dumps({"name": "x"}),
                     headers={"Content-Type": "application/json"})  # fmt: skip
        pid = json.loads(conn.getresponse().read())["data"]["project_id"]
        conn.request("GET", f"/api/v1/projects/{pid}/characters")
        failed = conn.getresponse()
        body = json.loads(failed.read())
        assert failed.status == 500 and body["code"] == 10001 and body["request_id"] in body["message"]
        assert "/secret/path" not in json.dumps(body) and failed.getheader("connection") != "close"
        conn.request("GET", "/api/v1/projects")  # the same connection still works
        again = conn.getresponse()
        assert again.status == 200 and json.loads(again.read())["data"]["total"] == 1
        conn.close()
    finally:
        server.should_exit = True
        thread.join(10)

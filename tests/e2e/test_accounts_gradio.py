"""The studio's Gradio steps with COMICREEL_AUTH_ENABLED, through gradio_client against the running app: each call
acts as the holder of its token. Alice's project is hers: Bob, calling every named step the app lists (so a new step
without a check fails here) against it, is refused and changes nothing; nobody without a valid token gets in."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.conftest import app_running

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery"
SCRIPT = "场景:天台,夜晚\n角色:小红(女)\n小红(微笑): 今晚的月亮真圆。\n旁白: 风停了。\n"
# The named steps that do not act on an existing project or task, each with its own check below.
NOT_ABOUT_A_PROJECT = {"/create_project", "/import_project", "/list_bgm", "/list_sound_effects"}
OWNED = {"pid", "project_id", "task_id"}  # a step with one of these parameters acts on someone's project or task
CHANGES = {"/update_character": {"name": "Bob"}, "/update_shot": {"text": "Bob was here"}}  # valid edits


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    with app_running(root, COMICREEL_AUTH_ENABLED="true", GRADIO_TEMP_DIR=str(root / "gradio")) as url:
        yield url


def register(url: str, name: str) -> dict[str, Any]:
    body = {"email": f"{name}@example.com", "password": PASSWORD, "username": name}
    response = httpx.post(f"{url}/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def rest(url: str, tokens: dict[str, Any], method: str, path: str, **options: Any) -> Any:
    response = httpx.request(method, f"{url}/api/v1{path}", headers=bearer(tokens), timeout=30, **options)
    assert response.status_code < 300, response.text
    return response.json()["data"]


def stable(value: Any) -> Any:
    """`value` without its signed URLs, which expire and so change with every read."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if not k.endswith("url")}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def client_as(url: str, tokens: dict[str, Any] | None, tmp_path) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=str(tmp_path), headers=bearer(tokens) if tokens else None)


def parse_task(url: str, tokens: dict[str, Any], pid: str) -> str:
    """A finished task of the project's owner (a parse through REST), for the steps that take a task id."""
    task_id = rest(url, tokens, "POST", f"/projects/{pid}/script/parse")["task_id"]
    deadline = time.monotonic() + 120
    while rest(url, tokens, "GET", f"/tasks/{task_id}")["status"] not in ("completed", "failed"):
        assert time.monotonic() < deadline, "the parse did not finish"
        time.sleep(0.3)
    return task_id


def arguments(name: str, step: dict[str, Any], values: dict[str, Any]) -> list[Any]:
    """The step's arguments: `values` by parameter name, else the step's defaults; a parameter without either fails
    the test (a new step must say here what it is called with)."""
    params = step["parameters"]
    assert OWNED & {p["parameter_name"] for p in params}, f"{name} acts on no project: add its check here"
    args = []
    for p in params:
        value = CHANGES.get(name) if p["parameter_name"] == "changes" else values.get(p["parameter_name"])
        if value is None:
            assert p["parameter_has_default"], f"{name}: what should the test send as {p['parameter_name']}?"
            value = p["parameter_default"]
        args.append(value)
    return args


def test_every_named_step_refuses_another_users_project_and_changes_nothing(running_app, tmp_path) -> None:
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    url = running_app
    alice_tokens, bob_tokens = register(url, "alice"), register(url, "bob")
    alice = client_as(url, alice_tokens, tmp_path / "alice")
    # 1. Alice makes a project through the studio's steps: parse, a task of her own, panels.
    pid, status, _ = alice.predict("月夜", "comic", "9:16", api_name="/create_project")
    assert "月夜" in status
    summary, *_ = alice.predict(pid, SCRIPT, "auto", api_name="/parse_script")
    assert "**2**" in summary
    task_id = parse_task(url, alice_tokens, pid)
    alice.predict(pid, api_name="/generate_storyboard")
    before = alice.predict(pid, api_name="/open_project")
    shot_id = before["storyboard"]["shots"][0]["shot_id"]
    image_id = alice.predict(pid, shot_id, api_name="/list_shot_images")[0]["image_id"]
    alices_projects = rest(url, alice_tokens, "GET", "/projects")["projects"]
    assert [p["id"] for p in alices_projects] == [pid]
    # 2. Bob calls every step on her project with valid values (her shot, her cast, a real track): only ownership
    # can refuse him, and it does, each time.
    values = {
        "pid": pid, "project_id": pid, "task_id": task_id, "shot_id": shot_id, "image_id": image_id,
        "character_id": before["characters"][0]["id"], "text": "旁白: 被改了。",
        "bgm_id": rest(url, bob_tokens, "GET", "/audio/bgm")["bgm_list"][0]["id"],
        "effect_key": rest(url, bob_tokens, "GET", "/audio/sound-effects")["sound_effects"][0]["key"],
        "table": {"headers": ["id", "start", "end", "text", "origin"], "data": [["x", 0, 1, "Bob", "edited"]]},
    }  # fmt: skip
    not_yours = r"(project|task) \S+ does not exist"
    bob = client_as(url, bob_tokens, tmp_path / "bob")
    steps = bob.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert len(steps) >= 20 and NOT_ABOUT_A_PROJECT <= set(steps)
    owned_steps = {name: step for name, step in sorted(steps.items()) if name not in NOT_ABOUT_A_PROJECT}
    for name, step in owned_steps.items():
        with pytest.raises(AppError) as refusal:
            bob.predict(*arguments(name, step, values), api_name=name)
        assert re.search(not_yours, str(refusal.value)), (name, str(refusal.value))
    # 3. The same steps on Bob's own project find it (they act as Bob, not as some other account): whatever else
    # they answer, it is never "does not exist".
    bobs_pid, _, _ = bob.predict("Bob's", "comic", "1:1", api_name="/create_project")
    bob.predict(bobs_pid, SCRIPT, "auto", api_name="/save_script")
    own = {**values, "pid": bobs_pid, "project_id": bobs_pid, "task_id": parse_task(url, bob_tokens, bobs_pid)}
    for name, step in owned_steps.items():
        try:
            bob.predict(*arguments(name, step, own), api_name=name)
        except AppError as exc:
            assert not re.search(not_yours, str(exc)), (name, str(exc))
    # 4. The steps that act on no existing project: Bob's import becomes his; the library is everyone's.
    bundle = bob.predict(bobs_pid, "bundle", api_name="/export_project")
    imported, _, _ = bob.predict(handle_file(bundle[0]), api_name="/import_project")
    assert {p["id"] for p in rest(url, bob_tokens, "GET", "/projects")["projects"]} == {bobs_pid, imported}
    table, _ = bob.predict("", 1, api_name="/list_bgm")
    assert "<audio" in table
    effects, _ = bob.predict("", api_name="/list_sound_effects")
    assert "<audio" in effects
    # 5. Nothing of Alice's changed, and she sees only her own project.
    assert stable(alice.predict(pid, api_name="/open_project")) == stable(before)
    assert rest(url, alice_tokens, "GET", "/projects")["projects"] == alices_projects
    assert rest(url, alice_tokens, "GET", f"/tasks/{task_id}")["status"] == "completed"


def test_no_valid_token_no_studio(running_app, tmp_path) -> None:
    from gradio_client.exceptions import AuthenticationError

    url = running_app
    for headers in (None, {"Authorization": "Bearer not-a-token"}):
        with pytest.raises(AuthenticationError):
            client_as(url, {"access_token": "not-a-token"} if headers else None, tmp_path)
    # Below gradio_client: Gradio's own routes (queue, calls, uploads, files, config) answer 401 with the envelope.
    carol = register(url, "carol")
    pid = rest(url, carol, "POST", "/projects", json={"name": "c"})["project_id"]
    probes = [("POST", "/gradio_api/queue/join", {"json": {"data": [pid], "fn_index": 0, "session_hash": "s"}}),
              ("POST", "/gradio_api/call/open_project", {"json": {"data": [pid]}}),
              ("POST", "/gradio_api/run/open_project", {"json": {"data": [pid]}}),
              ("POST", "/gradio_api/upload", {"files": {"files": ("a.txt", b"hello")}}),
              ("GET", "/gradio_api/file=/etc/hostname", {}), ("GET", "/gradio_api/info", {}), ("GET", "/config", {}),
              ("GET", "/gradio_api/queue/data?session_hash=s", {})]  # fmt: skip
    for method, path, options in probes:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = httpx.request(method, url + path, headers=headers, timeout=30, **options)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["code"] == 20001, (path, response.text)
    # The token is checked on every call: once its login ends, the same client is refused.
    client = client_as(url, carol, tmp_path)
    assert client.predict(pid, api_name="/open_project")["project"]["id"] == pid
    rest(url, carol, "POST", "/auth/logout")
    with pytest.raises(Exception, match="401|login|log in"):
        client.predict(pid, api_name="/open_project")

"""Comic exports through the REST API: queue each kind, download the latest, and what is refused."""

from __future__ import annotations

import io
import json
import zipfile

from PIL import Image

from db.models import Project
from db.session import transaction
from studio.services import ensure_user
from tests.api.conftest import ok, refused, wait

SCRIPT = "场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(微笑): 昨天的话,我想了一整天。\n（小明看着远处）\n旁白: 风停了。\n"


def _planned_project(client) -> tuple[str, int]:
    """A project with a storyboard (nothing drawn or voiced yet), and its number of shots."""
    pid = ok(client.post("/api/v1/projects", json={"name": "天台: 第1集", "aspect_ratio": "1:1"}), 201)["project_id"]
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT}))
    for url in (f"/api/v1/projects/{pid}/script/parse", f"/api/v1/projects/{pid}/storyboard/generate"):
        assert wait(client, ok(client.post(url, json={}), 202)["task_id"])["status"] == "completed"
    return pid, len(ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"])


def _export(client, pid: str, kind: str) -> dict:
    queued = ok(client.post(f"/api/v1/projects/{pid}/exports", json={"kind": kind}), 202)
    assert queued["status"] == "queued"
    task = wait(client, queued["task_id"])
    assert task["status"] == "completed" and task["type"] == "export", task
    return task["result"]


def test_each_kind_is_made_stored_and_listed_with_a_download_url(client) -> None:
    pid, shots = _planned_project(client)
    assert ok(client.get(f"/api/v1/projects/{pid}/exports")) == {"exports": []}
    results = {kind: _export(client, pid, kind) for kind in ("webtoon", "pdf", "jianying")}
    storage = client.app.state.services.storage
    for kind, result in results.items():
        assert result["kind"] == kind and result["key"] == f"projects/{pid}/exports/{result['file_name']}"
        assert storage.size(result["key"]) == result["file_size"]
    listed = {e["kind"]: e for e in ok(client.get(f"/api/v1/projects/{pid}/exports"))["exports"]}
    assert set(listed) == {"webtoon", "pdf", "jianying"}
    files = {}
    for kind, entry in listed.items():
        assert (entry["file_name"], entry["file_size"]) == (results[kind]["file_name"], results[kind]["file_size"])
        assert entry["expires_at"] > entry["created_at"]
        download = client.get(entry["download_url"])
        assert download.status_code == 200
        files[kind] = download.content
    # drawn and voiced on the way: the webtoon shows every panel at 800 px, the PDF is a PDF
    webtoon = Image.open(io.BytesIO(files["webtoon"]))
    assert webtoon.format == "PNG" and webtoon.width == 800 and webtoon.height > shots * 800
    assert files["pdf"].startswith(b"%PDF-") and files["pdf"].rstrip().endswith(b"%%EOF")
    # the draft: a folder named after the project (":" cannot be in a folder name), a panel per shot, two voices
    with zipfile.ZipFile(io.BytesIO(files["jianying"])) as archive:
        names = archive.namelist()
        assert {n.split("/")[0] for n in names} == {"天台_ 第1集"}
        content = json.loads(archive.read("天台_ 第1集/draft_content.json"))
        tracks = {t["name"]: t for t in content["tracks"]}
        assert len(tracks["panels"]["segments"]) == shots and len(tracks["voices"]["segments"]) == 2
        assert sum(n.startswith("天台_ 第1集/materials/panel_") for n in names) == shots
        assert "天台_ 第1集/draft_meta_info.json" in names
    # a newer export of a kind replaces it in the list
    again = _export(client, pid, "pdf")
    listed = {e["kind"]: e for e in ok(client.get(f"/api/v1/projects/{pid}/exports"))["exports"]}
    assert listed["pdf"]["file_name"] == again["file_name"] != results["pdf"]["file_name"]
    assert listed["webtoon"]["file_name"] == results["webtoon"]["file_name"]


def test_exports_are_refused_for_others_projects_bad_kinds_and_no_storyboard(client) -> None:
    svc = client.app.state.services
    other_user = ensure_user(svc.sessions, "someone-else")
    with transaction(svc.sessions) as s:
        theirs = Project(user_id=other_user, name="theirs", style="comic", aspect_ratio="9:16")
        s.add(theirs)
        s.flush()
        their_id = str(theirs.id)
    refused(client.post(f"/api/v1/projects/{their_id}/exports", json={"kind": "pdf"}), 404, 30002)
    refused(client.get(f"/api/v1/projects/{their_id}/exports"), 404, 30002)
    pid = ok(client.post("/api/v1/projects", json={"name": "mine"}), 201)["project_id"]
    body = refused(client.post(f"/api/v1/projects/{pid}/exports", json={"kind": "gif"}), 400, 10002, field="kind")
    assert "webtoon" in body["message"]
    refused(client.post(f"/api/v1/projects/{pid}/exports", json={"kind": "pdf", "dpi": 300}), 400, 10002, field="dpi")
    refused(client.post(f"/api/v1/projects/{pid}/exports", json={"kind": "pdf"}), 404, 10003)  # no storyboard yet

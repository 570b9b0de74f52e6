"""Project bundles through REST: a drawn, voiced and edited project exported and imported back reads the same and is
current (rendering it draws and voices nothing), staleness travels exactly; another user's project cannot be
exported; and every broken, hostile or oversized zip is refused with nothing created."""

from __future__ import annotations

import base64
import io
import json
import uuid
import wave
import zipfile

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from db.models import Project, Script, ScriptVersion, ShotImage, ShotRow, User
from db.session import transaction
from studio import bundle, editor, projects
from studio.bundle_format import MAX_MEMBERS
from tests.api.conftest import BASE_URL, ok, refused, wait

SCRIPT = ("场景:学校天台,白天\n角色:小明(男,高中生),小红(女)\n小红(微笑): 昨天的话,我想了一整天。\n"
          "（小明看着远处）\n小明(开心): 太好了!\n")  # fmt: skip
IMPORT = "/api/v1/projects/import"
ZIP = {"Content-Type": "application/zip"}


def _run(client, url: str, json=None) -> dict:
    data = ok(client.post(url, json=json), 202)
    task = wait(client, data.get("task_id") or data.get("batch_task_id") or data.get("render_task_id"))
    assert task["status"] == "completed", task
    return task


def _drawn(client) -> str:
    """A project parsed, planned, drawn and voiced: shots 1 小红 speaks, 2 小明 in frame (action), 3 小明 speaks."""
    pid = ok(client.post("/api/v1/projects", json={"name": "天台", "aspect_ratio": "1:1", "style": "chibi",
                                                    "target_duration": 20}), 201)["project_id"]  # fmt: skip
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT}))
    for step in ("script/parse", "storyboard/generate", "storyboard/generate-images", "audio/generate-dialogues"):
        _run(client, f"/api/v1/projects/{pid}/{step}", {} if step == "storyboard/generate" else None)
    return pid


def _edited(client) -> str:
    """`_drawn`, then edited the ways a creator does, and brought up to date: a second script version, a reference
    picture and voice settings for 小明, a prompt, camera and transition of one's own, and a shot drawn again with a
    seed (two panel versions)."""
    pid = _drawn(client)
    ok(client.post(f"/api/v1/projects/{pid}/script", json={"content": SCRIPT + "旁白: 夕阳西下。\n"}))
    ming = next(c for c in _cast(client, pid) if c["name"] == "小明")
    picture = io.BytesIO()
    Image.new("RGB", (48, 48), (20, 160, 220)).save(picture, format="PNG")
    ok(client.put(f"/api/v1/projects/{pid}/characters/{ming['id']}/reference-image",
                  json={"image_base64": base64.b64encode(picture.getvalue()).decode()}))  # fmt: skip
    ok(client.patch(f"/api/v1/projects/{pid}/characters/{ming['id']}",
                    json={"description": "班长", "voice": {"pitch": 80}}))  # fmt: skip
    shots = _board(client, pid)
    ok(client.patch(f"/api/v1/projects/{pid}/shots/{shots[1]['shot_id']}",
                    json={"prompt": "深夜 night, rain", "camera": "long", "transition": "wipe"}))  # fmt: skip
    _run(client, f"/api/v1/projects/{pid}/shots/{shots[0]['shot_id']}/regenerate", {"seed": 4242})
    _run(client, f"/api/v1/projects/{pid}/storyboard/update-stale")
    return pid


def _board(client, pid: str) -> list[dict]:
    return ok(client.get(f"/api/v1/projects/{pid}/storyboard"))["shots"]


def _cast(client, pid: str) -> list[dict]:
    return ok(client.get(f"/api/v1/projects/{pid}/characters"))["characters"]


def _export(client, pid: str) -> bytes:
    exported = ok(client.post(f"/api/v1/projects/{pid}/bundle"))
    assert exported["key"] == f"projects/{pid}/exports/{exported['file_name']}"
    assert exported["file_name"].startswith("bundle_") and exported["file_name"].endswith(".zip")
    download = client.get(exported["download_url"])
    assert download.status_code == 200 and len(download.content) == exported["file_size"]
    return download.content


def _import(client, data: bytes) -> str:
    created = ok(client.post(IMPORT, content=data, headers=ZIP), 201)
    assert created["status"] == "draft"
    return created["project_id"]


def _shot_view(client, pid: str) -> list[dict]:
    """The storyboard as the creator sees it, with the files' bytes instead of their keys."""
    storage = client.app.state.services.storage
    view = []
    for shot in _board(client, pid):
        versions = ok(client.get(f"/api/v1/projects/{pid}/shots/{shot['shot_id']}/images"))["images"]
        dialogue = dict(shot["dialogue"] or {})
        audio_key = dialogue.pop("audio_key", None)
        dialogue.pop("audio_url", None)
        # A bundle carries the panels, not the motion comic's layers (keys of the source project's files).
        params = {k: v for k, v in shot["generation_params"].items() if k not in ("layers", "sprites")}
        view.append({
            **{k: v for k, v in shot.items() if k not in ("shot_id", "image_key", "image_url", "dialogue")},
            "generation_params": params,
            "dialogue": dialogue, "panel": storage.get_bytes(shot["image_key"]),
            "voice": storage.get_bytes(audio_key) if audio_key else None,
            "versions": [(v["seed"], v["prompt"], v["is_current"], storage.get_bytes(v["image_key"]))
                         for v in versions],
        })  # fmt: skip
    return view


def _cast_view(client, pid: str) -> list[dict]:
    storage = client.app.state.services.storage
    return [{**{k: v for k, v in c.items() if k not in ("id", "reference_image_key", "reference_image_url",
                                                        "reference_versions")},
             "reference": storage.get_bytes(c["reference_image_key"]) if c["reference_image_key"] else None,
             "versions": [(v["is_current"], v["params"], storage.get_bytes(v["key"])) for v in c["reference_versions"]]}
            for c in _cast(client, pid)]  # fmt: skip


def _script_versions(client, pid: str) -> list[tuple[int, str, str]]:
    with client.app.state.services.sessions() as s:
        script_id = s.scalar(select(Script.id).where(Script.project_id == uuid.UUID(pid)))
        rows = s.scalars(select(ScriptVersion).where(ScriptVersion.script_id == script_id)
                         .order_by(ScriptVersion.version))  # fmt: skip
        return [(r.version, r.content, r.format) for r in rows]


def _files(client, pid: str, kind: str) -> list[str]:
    return client.app.state.services.storage.list(f"projects/{pid}/{kind}/")


def _panel_rows(client, pid: str) -> int:
    with client.app.state.services.sessions() as s:
        return s.scalar(select(func.count(ShotImage.id)).join(ShotRow).where(ShotRow.project_id == uuid.UUID(pid))) or 0


# -- the round trip --------------------------------------------------------------------------------------------


def test_an_exported_project_imports_as_a_new_current_project_that_renders_without_drawing(client) -> None:
    pid = _edited(client)
    source_shots = _shot_view(client, pid)
    assert not any(s["image_stale"] or s["voice_stale"] for s in source_shots)
    assert len(source_shots[0]["versions"]) >= 2  # drawn, then again with seed 4242
    data = _export(client, pid)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert (manifest["format"], manifest["version"], manifest["app_version"]) == ("comicreel-bundle", 2, "0.1.0")
        assert manifest["counts"]["shots"] == 3 and manifest["counts"]["script_versions"] == 2

    new = _import(client, data)
    assert new != pid
    # the same project, script with its versions, parse with its warnings, cast and storyboard
    source, imported = ok(client.get(f"/api/v1/projects/{pid}")), ok(client.get(f"/api/v1/projects/{new}"))
    for key in ("name", "description", "style", "aspect_ratio", "target_duration", "script"):
        assert imported[key] == source[key], key
    assert _script_versions(client, new) == _script_versions(client, pid) and len(_script_versions(client, new)) == 2
    parsed = [ok(client.get(f"/api/v1/projects/{p}/script/parsed")) for p in (pid, new)]
    assert [(p["scenes"], p["characters"], p["metadata"]) for p in parsed][0] == (
        parsed[1]["scenes"], parsed[1]["characters"], parsed[1]["metadata"])  # fmt: skip
    assert "warnings" in parsed[1]["metadata"]
    assert _cast_view(client, new) == _cast_view(client, pid)
    assert [c["stale_panels"] for c in _cast(client, new)] == [0, 0]
    imported_shots = _shot_view(client, new)
    assert imported_shots == source_shots  # texts, cameras, transitions, prompts, seeds, panel bytes, voices, versions
    assert (imported_shots[1]["prompt_override"], imported_shots[1]["type"], imported_shots[1]["transition"]) == (
        "深夜 night, rain", "long", "wipe")  # fmt: skip
    assert imported_shots[0]["seed"] == source_shots[0]["seed"]
    # new ids and keys everywhere: nothing of the new project points into the old one
    new_shots = _board(client, new)
    assert not {s["shot_id"] for s in new_shots} & {s["shot_id"] for s in _board(client, pid)}
    assert all(s["image_key"].startswith(f"projects/{new}/") for s in new_shots)
    assert all(c["reference_image_key"].startswith(f"projects/{new}/") for c in _cast(client, new)
               if c["reference_image_key"])  # fmt: skip
    svc = client.app.state.services
    assert editor.count_stale(svc, user_id=svc.default_user_id, project_id=new) == {"panels": 0, "voices": 0}

    # rendering it draws and voices nothing: the same panels and voices, and no new file among them
    panels, voices, versions = _files(client, new, "images"), _files(client, new, "audio"), _panel_rows(client, new)
    _run(client, f"/api/v1/projects/{new}/render/final", {"resolution": "720p"})
    assert ok(client.get(f"/api/v1/projects/{new}/video/download"))["video_key"].startswith(f"projects/{new}/")
    assert (_files(client, new, "images"), _files(client, new, "audio")) == (panels, voices)
    assert [(s["image_key"], s["dialogue"] and s["dialogue"]["audio_key"]) for s in _board(client, new)] == [
        (s["image_key"], s["dialogue"] and s["dialogue"]["audio_key"]) for s in new_shots]  # fmt: skip
    assert _panel_rows(client, new) == versions


def test_staleness_travels_exactly(client) -> None:
    """A panel or voice that did not match its shot when exported is stale after import too; the others are not."""
    pid = _drawn(client)
    shots = _board(client, pid)
    ok(client.patch(f"/api/v1/projects/{pid}/shots/{shots[0]['shot_id']}", json={"camera": "closeup"}))
    ok(client.patch(f"/api/v1/projects/{pid}/shots/{shots[2]['shot_id']}", json={"text": "明天见。"}))
    stale = [(s["image_stale"], s["voice_stale"]) for s in _board(client, pid)]
    assert stale[0] == (True, False) and stale[1] == (False, False) and stale[2][1]  # a new camera, a new line
    new = _import(client, _export(client, pid))
    assert [(s["image_stale"], s["voice_stale"]) for s in _board(client, new)] == stale


def test_another_users_project_cannot_be_exported(client) -> None:
    svc = client.app.state.services
    with transaction(svc.sessions) as s:
        other = User(username="other", email="other@localhost", password_hash="!")
        s.add(other)
        s.flush()
        other_id = other.id
    theirs = projects.create_project(svc, user_id=other_id, name="theirs")["id"]
    refused(client.post(f"/api/v1/projects/{theirs}/bundle"), 404, 30002)
    refused(client.post(f"/api/v1/projects/{uuid.uuid4()}/bundle"), 404, 30002)
    assert svc.storage.list(f"projects/{theirs}/") == []
    # and what one imports is one's own
    mine = _import(client, _export(client, ok(client.post("/api/v1/projects", json={"name": "x"}), 201)["project_id"]))
    with svc.sessions() as s:
        assert s.get(Project, uuid.UUID(mine)).user_id == svc.default_user_id


# -- refusals --------------------------------------------------------------------------------------------------


def _rezip(data: bytes, *, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None
           ) -> bytes:  # fmt: skip
    """The bundle with some members replaced (None: removed) or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = replace.get(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x01" * 1600)
    return out.getvalue()


def _state(client) -> tuple[int, list[str]]:
    svc = client.app.state.services
    with svc.sessions() as s:
        return s.scalar(select(func.count(Project.id))) or 0, svc.storage.list("projects/")


def _refused_and_nothing_created(client, data: bytes, status: int = 400, *, says: str = "", headers=None) -> None:
    before = _state(client)
    body = refused(client.post(IMPORT, content=data, headers=headers or ZIP), status, 10002)
    assert says.lower() in body["message"].lower(), body["message"]
    assert _state(client) == before


def test_broken_or_hostile_bundles_are_refused_with_nothing_created(client) -> None:
    pid = _drawn(client)
    good = _export(client, pid)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("project.json"))
        manifest = json.loads(archive.read("manifest.json"))
    panel = next(n for n in names if n.startswith("panels/"))
    voice = next(n for n in names if n.startswith("voices/"))
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    document_without_a_panel = json.loads(json.dumps(document))
    document_without_a_panel["storyboard"]["shots"][0]["images"].pop()
    for data, says in (
        (b"this is not a zip", "not a zip"),
        (b"", "empty"),
        (_rezip(good, add={"../../evil.txt": b"x"}), "outside the bundle"),
        (_rezip(good, add={"/etc/evil.txt": b"x"}), "outside the bundle"),
        (_rezip(good, add={"panels/..\\..\\evil.txt": b"x"}), "outside the bundle"),
        (_rezip(good, replace={"manifest.json": None}), "no manifest.json"),
        (_rezip(good, replace={"manifest.json": json.dumps({**manifest, "version": 99}).encode()}), "version 99"),
        (_rezip(good, replace={"manifest.json": json.dumps({**manifest, "format": "zip"}).encode()}),
         "not a comicreel"),
        (_rezip(good, replace={"project.json": b'{"project": {"name": '}), "not valid json"),
        (_rezip(good, replace={"project.json": json.dumps({**document, "storyboard": {
            **document["storyboard"], "aspect_ratio": "4:3"}}).encode()}), "storyboard.aspect_ratio"),
        (_rezip(good, replace={"project.json": json.dumps(document_without_a_panel).encode()}), "counts"),
        (_rezip(good, replace={panel: None}), panel),
        (_rezip(good, replace={panel: _wav()}), f"{panel} is not a png or jpeg"),
        (_rezip(good, replace={panel: png.getvalue()[:40]}), f"{panel} is not a png or jpeg"),  # truncated
        (_rezip(good, replace={voice: png.getvalue()}), f"{voice} is not a wav"),
        (_rezip(good, add={f"junk/{i}": b"" for i in range(MAX_MEMBERS)}), f"at most {MAX_MEMBERS}"),
    ):  # fmt: skip
        _refused_and_nothing_created(client, data, says=says)
    # the bundle's own type, and only on its route
    _refused_and_nothing_created(client, good, 415, says="application/zip",
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    refused(client.post("/api/v1/projects", content=good, headers=ZIP), 415, 10002)
    assert _import(client, good)  # and the bundle itself was fine
    # a bundle of format 1 (before reference pictures kept their parameters) still imports
    older = {**document, "characters": [{k: v for k, v in c.items() if k != "reference_params"}
                                        for c in document["characters"]]}  # fmt: skip
    assert _import(client, _rezip(good, replace={"manifest.json": json.dumps({**manifest, "version": 1}).encode(),
                                                 "project.json": json.dumps(older).encode()}))  # fmt: skip


@pytest.fixture
def small_client(settings):
    """The app accepting bundles of at most 1,000,000 bytes."""
    from app import create_app
    from studio.services import build_services

    small = settings.model_copy(update={"max_import_bytes": 1_000_000})
    with TestClient(create_app(small, services=build_services(small, immediate=True)), base_url=BASE_URL) as c:
        yield c


def test_zip_bombs_and_oversized_bundles_are_refused(small_client) -> None:
    client = small_client
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", b"{}")
        archive.writestr("panels/zeros.png", b"\x00" * 2_000_000)  # some kilobytes packed, 2 MB unpacked
    assert len(bomb.getvalue()) < 100_000
    _refused_and_nothing_created(client, bomb.getvalue(), says="unpacks to")
    _refused_and_nothing_created(client, b"PK" + b"\x00" * 1_000_000, 413, says="COMICREEL_MAX_IMPORT_BYTES")

    def chunks():  # no Content-Length: the limit holds while the body streams in
        for _ in range(20):
            yield b"\x00" * 65536

    _refused_and_nothing_created(client, chunks(), 413, says="COMICREEL_MAX_IMPORT_BYTES")  # type: ignore[arg-type]


def test_a_failed_write_leaves_no_project_and_no_files(client, monkeypatch) -> None:
    """The files go up first and the rows in one transaction; when the transaction fails, the files go again."""
    good = _export(client, _drawn(client))
    before = _state(client)
    svc = client.app.state.services
    seen: list[int] = []

    def fail(s, pid, *args, **kwargs):
        seen.append(len(svc.storage.list(f"projects/{pid}/")))
        raise RuntimeError("the database went away")

    monkeypatch.setattr(bundle, "_insert_storyboard", fail)
    with pytest.raises(RuntimeError):
        bundle.import_bundle(svc, user_id=svc.default_user_id, data=good)
    assert seen and seen[0] >= 5  # the three panels and two voices were uploaded...
    assert _state(client) == before  # ...and removed again, with the project's rows

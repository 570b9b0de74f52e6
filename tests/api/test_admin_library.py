"""Admins add music and sound effects to everyone's library and remove them again; users cannot; the built-in
catalog stays; an added piece plays from /library/audio/uploads/ and a project can use it."""

from __future__ import annotations

from tests.api.conftest import ok, refused
from tests.api.test_accounts import admin, api, auth_settings, bearer, register  # noqa: F401 - fixtures
from tests.api.test_audio import b64, wav_bytes


def check_library_fields(client) -> None:
    """Each field of the admin library uploads, with its effect or its refusal (auth off: the local creator is an
    admin)."""
    body = {"name": "晨光", "category": "calm", "tags": ["morning"], "data_base64": b64(wav_bytes(2.0)),
            "license_type": "cc0"}  # fmt: skip
    music = ok(client.post("/api/v1/admin/audio/bgm", json=body), 201)
    assert (music["name"], music["category"], music["tags"], music["license_type"], music["duration"]) == (
        "晨光", "calm", ["morning"], "cc0", 2)  # fmt: skip
    listed = ok(client.get("/api/v1/audio/bgm", params={"category": "calm", "page_size": 100}))["bgm_list"]
    assert music["id"] in {m["id"] for m in listed}
    for field, value in (("category", "loud"), ("data_base64", b64(b"not audio at all")), ("name", "")):
        refused(client.post("/api/v1/admin/audio/bgm", json={**body, field: value}), 400, 10002)
    effect = {"name": "knock", "category": "action", "tags": ["door"], "data_base64": b64(wav_bytes(0.5))}
    added = ok(client.post("/api/v1/admin/audio/sound-effects", json=effect), 201)
    assert (added["name"], added["category"], added["tags"], added["duration"]) == ("knock", "action", ["door"], 0.5)
    refused(client.post("/api/v1/admin/audio/sound-effects", json={**effect, "category": "calm"}), 400, 10002,
            "category")  # fmt: skip
    refused(client.post("/api/v1/admin/audio/sound-effects", json={**effect, "data_base64": b64(wav_bytes(40))}),
            400, 10002, "data_base64")  # fmt: skip
    assert ok(client.delete(f"/api/v1/admin/audio/sound-effects/{added['id']}")) == {"deleted": True}


def test_admins_add_play_and_delete_library_music(api) -> None:  # noqa: F811
    boss, alice = admin(api, "boss"), register(api, "alice")
    body = {"name": "Dawn", "category": "calm", "data_base64": b64(wav_bytes(3.0))}
    refused(api.post("/api/v1/admin/audio/bgm", headers=bearer(alice), json=body), 403, 20003)
    refused(api.post("/api/v1/admin/audio/bgm", json=body), 401, 20001)
    music = ok(api.post("/api/v1/admin/audio/bgm", headers=bearer(boss), json=body), 201)
    assert music["url"].startswith("/library/audio/uploads/bgm_") and music["duration"] == 3
    played = api.get(music["url"])
    assert played.status_code == 200 and played.content[:4] == b"RIFF" and played.headers["content-type"] == "audio/wav"
    assert api.get("/library/audio/uploads/bgm_" + "0" * 32 + ".wav").status_code == 404
    assert api.get("/library/audio/uploads/../../comicreel.db").status_code in (401, 404)  # the studio gate, or none
    # Alice's project uses it; deleting it leaves her project without music, not broken.
    pid = ok(api.post("/api/v1/projects", headers=bearer(alice), json={"name": "p"}), 201)["project_id"]
    ok(api.post(f"/api/v1/projects/{pid}/audio/bgm", headers=bearer(alice), json={"bgm_id": music["id"]}))
    refused(api.delete(f"/api/v1/admin/audio/bgm/{music['id']}", headers=bearer(alice)), 403, 20003)
    ok(api.delete(f"/api/v1/admin/audio/bgm/{music['id']}", headers=bearer(boss)))
    assert api.get(music["url"]).status_code == 404
    assert ok(api.get(f"/api/v1/projects/{pid}/audio", headers=bearer(alice)))["bgm"] is None
    refused(api.delete(f"/api/v1/admin/audio/bgm/{music['id']}", headers=bearer(boss)), 404, 10003)
    built_in = ok(api.get("/api/v1/audio/bgm", headers=bearer(boss)))["bgm_list"][0]
    refused(api.delete(f"/api/v1/admin/audio/bgm/{built_in['id']}", headers=bearer(boss)), 409, 10002)


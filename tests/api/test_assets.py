"""Assets (seed §3.7) through the REST API: an upload token, the file PUT to its URL (the app's signed route with local
storage, a presigned URL on a real S3 server), completion checked by content (a lying type, size or key, an expired
or tampered token refused and nothing kept), listing, use as a character's reference picture or an audio upload,
deletion, and another user refused on every route."""

from __future__ import annotations

import io
import time
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app import create_app
from studio.services import build_services
from tests.api.conftest import BASE_URL, ok, refused
from tests.api.test_accounts import api, auth_settings, bearer, register  # noqa: F401 - fixtures
from tests.api.test_audio import wav_bytes


def picture(fmt: str = "PNG", color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), color).save(out, fmt)
    return out.getvalue()


def _project(client, headers: dict[str, str] | None = None) -> str:
    return ok(client.post("/api/v1/projects", json={"name": "assets"}, headers=headers), 201)["project_id"]


def upload_token(client, pid: str, file_type: str = "image", headers=None, **params) -> dict:
    query = {"file_type": file_type, "project_id": pid, **params}
    return ok(client.get("/api/v1/assets/upload-token", params=query, headers=headers))


def put(client, token: dict, data: bytes) -> httpx.Response:
    """PUT the file to the token's URL: the app's own route (local storage) or the S3 server (presigned)."""
    if token["upload_url"].startswith("/"):
        return client.put(token["upload_url"], content=data, headers={"Content-Type": "application/octet-stream"})
    return httpx.put(token["upload_url"], content=data, timeout=30)


def complete(client, token: dict, size: int, content_type: str, headers=None) -> httpx.Response:
    body = {"file_key": token["file_key"], "file_size": size, "content_type": content_type}
    return client.post("/api/v1/assets/upload-complete", json=body, headers=headers)


def uploaded(client, pid: str, data: bytes, content_type: str, headers=None, **params) -> dict:
    """An asset of the project, through the whole flow: token, PUT, complete."""
    token = upload_token(client, pid, content_type.split("/")[0], headers=headers, **params)
    assert put(client, token, data).status_code == 200
    return ok(complete(client, token, len(data), content_type, headers=headers), 201)


def fetch(client, url: str) -> bytes:
    response = client.get(url) if url.startswith("/") else httpx.get(url, timeout=30)
    assert response.status_code == 200, response.text[:200]
    return response.content


def _character(client, pid: str, headers=None) -> dict:
    return ok(client.post(f"/api/v1/projects/{pid}/characters", json={"name": "小明"}, headers=headers), 201)


def _flow(client) -> None:
    """Token -> PUT -> complete -> list -> a character's reference picture -> delete, on whatever storage runs."""
    storage = client.app.state.services.storage
    pid = _project(client)
    png = picture()
    token = upload_token(client, pid, file_name="小明 正面.png")
    assert token["file_key"].startswith(f"projects/{pid}/") and token["max_bytes"] == 8 * 1024 * 1024
    assert token["upload_token"] in token["upload_url"] and token["expires_at"]
    assert put(client, token, png).status_code == 200
    done = ok(complete(client, token, len(png), "image/png"), 201)
    assert (done["type"], done["size"], done["content_type"], done["file_name"]) == ("image", len(png), "image/png",
                                                                                   "小明 正面.png")  # fmt: skip
    assert fetch(client, done["url"]) == png
    assert not storage.exists(token["file_key"])  # moved under assets/: the upload URL cannot change it any more
    refused(complete(client, token, len(png), "image/png"), 404, 10003, "file_key")  # completed once only
    listing = ok(client.get(f"/api/v1/projects/{pid}/assets?type=image"))
    assert listing["total"] == 1 and [a["id"] for a in listing["assets"]] == [done["asset_id"]]
    assert ok(client.get(f"/api/v1/projects/{pid}/assets?type=audio"))["assets"] == []
    # A character's reference picture from the asset: a copy, which outlives the asset.
    ming = _character(client, pid)
    url = f"/api/v1/projects/{pid}/characters/{ming['id']}/reference-image"
    referenced = ok(client.put(url, json={"asset_id": done["asset_id"]}))
    assert storage.get_bytes(referenced["reference_image_key"]) == png
    ok(client.delete(f"/api/v1/assets/{done['asset_id']}"))
    assert ok(client.get(f"/api/v1/projects/{pid}/assets"))["total"] == 0
    assert not storage.list(f"projects/{pid}/assets/")
    assert storage.get_bytes(referenced["reference_image_key"]) == png
    refused(client.delete(f"/api/v1/assets/{done['asset_id']}"), 404, 10003)
    refused(client.put(url, json={"asset_id": done["asset_id"]}), 404, 10003, "asset_id")
    # A lie about the type is found by the content, and the file is not kept.
    token = upload_token(client, pid)
    assert put(client, token, picture("JPEG")).status_code == 200
    refused(complete(client, token, len(picture("JPEG")), "image/png"), 400, 10002, "content_type")
    assert not storage.exists(token["file_key"])


def test_local_flow_from_token_to_reference_picture_to_deletion(client) -> None:
    _flow(client)


@pytest.mark.services
def test_s3_flow_with_a_presigned_upload(settings, s3_server) -> None:
    s3 = settings.model_copy(update={
        "storage_backend": "s3", "s3_endpoint": s3_server["endpoint"], "s3_bucket": "assets-test",
        "s3_access_key": s3_server["access_key"], "s3_secret_key": s3_server["secret_key"],
    })  # fmt: skip
    with TestClient(create_app(s3, services=build_services(s3, immediate=True)), base_url=BASE_URL) as client:
        token = upload_token(client, _project(client))
        assert token["upload_url"].startswith(f"http://{s3_server['endpoint']}/assets-test/{token['file_key']}?")
        assert "X-Amz-Signature=" in token["upload_token"]
        _flow(client)


def test_sounds_are_checked_and_used_as_audio_uploads(client) -> None:
    pid = _project(client)
    wav = wav_bytes(0.5)
    effect = uploaded(client, pid, wav, "audio/x-wav", file_name="pop.wav")  # browsers' other name for WAV
    assert (effect["type"], effect["content_type"], effect["duration"]) == ("audio", "audio/wav", 0.5)
    upload = ok(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "effect",
                                                                         "asset_id": effect["asset_id"]}), 201)  # fmt: skip
    assert (upload["file_name"], upload["duration"], upload["format"]) == ("pop.wav", 0.5, "wav")
    storage = client.app.state.services.storage
    assert storage.get_bytes(upload["key"]) == wav and upload["key"].startswith(f"projects/{pid}/uploads/")
    # The kind's own limits still apply: 31 s is music, not an effect.
    long = uploaded(client, pid, wav_bytes(31), "audio/wav")
    refused(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "effect", "asset_id": long["asset_id"]}),
            400, 10002, "asset_id")  # fmt: skip
    # One of the two, and a sound where a sound is needed, a picture where a picture is.
    image = uploaded(client, pid, picture(), "image/png")
    refused(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "effect", "asset_id": image["asset_id"]}),
            400, 10002, "asset_id")  # fmt: skip
    refused(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "effect"}), 400, 10002, "data_base64")
    ming = _character(client, pid)
    url = f"/api/v1/projects/{pid}/characters/{ming['id']}/reference-image"
    refused(client.put(url, json={"asset_id": effect["asset_id"]}), 400, 10002, "asset_id")
    refused(client.put(url, json={}), 400, 10002, "image_base64")
    refused(client.put(url, json={"asset_id": image["asset_id"], "image_base64": "AAAA"}), 400, 10002, "image_base64")
    # An asset of another project of the same user is not this project's.
    other = _project(client)
    refused(client.put(f"/api/v1/projects/{other}/characters/{_character(client, other)['id']}/reference-image",
                       json={"asset_id": image["asset_id"]}), 404, 10003, "asset_id")  # fmt: skip
    # A sound declared as another sound, a sound on an image token.
    token = upload_token(client, pid, "audio")
    put(client, token, wav)
    refused(complete(client, token, len(wav), "audio/mpeg"), 400, 10002, "content_type")
    token = upload_token(client, pid, "image")
    put(client, token, wav)
    refused(complete(client, token, len(wav), "audio/wav"), 400, 10002, "content_type")
    assert not client.app.state.services.storage.exists(token["file_key"])


def test_lying_sizes_keys_and_contents_are_refused_and_nothing_is_kept(client) -> None:
    svc = client.app.state.services
    pid = _project(client)
    png = picture()
    # Completing before anything was uploaded: refused, and the token still works.
    token = upload_token(client, pid)
    refused(complete(client, token, len(png), "image/png"), 400, 10002, "file_key")
    put(client, token, png)
    # A false size: refused, the file deleted, the token spent.
    refused(complete(client, token, len(png) + 1, "image/png"), 400, 10002, "file_size")
    assert not svc.storage.exists(token["file_key"])
    refused(complete(client, token, len(png), "image/png"), 404, 10003, "file_key")
    refused(put(client, token, png), 404, 10003)
    # Not a picture at all, and a type no asset can be.
    for data, declared, field in ((b"<html><script>alert(1)</script></html>", "image/png", "file_key"),
                                  (png, "text/html", "content_type")):  # fmt: skip
        token = upload_token(client, pid)
        put(client, token, data)
        refused(complete(client, token, len(data), declared), 400, 10002, field)
    # A key never issued (another project file of the caller's): not found, and the file is left alone.
    svc.storage.put_bytes(f"projects/{pid}/images/panel.png", png, "image/png")
    refused(client.post("/api/v1/assets/upload-complete", json={"file_key": f"projects/{pid}/images/panel.png",
                                                                "file_size": len(png), "content_type": "image/png"}),
            404, 10003, "file_key")  # fmt: skip
    assert svc.storage.get_bytes(f"projects/{pid}/images/panel.png") == png
    # A tampered or expired upload link writes nothing.
    token = upload_token(client, pid)
    refused(client.put(token["upload_url"].rsplit(".", 1)[0] + "." + "0" * 64, content=png), 403, 20003)
    expired = svc.storage.upload_url(token["file_key"], -5)
    refused(client.put(expired, content=png), 403, 20003)
    assert not svc.storage.exists(token["file_key"])
    # Bad queries.
    refused(client.get("/api/v1/assets/upload-token", params={"file_type": "video", "project_id": pid}), 400, 10002,
            "file_type")  # fmt: skip
    refused(client.get("/api/v1/assets/upload-token", params={"file_type": "image", "project_id": pid,
                                                              "file_name": "\x01"}), 400, 10002, "file_name")  # fmt: skip
    refused(client.get(f"/api/v1/projects/{pid}/assets?type=video"), 400, 10002, "type")
    refused(client.get(f"/api/v1/projects/{pid}/assets?page_size=0"), 400, 10002, "page_size")
    assert ok(client.get(f"/api/v1/projects/{pid}/assets"))["total"] == 0


def test_an_upload_completed_after_its_token_expired_is_refused_and_deleted(client, monkeypatch) -> None:
    svc = client.app.state.services
    pid = _project(client)
    token = upload_token(client, pid)
    put(client, token, picture())
    later = time.time() + svc.settings.signed_url_ttl + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    refused(complete(client, token, len(picture()), "image/png"), 400, 10002, "file_key")
    assert not svc.storage.exists(token["file_key"])
    # And a new token clears the user's other expired reservations.
    stale = upload_token(client, pid)
    monkeypatch.setattr(time, "time", lambda: later + 2 * 3600 + svc.settings.signed_url_ttl)
    upload_token(client, pid)
    refused(complete(client, stale, 1, "image/png"), 404, 10003, "file_key")


def test_uploads_are_held_to_their_size_limit(settings) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1_000_000})
    with TestClient(create_app(small, services=build_services(small, immediate=True)), base_url=BASE_URL) as client:
        storage = client.app.state.services.storage
        token = upload_token(client, _project(client), "audio")
        assert token["max_bytes"] == 1_000_000
        too_big = b"\0" * 1_000_001
        refused(client.put(token["upload_url"], content=too_big), 413, 10002)  # said by Content-Length

        def chunks():  # no Content-Length: counted as it streams
            for _ in range(20):
                yield b"\0" * 65536

        refused(client.put(token["upload_url"], content=chunks()), 413, 10002)
        assert not storage.exists(token["file_key"])


def test_another_user_is_refused_on_every_asset_route(api) -> None:  # noqa: F811
    alice, bob = register(api, "alice"), register(api, "bob")
    her, his = bearer(alice), bearer(bob)
    pid = _project(api, her)
    asset = uploaded(api, pid, picture(), "image/png", headers=her)
    pending = upload_token(api, pid, headers=her)
    put(api, pending, picture())
    refused(api.get("/api/v1/assets/upload-token", params={"file_type": "image", "project_id": pid}, headers=his),
            404, 30002)  # fmt: skip
    refused(complete(api, pending, len(picture()), "image/png", headers=his), 404, 10003, "file_key")
    refused(api.get(f"/api/v1/projects/{pid}/assets", headers=his), 404, 30002)
    refused(api.delete(f"/api/v1/assets/{asset['asset_id']}", headers=his), 404, 10003)
    mine = _project(api, his)
    character = _character(api, mine, his)
    refused(api.put(f"/api/v1/projects/{mine}/characters/{character['id']}/reference-image", headers=his,
                    json={"asset_id": asset["asset_id"]}), 404, 10003, "asset_id")  # fmt: skip
    refused(api.post(f"/api/v1/projects/{mine}/audio/uploads", headers=his,
                     json={"kind": "effect", "asset_id": asset["asset_id"]}), 404, 10003, "asset_id")  # fmt: skip
    refused(api.get(f"/api/v1/projects/{pid}/assets"), 401, 20001)
    # Nothing of hers changed: her asset is listed, her pending upload completes.
    assert [a["id"] for a in ok(api.get(f"/api/v1/projects/{pid}/assets", headers=her))["assets"]] == [asset["id"]]
    ok(complete(api, pending, len(picture()), "image/png", headers=her), 201)


# -- checks for tests/api/test_parameters.py: every body field has an effect or is refused -----------------------


def check_upload_complete_fields(client) -> None:
    """UploadComplete: file_key names the upload, file_size and content_type must be what arrived."""
    pid = _project(client)
    png = picture()
    token = upload_token(client, pid)
    put(client, token, png)
    refused(client.post("/api/v1/assets/upload-complete", json={"file_key": f"projects/{pid}/incoming/{uuid.uuid4()}",
                                                                "file_size": len(png), "content_type": "image/png"}),
            404, 10003, "file_key")  # fmt: skip
    refused(complete(client, token, len(png) - 1, "image/png"), 400, 10002, "file_size")
    token = upload_token(client, pid)
    put(client, token, png)
    refused(complete(client, token, len(png), "image/webp"), 400, 10002, "content_type")
    done = uploaded(client, pid, png, "image/png")
    assert (done["size"], done["content_type"]) == (len(png), "image/png")


def check_asset_id_fields(client) -> None:
    """ReferenceImageUpload.asset_id and AudioUpload.asset_id: the asset's file is what the character or upload gets."""
    pid = _project(client)
    storage = client.app.state.services.storage
    blue = picture(color=(20, 40, 220))
    image = uploaded(client, pid, blue, "image/png")
    ming = _character(client, pid)
    referenced = ok(client.put(f"/api/v1/projects/{pid}/characters/{ming['id']}/reference-image",
                               json={"asset_id": image["asset_id"]}))  # fmt: skip
    assert storage.get_bytes(referenced["reference_image_key"]) == blue
    wav = wav_bytes(0.3)
    sound = uploaded(client, pid, wav, "audio/wav", file_name="ding.wav")
    upload = ok(client.post(f"/api/v1/projects/{pid}/audio/uploads", json={"kind": "effect",
                                                                         "asset_id": sound["asset_id"]}), 201)  # fmt: skip
    assert storage.get_bytes(upload["key"]) == wav and upload["file_name"] == "ding.wav"

"""Audio (seed §3.5): the music and sound-effect library, recommending and setting a project's music, effects on a
shot (library or upload), audio uploads and voicing one line; and `/library/audio/<file>`, the built-in files."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from assets_library import AUDIO_DIR, library_item
from studio import assets, audio
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import (
    AudioUpload,
    AudioUploadPublic,
    BgmPage,
    BgmRecommend,
    BgmRecommendations,
    BgmSet,
    ProjectAudioPublic,
    ShotAudioPublic,
    ShotEffectsAdd,
    SoundEffectList,
    TaskQueued,
    TtsGenerate,
)
from studio.errors import InvalidParams, NotFound
from studio.services import Services

router = APIRouter(tags=["audio"])
SHOT_EFFECTS = "/projects/{project_id}/shots/{shot_id}/sound-effects"


@router.get("/audio/bgm", response_model=Envelope[BgmPage], responses=errors())
def list_bgm(
    request: Request, svc: ServicesDep,
    category: Annotated[str | None, Query(description="A mood: happy, sad, tense, romantic, epic, calm, comedic, "
                                                      "mysterious.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1, page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Envelope[BgmPage]:  # fmt: skip
    """The music library, a page at a time; each track loops seamlessly."""
    return ok(request, BgmPage.model_validate(audio.list_bgm(svc, category=category, page=page, page_size=page_size)))


@router.get("/audio/sound-effects", response_model=Envelope[SoundEffectList], responses=errors())
def list_sound_effects(
    request: Request, svc: ServicesDep,
    category: Annotated[str | None, Query(description="environment, action, emotion, comic or household.")] = None,
) -> Envelope[SoundEffectList]:  # fmt: skip
    return ok(request, SoundEffectList.model_validate(audio.list_sound_effects(svc, category=category)))


@router.post("/projects/{project_id}/audio/recommend-bgm", response_model=Envelope[BgmRecommendations],
             responses=errors(404, unsafe=True))  # fmt: skip
def recommend_bgm(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep, body: BgmRecommend | None = None
) -> Envelope[BgmRecommendations]:
    """Library tracks scored for the project (best first): by its script's emotions and its storyboard's length,
    unless `script_emotion` or `duration` say otherwise."""
    body = body or BgmRecommend()
    found = audio.recommend_bgm(svc, user_id=user, project_id=str(project_id), script_emotion=body.script_emotion,
                                duration=body.duration)  # fmt: skip
    return ok(request, BgmRecommendations.model_validate(found))


@router.post("/projects/{project_id}/audio/bgm", response_model=Envelope[ProjectAudioPublic],
             responses=errors(404, 503, unsafe=True))  # fmt: skip
def set_bgm(
    project_id: uuid.UUID, body: BgmSet, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ProjectAudioPublic]:
    """Set (or with no id, remove) the project's music, its volume, start and fades."""
    found = audio.set_project_bgm(
        svc, user_id=user, project_id=str(project_id), bgm_id=str(body.bgm_id) if body.bgm_id else None,
        upload_id=str(body.upload_id) if body.upload_id else None, volume=body.volume, start_time=body.start_time,
        fade_in=body.fade_in, fade_out=body.fade_out,
    )  # fmt: skip
    return ok(request, ProjectAudioPublic.model_validate(found))


@router.get("/projects/{project_id}/audio", response_model=Envelope[ProjectAudioPublic], responses=errors(404, 503))
def get_audio(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[ProjectAudioPublic]:
    """The project's music and each shot's effects; `warnings` lists script cues no library effect matches."""
    return ok(request, ProjectAudioPublic.model_validate(audio.get_project_audio(svc, user_id=user,
                                                                                 project_id=str(project_id))))


@router.post(SHOT_EFFECTS, response_model=Envelope[ShotAudioPublic], responses=errors(404, 503, unsafe=True))
def add_sound_effects(
    project_id: uuid.UUID, shot_id: uuid.UUID, body: ShotEffectsAdd, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ShotAudioPublic]:
    """Add library effects and uploads to the shot; everything is checked first, and one refusal stores nothing."""
    shot = audio.add_shot_effects(
        svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id), effect_ids=body.effect_ids,
        volume=body.volume, offset=body.offset, custom_effects=[c.model_dump() for c in body.custom_effects],
    )  # fmt: skip
    return ok(request, ShotAudioPublic.model_validate(shot))


@router.delete(SHOT_EFFECTS + "/{index}", response_model=Envelope[ShotAudioPublic],
               responses=errors(404, 503, unsafe=True))  # fmt: skip
def remove_sound_effect(
    project_id: uuid.UUID, shot_id: uuid.UUID, index: int, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[ShotAudioPublic]:
    """Take the shot's effect at `index` off (a script cue too)."""
    shot = audio.remove_shot_effect(svc, user_id=user, project_id=str(project_id), shot_id=str(shot_id), index=index)
    return ok(request, ShotAudioPublic.model_validate(shot))


@router.post("/projects/{project_id}/audio/uploads", status_code=201, response_model=Envelope[AudioUploadPublic],
             responses=errors(404, 503, unsafe=True))  # fmt: skip
def upload_audio(
    project_id: uuid.UUID, body: AudioUpload, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[AudioUploadPublic]:
    """Upload an effect or music, as base64 or an audio asset's copy (checked by decoding it); its `upload_id` then
    goes to a shot or to the music."""
    if (body.data_base64 is None) == (body.asset_id is None):
        raise InvalidParams("give data_base64 or asset_id, one of the two", field="data_base64")
    data, file_name = None, body.file_name
    if body.asset_id is not None:
        data, asset_name = assets.asset_bytes(svc, user_id=user, project_id=str(project_id),
                                              asset_id=str(body.asset_id), file_type="audio")  # fmt: skip
        file_name = body.file_name if "file_name" in body.model_fields_set else asset_name
    found = audio.upload_audio(svc, user_id=user, project_id=str(project_id), kind=body.kind,
                               data_base64=body.data_base64, file_name=file_name, data=data)  # fmt: skip
    return ok(request, AudioUploadPublic.model_validate(found))


@router.post("/audio/tts/generate", status_code=202, response_model=Envelope[TaskQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def generate_tts(body: TtsGenerate, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[TaskQueued]:
    """Voice one line; the task's result has `audio_key`, `audio_url` and `duration`."""
    task_id = audio.generate_line(
        svc, user_id=user, text=body.text, project_id=str(body.project_id) if body.project_id else None,
        character_id=str(body.character_id) if body.character_id else None, voice_id=body.voice_id,
        emotion=body.emotion, speed=body.speed,
    )  # fmt: skip
    return ok(request, TaskQueued(task_id=task_id, status="queued"))


library_router = APIRouter(include_in_schema=False)


@library_router.get(audio.LIBRARY_ROUTE + "{file:path}")
def library_file(file: str, svc: ServicesDep) -> Response:
    """A library music or effect file: only names the catalog lists, or admins' additions by their generated name
    (never a path built from input)."""
    if file.startswith("uploads/"):
        return _added_file(svc, file.removeprefix("uploads/"))
    item = library_item(file)
    if item is None:
        raise NotFound(f"no built-in audio file {file[:120]!r}")
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=86400"}
    return FileResponse(AUDIO_DIR / item["file"], media_type="audio/ogg", headers=headers)


def _added_file(svc: Services, name: str) -> Response:
    from studio.library_admin import upload_key

    key = upload_key(name)
    if key is None or not svc.storage.exists(key):
        raise NotFound(f"no library audio file {name[:120]!r}")
    if svc.storage.name != "local":  # S3: the browser fetches it from the store with a short-lived signed URL
        return RedirectResponse(svc.signed_url(key), status_code=307)
    media_type = audio.FORMATS[key.rsplit(".", 1)[1]][1]
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=86400"}
    return FileResponse(svc.storage.local_path(key), media_type=media_type, headers=headers)

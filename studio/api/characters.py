"""Characters (seed §3.3 and the editor): the cast, each one's voice and reference picture."""

from __future__ import annotations

import base64
import binascii
import uuid

from fastapi import APIRouter, Request

from studio import assets, editor
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import (
    CharacterCreate,
    CharacterList,
    CharacterPublic,
    CharacterUpdate,
    ReferenceChoice,
    ReferenceImageUpload,
    TaskQueued,
    VoicePreviewPublic,
    VoicePreviewRequest,
)
from studio.errors import InvalidParams

router = APIRouter(tags=["characters"])
ONE = "/projects/{project_id}/characters/{character_id}"


@router.post("/projects/{project_id}/characters", status_code=201, response_model=Envelope[CharacterPublic],
             responses=errors(404, 409, unsafe=True))  # fmt: skip
def create_character(
    project_id: uuid.UUID, body: CharacterCreate, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[CharacterPublic]:
    """Add a character; 409 if the project already has one of that name."""
    character = editor.create_character(svc, user_id=user, project_id=str(project_id), **body.model_dump())
    return ok(request, CharacterPublic.model_validate(character))


@router.get("/projects/{project_id}/characters", response_model=Envelope[CharacterList], responses=errors(404, 503))
def list_characters(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[CharacterList]:
    characters = editor.list_characters(svc, user_id=user, project_id=str(project_id))
    return ok(request, CharacterList.model_validate({"characters": characters}))


@router.get(ONE, response_model=Envelope[CharacterPublic], responses=errors(404, 503))
def get_character(
    project_id: uuid.UUID, character_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[CharacterPublic]:
    character = editor.get_character(svc, user_id=user, project_id=str(project_id), character_id=str(character_id))
    return ok(request, CharacterPublic.model_validate(character))


@router.patch(ONE, response_model=Envelope[CharacterPublic], responses=errors(404, 409, 503, unsafe=True))
def update_character(
    project_id: uuid.UUID, character_id: uuid.UUID, body: CharacterUpdate, request: Request, svc: ServicesDep,
    user: UserDep,
) -> Envelope[CharacterPublic]:  # fmt: skip
    """Change some fields; the panels that show what changed (and the lines, for the voice) become stale."""
    character = editor.update_character(svc, user_id=user, project_id=str(project_id), character_id=str(character_id),
                                        changes=body.model_dump(exclude_unset=True))  # fmt: skip
    return ok(request, CharacterPublic.model_validate(character))


@router.delete(ONE, response_model=Envelope[None], responses=errors(404, 409, 503, unsafe=True))
def delete_character(
    project_id: uuid.UUID, character_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[None]:
    """Delete a character and its reference pictures; 409 (naming the shots) while it has lines in the storyboard."""
    editor.delete_character(svc, user_id=user, project_id=str(project_id), character_id=str(character_id))
    return ok(request, None)


@router.put(ONE + "/reference-image", response_model=Envelope[CharacterPublic], responses=errors(404, 503, unsafe=True))
def set_reference_image(
    project_id: uuid.UUID, character_id: uuid.UUID, body: ReferenceImageUpload, request: Request, svc: ServicesDep,
    user: UserDep,
) -> Envelope[CharacterPublic]:  # fmt: skip
    """The character's reference picture: `image_base64`, or a copy of the image asset `asset_id` (checked alike)."""
    if (body.image_base64 is None) == (body.asset_id is None):
        raise InvalidParams("give image_base64 or asset_id, one of the two", field="image_base64")
    if body.asset_id is not None:
        data, _ = assets.asset_bytes(svc, user_id=user, project_id=str(project_id), asset_id=str(body.asset_id),
                                     file_type="image")  # fmt: skip
    else:
        try:
            data = base64.b64decode(body.image_base64 or "", validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParams("image_base64 is not valid base64", field="image_base64") from None
    character = editor.set_reference_image(svc, user_id=user, project_id=str(project_id),
                                           character_id=str(character_id), data=data)  # fmt: skip
    return ok(request, CharacterPublic.model_validate(character))


@router.put(ONE + "/reference-image/current", response_model=Envelope[CharacterPublic],
            responses=errors(404, unsafe=True))  # fmt: skip
def choose_reference_image(
    project_id: uuid.UUID, character_id: uuid.UUID, body: ReferenceChoice, request: Request, svc: ServicesDep,
    user: UserDep,
) -> Envelope[CharacterPublic]:  # fmt: skip
    """Make an earlier reference picture (a key from `reference_versions`) current again; 400 for any other key."""
    character = editor.choose_reference_image(svc, user_id=user, project_id=str(project_id),
                                              character_id=str(character_id), key=body.key)  # fmt: skip
    return ok(request, CharacterPublic.model_validate(character))


@router.post(ONE + "/reference-image/generate", status_code=202, response_model=Envelope[TaskQueued],
             responses=errors(404, unsafe=True))  # fmt: skip
def generate_reference_image(
    project_id: uuid.UUID, character_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep
) -> Envelope[TaskQueued]:
    """Draw a character sheet (the character alone, in a medium shot) and make it the reference picture."""
    task_id = editor.generate_reference_image(svc, user_id=user, project_id=str(project_id),
                                              character_id=str(character_id))  # fmt: skip
    return ok(request, TaskQueued(task_id=task_id, status="queued"))


@router.post(ONE + "/voice-preview", response_model=Envelope[VoicePreviewPublic],
             responses=errors(404, 503, unsafe=True))  # fmt: skip
def preview_voice(
    project_id: uuid.UUID, character_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep,
    body: VoicePreviewRequest | None = None,
) -> Envelope[VoicePreviewPublic]:  # fmt: skip
    """Voice a sample line in the character's voice (or in `voice` over it, to hear settings before saving them)."""
    body = body or VoicePreviewRequest()
    voice = body.voice.model_dump(exclude_none=True) if body.voice else None
    key = editor.preview_voice(svc, user_id=user, project_id=str(project_id), character_id=str(character_id),
                               voice=voice, text=body.text)  # fmt: skip
    return ok(request, VoicePreviewPublic(audio_key=key, audio_url=svc.signed_url(key)))

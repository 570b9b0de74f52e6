"""Admin routes for the shared music and sound-effect library: add (checked audio, base64) and delete what admins
added; the built-in catalog stays as shipped."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from studio import library_admin
from studio.api.deps import AdminDep, ServicesDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import BgmPublic, SoundEffectPublic

router = APIRouter(tags=["admin"])


class _LibraryUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    tags: list[str] = Field(default_factory=list, max_length=20)
    data_base64: str = Field(min_length=1, description="WAV, MP3, OGG or FLAC, base64; judged by its content.")


class BgmAdd(_LibraryUpload):
    category: str = Field(description="A mood: happy, sad, tense, romantic, epic, calm, comedic or mysterious.")
    license_type: str = Field("royalty_free", max_length=50)


class SoundEffectAdd(_LibraryUpload):
    category: str = Field(description="environment, action, emotion, comic or household.")


class Deleted(BaseModel):
    deleted: bool = True


@router.post("/admin/audio/bgm", status_code=201, response_model=Envelope[BgmPublic], responses=errors(unsafe=True))
def add_bgm(body: BgmAdd, request: Request, svc: ServicesDep, _: AdminDep) -> Envelope[BgmPublic]:
    """Add a piece of music to everyone's library (admins only; at most 600 s and 20 MB)."""
    item = library_admin.add_item(svc, kind="bgm", **body.model_dump())
    return ok(request, BgmPublic.model_validate(item))


@router.delete("/admin/audio/bgm/{bgm_id}", response_model=Envelope[Deleted], responses=errors(404, 409, unsafe=True))
def delete_bgm(bgm_id: uuid.UUID, request: Request, svc: ServicesDep, _: AdminDep) -> Envelope[Deleted]:
    """Remove added music (projects using it go without); 409 for built-in music."""
    library_admin.delete_item(svc, kind="bgm", item_id=str(bgm_id))
    return ok(request, Deleted())


@router.post("/admin/audio/sound-effects", status_code=201, response_model=Envelope[SoundEffectPublic],
             responses=errors(unsafe=True))  # fmt: skip
def add_sound_effect(body: SoundEffectAdd, request: Request, svc: ServicesDep, _: AdminDep) -> Envelope[SoundEffectPublic]:
    """Add a sound effect to everyone's library (admins only; at most 30 s and 2 MB)."""
    item = library_admin.add_item(svc, kind="sfx", **body.model_dump())
    return ok(request, SoundEffectPublic.model_validate(item))


@router.delete("/admin/audio/sound-effects/{effect_id}", response_model=Envelope[Deleted],
               responses=errors(404, 409, unsafe=True))  # fmt: skip
def delete_sound_effect(effect_id: uuid.UUID, request: Request, svc: ServicesDep, _: AdminDep) -> Envelope[Deleted]:
    """Remove an added sound effect (shots using it are rendered without it); 409 for built-in ones."""
    library_admin.delete_item(svc, kind="sfx", item_id=str(effect_id))
    return ok(request, Deleted())

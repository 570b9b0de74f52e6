"""Assets (seed §3.7): an upload token, completing an upload (checked by content), a project's assets, deleting one.
The file itself goes straight to storage (S3), or to `/files/upload/<token>` with local storage (studio/api/files.py).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from studio import assets
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.schemas import AssetCompleted, AssetPage, UploadComplete, UploadTokenPublic

router = APIRouter(tags=["assets"])


@router.get("/assets/upload-token", response_model=Envelope[UploadTokenPublic], responses=errors(404, 503))
def upload_token(
    request: Request, svc: ServicesDep, user: UserDep,
    file_type: Annotated[Literal["image", "audio"], Query(description="image: PNG, JPEG or WebP; audio: WAV, MP3, "
                                                                      "OGG or FLAC.")],
    project_id: Annotated[uuid.UUID, Query(description="The project the file belongs to (yours).")],
    file_name: Annotated[str | None, Query(min_length=1, max_length=255, description="The file's name, shown in "
                                           "lists; by default the file type.")] = None,
) -> Envelope[UploadTokenPublic]:  # fmt: skip
    """Where to PUT one file for the project, until when, and how large it may be; then POST upload-complete."""
    issued = assets.issue_upload(svc, user_id=user, project_id=str(project_id), file_type=file_type,
                                 file_name=file_name or file_type)  # fmt: skip
    return ok(request, UploadTokenPublic.model_validate(issued))


@router.post("/assets/upload-complete", status_code=201, response_model=Envelope[AssetCompleted],
             responses=errors(404, 503, unsafe=True))  # fmt: skip
def upload_complete(body: UploadComplete, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[AssetCompleted]:
    """Check the uploaded file (its size, and its type by its content, must be what the body says) and make it an
    asset; 400 deletes it (ask for a new token), 404 when no upload of yours awaits under file_key."""
    done = assets.complete_upload(svc, user_id=user, file_key=body.file_key, file_size=body.file_size,
                                  content_type=body.content_type)  # fmt: skip
    return ok(request, AssetCompleted.model_validate(done))


@router.get("/projects/{project_id}/assets", response_model=Envelope[AssetPage], responses=errors(404, 503))
def list_assets(
    project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep,
    file_type: Annotated[Literal["image", "audio"] | None, Query(alias="type", description="Only images, or only "
                                                                                  "sounds.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1, page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Envelope[AssetPage]:  # fmt: skip
    """The project's uploaded files, newest first."""
    found = assets.list_assets(svc, user_id=user, project_id=str(project_id), file_type=file_type, page=page,
                               page_size=page_size)  # fmt: skip
    return ok(request, AssetPage.model_validate(found))


@router.delete("/assets/{asset_id}", response_model=Envelope[None], responses=errors(404, 503, unsafe=True))
def delete_asset(asset_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[None]:
    """Delete the file and the asset; reference pictures and audio uploads made from it are copies and stay."""
    assets.delete_asset(svc, user_id=user, asset_id=str(asset_id))
    return ok(request, None)

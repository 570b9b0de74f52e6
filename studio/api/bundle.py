"""Project bundles: export a whole project as one zip, and import such a zip as a new project."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from jobs.workdirs import work_dir
from studio import bundle
from studio.api.deps import ServicesDep, UserDep
from studio.api.envelope import Envelope, errors, ok
from studio.api.guards import BUNDLE_TYPE
from studio.api.schemas import BundlePublic, ProjectCreated

router = APIRouter(tags=["projects"])
_ZIP_BODY = {"requestBody": {"required": True, "description": "The .zip that export made, as the raw body.",
                             "content": {BUNDLE_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}  # fmt: skip


@router.post("/projects/{project_id}/bundle", response_model=Envelope[BundlePublic],
             responses=errors(404, 409, 503, unsafe=True))  # fmt: skip
def export_bundle(project_id: uuid.UUID, request: Request, svc: ServicesDep, user: UserDep) -> Envelope[BundlePublic]:
    """Write the project's bundle (script and its versions, parses, cast, storyboard, every panel and voice, settings)
    and answer where to download it; 409 when the project was edited meanwhile."""
    exported = bundle.export_bundle(svc, user_id=user, project_id=str(project_id))
    return ok(request, BundlePublic.model_validate(exported))


@router.post("/projects/import", status_code=201, response_model=Envelope[ProjectCreated],
             responses=errors(503, unsafe=True), openapi_extra=_ZIP_BODY)  # fmt: skip
async def import_bundle(request: Request, svc: ServicesDep, user: UserDep) -> Envelope[ProjectCreated]:
    """Make a new project from a bundle sent as the raw body (Content-Type: application/zip, at most
    COMICREEL_MAX_IMPORT_BYTES); nothing is drawn or voiced again. 400 says what is wrong with the file."""
    with work_dir(svc.ctx) as tmp:
        path = Path(tmp) / "bundle.zip"
        with open(path, "wb") as out:  # to disk as it arrives: a bundle can be far larger than memory should hold
            async for chunk in request.stream():
                await run_in_threadpool(out.write, chunk)
        project_id = await run_in_threadpool(bundle.import_bundle, svc, user_id=user, data=path)
    return ok(request, ProjectCreated(project_id=project_id, status="draft"))

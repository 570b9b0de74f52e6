"""Script versions are assigned atomically: parallel saves of one project get 1..N with none lost or repeated."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from db.models import Script, ScriptVersion
from studio import projects
from studio.services import build_services


@pytest.fixture(params=["sqlite", "postgresql"])
def svc(request, settings):
    if request.param == "postgresql":
        settings = settings.model_copy(update={"database_url": request.getfixturevalue("pg_url")})
    services = build_services(settings, immediate=True)
    yield services
    services.stop()


def test_fifty_parallel_saves_get_versions_one_to_fifty(svc) -> None:
    user = svc.default_user_id
    pid = projects.create_project(svc, user_id=user, name="race")["id"]

    def save(i: int) -> int:
        return projects.save_script(svc, user_id=user, project_id=pid, content=f"旁白: 第{i}版。")["version"]

    with ThreadPoolExecutor(max_workers=10) as pool:  # the first saves race to create the script row too
        versions = sorted(pool.map(save, range(50)))
    assert versions == list(range(1, 51))
    with svc.sessions() as s:
        script = s.scalars(select(Script)).one()
        stored = s.scalars(select(ScriptVersion).where(ScriptVersion.script_id == script.id)).all()
        assert sorted(v.version for v in stored) == list(range(1, 51)) and script.version == 50
        # every saved text is kept, under the version its save reported
        assert len({v.content for v in stored}) == 50

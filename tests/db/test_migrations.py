"""The Alembic migration creates exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from db.migrate import downgrade, upgrade
from db.models import Base

SEED_TABLES = {"users", "subscriptions", "projects", "scripts", "characters", "tasks", "videos", "bgm",
               "sound_effects", "assets", "project_audio", "subtitles", "parsed_scripts", "storyboards", "shots"}  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return request.getfixturevalue("pg_url")


def test_upgrade_creates_the_schema_and_downgrade_removes_it(database_url) -> None:
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert SEED_TABLES <= tables
        columns = {c["name"] for c in inspect(engine).get_columns("tasks")}
        assert {"status", "progress", "current_step", "payload", "result", "error", "retry_count", "started_at",
                "completed_at", "heartbeat_at"} <= columns  # fmt: skip
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migration differ: {diff}"
        if engine.dialect.name == "postgresql":
            types = {c["name"]: type(c["type"]).__name__ for c in inspect(engine).get_columns("shots")}
            assert types["characters"] == "JSONB"
        downgrade(database_url)
        assert not (SEED_TABLES & set(inspect(engine).get_table_names()))
    finally:
        engine.dispose()

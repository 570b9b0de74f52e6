"""Queries more than one caller needs; keyword-only, each returns rows or None and never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import ParsedScriptRow, Project, StoryboardRow, utcnow
from db.session import changed_rows


def latest_parsed_script(session: Session, *, project_id: uuid.UUID) -> ParsedScriptRow | None:
    return session.scalars(
        select(ParsedScriptRow)
        .where(ParsedScriptRow.project_id == project_id)
        .order_by(ParsedScriptRow.parsed_at.desc())
    ).first()


def latest_storyboard(session: Session, *, project_id: uuid.UUID) -> StoryboardRow | None:
    return session.scalars(
        select(StoryboardRow).where(StoryboardRow.project_id == project_id).order_by(StoryboardRow.created_at.desc())
    ).first()


def lock_project(session: Session, *, project_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Take the project's write lock for the rest of the caller's transaction (False: no such project of this user).

    An UPDATE as the transaction's first statement: PostgreSQL locks the row, SQLite takes its write lock, so
    concurrent writers to one project (e.g. saving script versions) queue instead of reading the same state.
    """
    statement = update(Project).where(Project.id == project_id, Project.user_id == user_id).values(updated_at=utcnow())
    return changed_rows(session, statement) > 0

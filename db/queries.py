"""Queries more than one caller needs; keyword-only, each returns rows or None and never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ParsedScriptRow, StoryboardRow


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

"""What every job body shares: the progress callback's shape, the error for a project not ready for the job, and
loading the storyboard a job works on."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from db.models import StoryboardRow
from db.queries import latest_storyboard
from pipeline.errors import PipelineError

Progress = Callable[[float, str], None]


class JobInputError(PipelineError):
    """The project is not ready for this job (no script, no storyboard...); the message says what to do."""


def storyboard_or_fail(session: Session, project_id: uuid.UUID) -> StoryboardRow:
    board = latest_storyboard(session, project_id=project_id)
    if board is None:
        raise JobInputError("The project has no storyboard yet: parse the script and generate the storyboard first.")
    return board

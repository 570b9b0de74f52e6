"""Render quotas (seed §3.1, §5.1): a final render takes one video of its user's subscription when it is queued, in
the same transaction as its task row, and gives it back if the task fails or is cancelled. Both are single
conditional UPDATEs, so concurrent requests never overspend (PostgreSQL re-checks the condition under the row lock;
SQLite runs writes one at a time) and a task is refunded at most once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import Subscription, Task
from db.session import changed_rows

REFUNDED_STATUSES = ("failed", "cancelled")


class QuotaExhausted(Exception):
    def __init__(self, used: int, total: int) -> None:
        super().__init__(f"the plan's videos are used up ({used} of {total})")
        self.used, self.total = used, total


def _subscription_id(session: Session, user_id: uuid.UUID) -> uuid.UUID | None:
    return session.scalars(select(Subscription.id).where(Subscription.user_id == user_id)
                           .order_by(Subscription.created_at.desc())).first()  # fmt: skip


def charge(session: Session, user_id: uuid.UUID) -> bool:
    """Take one video from the user's active subscription; False if the user has none (nothing to count);
    QuotaExhausted if it is used up or not active."""
    sub_id = _subscription_id(session, user_id)
    if sub_id is None:
        return False
    taken = changed_rows(session, update(Subscription).where(
        Subscription.id == sub_id, Subscription.status == "active", Subscription.videos_used < Subscription.videos_quota,
    ).values(videos_used=Subscription.videos_used + 1))  # fmt: skip
    if not taken:
        sub = session.get(Subscription, sub_id)
        raise QuotaExhausted(sub.videos_used if sub else 0, sub.videos_quota if sub else 0)
    return True


def refund(session: Session, task_ids: Sequence[uuid.UUID]) -> int:
    """Give back the videos that the failed or cancelled ones among `task_ids` took (each once); how many."""
    refunded = 0
    for task_id in task_ids:
        if not changed_rows(session, update(Task).where(Task.id == task_id, Task.quota_charged.is_(True),
                                                        Task.status.in_(REFUNDED_STATUSES)).values(quota_charged=False)):  # fmt: skip
            continue
        user_id = session.scalar(select(Task.user_id).where(Task.id == task_id))
        sub_id = _subscription_id(session, user_id) if user_id else None
        if sub_id is not None:
            refunded += changed_rows(session, update(Subscription).where(Subscription.id == sub_id,
                                                                         Subscription.videos_used > 0)
                                     .values(videos_used=Subscription.videos_used - 1))  # fmt: skip
    return refunded

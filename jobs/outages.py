"""Which failures are outages of a service (the database or Redis restarting, a pool exhausted): worth waiting out or
answering 503, unlike a bug. One test for the API edge and the workers alike."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

DATABASE = "the database"
QUEUE = "the job queue (Redis)"


def outage(exc: BaseException) -> str | None:
    """The service `exc` says is unreachable (DATABASE or QUEUE), or None when it is some other failure."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return DATABASE
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return DATABASE
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return QUEUE
    return None

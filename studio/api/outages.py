"""503 instead of 500 while the database or Redis is away (restarting, failing over, its pool exhausted): the seed's
envelope with code 10001 and a Retry-After, so clients wait and retry instead of reporting a bug."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from jobs.outages import outage
from studio.api.envelope import envelope_response, request_id

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_CODE = 10001  # the seed's "system error"; the HTTP status (503) says it is passing


def install_outage_handlers(app: FastAPI) -> None:
    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        service = outage(exc)
        rid = request_id(request)
        if service is None:  # some other database error: a bug, answered 500 by the guard with the details logged
            raise exc
        logger.warning("%s unavailable on %s %s (request %s): %s", service, request.method, request.url.path, rid,
                       str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)  # fmt: skip
        return envelope_response(rid, code=UNAVAILABLE_CODE, status=503,
                                 message=f"{service} is unavailable; try again in a few seconds",
                                 headers={"Retry-After": str(RETRY_AFTER_SECONDS)})  # fmt: skip

    for kind in (DBAPIError, PoolTimeout, RedisConnectionError, RedisTimeoutError):
        app.add_exception_handler(kind, _unavailable)

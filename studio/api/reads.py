"""The fast path of hot GETs (task status, project list and detail): the value from the read cache
(studio/read_cache.py) or, on a miss, from the database in the thread pool; the envelope written in one step."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from studio.api.envelope import now, request_id
from studio.services import Services


def envelope_json(request: Request, data: Any) -> JSONResponse:
    """The success envelope of `data`, already in its public shape (the route's response_model documents it)."""
    rid = request_id(request)
    body = {"code": 0, "message": "success", "data": data, "timestamp": now(), "request_id": rid}
    return JSONResponse(body, headers={"X-Request-ID": rid})


async def cached_envelope(request: Request, svc: Services, key: Hashable, loader: Callable[[], Any]) -> Response:
    """The success envelope of `loader()`'s data, its JSON kept in the cache: a hit writes no JSON but the envelope's
    own few fields (a page of projects is most of the work otherwise)."""

    def load_json() -> bytes:
        return json.dumps(loader(), ensure_ascii=False, separators=(",", ":")).encode()

    data = await svc.reads.load(key, load_json)
    rid = request_id(request)
    tail = f',"timestamp":{json.dumps(now())},"request_id":{json.dumps(rid)}}}'.encode()
    body = b'{"code":0,"message":"success","data":' + data + tail
    return Response(body, media_type="application/json", headers={"X-Request-ID": rid})

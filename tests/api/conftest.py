"""The app under TestClient, on loopback (the app refuses other hosts), with tasks run in-process."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from app import create_app
from studio.services import build_services

BASE_URL = "http://127.0.0.1"


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, services=build_services(settings, immediate=True)), base_url=BASE_URL) as c:
        yield c


def ok(response, status=200) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == 0 and body["message"] == "success" and body["request_id"] and body["timestamp"]
    return body["data"]


def refused(response, status: int, code: int, field: str | None = None) -> dict:
    body = response.json()
    assert (response.status_code, body["code"]) == (status, code), body
    assert body["data"] is None and body["message"] and body["request_id"]
    if field is not None:
        assert body["error"]["field"] == field, body
    return body


def wait(client, task_id: str, timeout: float = 180, headers: dict[str, str] | None = None) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        task = ok(client.get(f"/api/v1/tasks/{task_id}", headers=headers))
        if task["status"] in ("completed", "failed", "cancelled") or time.monotonic() > deadline:
            return task
        time.sleep(0.2)

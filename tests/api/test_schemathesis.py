"""Schemathesis over /openapi.json: generated requests (valid and invalid) to every route, with auth on and a
logged-in user, never get a server error or a status the document does not list, and every answer matches its
documented schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.transport.serialization import serialize_binary

from app import create_app
from studio.config import Settings
from studio.services import build_services


@schemathesis.serializer("application/zip")
def _zip_body(ctx, value) -> bytes:  # the bundle import's body: whatever bytes were generated, sent as they are
    return serialize_binary(value)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
_settings = Settings(_env_file=None, auth_enabled=True, embedded_workers=0, task_retries=0, allowed_hosts=["testserver", "127.0.0.1"],
                     rate_limit="100000/minute", rate_limit_tasks="100000/minute")  # fmt: skip


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    settings = _settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("schemathesis") / "data"})
    return create_app(settings, services=build_services(settings))  # tasks stay queued: no worker runs them


@pytest.fixture(scope="module")
def token(app) -> str:
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as client:
        body = {"email": "fuzz@example.com", "password": "fuzzing password", "username": "fuzz"}
        return client.post("/api/v1/auth/register", json=body).json()["data"]["access_token"]


def test_no_server_error_and_no_undocumented_status(app, token) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) > 50
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)

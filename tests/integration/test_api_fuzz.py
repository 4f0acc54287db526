"""Generated requests, valid and invalid, from the OpenAPI schema: none may get a 5xx.

Each operation is fuzzed in schemathesis' positive mode (requests the schema allows) and
negative mode (requests it forbids), with an admin key so writes are exercised too. The
responses must also match what the schema documents: status codes, media types, bodies.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from service.api import create_app
from service.settings import Settings

FEEDS = Path(__file__).resolve().parents[2] / "feeds"
ADMIN = {"Authorization": "Bearer fuzz-admin-token"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("fuzz")
    configured = Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / 'fuzz.db'}",
        admin_token="fuzz-admin-token",
        feeds_dir=FEEDS,
    )
    built = create_app(configured, clock=lambda: datetime(2026, 11, 27, tzinfo=UTC))
    with TestClient(built):
        yield built


def _operations(app: FastAPI) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gets_a_server_error(app: FastAPI, mode: GenerationMode) -> None:
    operations = _operations(app)
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=30,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(headers=ADMIN)
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except Unsatisfiable:
            # An operation with no parameters and no body has no invalid form to send.
            assert mode is GenerationMode.NEGATIVE, operation.label

"""Hardening — the API against its own OpenAPI document, fuzzed by schemathesis.

A live `loupe serve` (gunicorn, the session's real NER index) publishes
`/api/openapi.json`; schemathesis generates requests from it — valid and
invalid parameters alike — and every response must be no 5xx, have a
documented status code and content type, and match the documented schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from live_server import serving
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from web.openapi import openapi_document

EXAMPLES = 25  # per operation and generation mode
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def live_api(test_index, tmp_path_factory):
    log = tmp_path_factory.mktemp("schema") / "serve.log"
    with serving(test_index, log, "--workers", "2") as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(live_api):
    """The document as the live server publishes it (not the one imported here)."""
    return schemathesis.openapi.from_url(f"{live_api}/api/openapi.json")


# schemathesis's own pytest plugin (`from_fixture`) does not run under pytest 9, so
# each operation gets a plain hypothesis test built from the schema's strategy.
def generation_cases() -> list:
    """Every operation (path and method) with valid inputs; with wrong ones too where
    it takes parameters or a body (an operation without any has nothing to get wrong,
    so no case rather than a skip)."""
    cases = []
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            name = f"{method.upper()} {path}"
            cases.append(pytest.param(path, method.upper(), GenerationMode.POSITIVE, id=name))
            if operation.get("parameters") or operation.get("requestBody"):
                cases.append(
                    pytest.param(
                        path, method.upper(), GenerationMode.NEGATIVE, id=f"{name}-negative"
                    )
                )
    return cases


@pytest.mark.parametrize(("path", "method", "mode"), generation_cases())
def test_every_api_response_matches_the_openapi_document(api_schema, live_api, path, method, mode):
    operation = api_schema[path][method]

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate(base_url=live_api, checks=CHECKS, timeout=15)

    call()

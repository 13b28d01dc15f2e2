"""Calls to the JSON API checked against its OpenAPI document (helpers, not tests)."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from web.openapi import openapi_document

SPEC = openapi_document()


def check(response, path: str, status: int) -> dict:
    """Assert the status, then validate the body against the schema the
    OpenAPI document gives for this path and status."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    operation = SPEC["paths"][path]["get"]
    documented = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    schema = {**documented, "components": SPEC["components"]}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    return body


def search(client, status: int = 200, **params) -> dict:
    return check(client.get("/api/search", query_string=params), "/api/search", status)

"""The OpenAPI document as client generators read it (issue 12)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.hazard_helpers import new_hazard
from tests.conftest import World, assert_problem

METHODS = ("get", "put", "post", "delete", "patch")
PROBLEM = "#/components/schemas/Problem"
VALIDATION_PROBLEM = "#/components/schemas/ValidationProblem"


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, item[method])
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    ]


@pytest.fixture(scope="module")
def spec(app_instance: FastAPI) -> dict[str, Any]:
    return app_instance.openapi()


def test_every_error_status_has_the_problem_schema(spec: dict[str, Any]) -> None:
    checked = 0
    for path, method, op in _operations(spec):
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            where = f"{method.upper()} {path} {status}"
            assert list(response["content"]) == ["application/problem+json"], where
            want = VALIDATION_PROBLEM if status == "422" else PROBLEM
            assert response["content"]["application/problem+json"]["schema"] == {"$ref": want}
            checked += 1
    assert checked > 250


def test_problem_schemas_name_their_fields(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    problem = schemas["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    assert "retry_after" in problem["properties"]
    assert "errors" in schemas["ValidationProblem"]["required"]
    assert "HTTPValidationError" not in schemas


def test_every_post_declares_idempotency_key(spec: dict[str, Any]) -> None:
    posts = [(p, op) for p, m, op in _operations(spec) if m == "post"]
    assert len(posts) >= 26
    for path, op in posts:
        headers = [p for p in op["parameters"] if p["in"] == "header"]
        key = [p for p in headers if p["name"] == "Idempotency-Key"]
        assert len(key) == 1, path
        assert key[0]["required"] is False
        assert key[0]["schema"]["maxLength"] == 200


def test_operation_ids_are_short_unique_and_do_not_repeat_the_tag(spec: dict[str, Any]) -> None:
    ops = _operations(spec)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) == len(set(ids))
    for _, _, op in ops:
        assert op["operationId"].isidentifier(), op["operationId"]
        assert not op["operationId"].startswith(op["tags"][0] + "_")
    assert spec["paths"]["/api/v1/hazards/{hazard_id}/plan"]["post"]["operationId"] == (
        "plan_hazard"
    )


def test_no_anonymous_schema_names(spec: dict[str, Any]) -> None:
    names = set(spec["components"]["schemas"])
    assert not [n for n in names if n.startswith("Body_") or "-" in n]
    assert {"LoginForm", "PhotoUpload"} <= names


def test_both_photo_uploads_send_a_binary_file(spec: dict[str, Any]) -> None:
    for path in ("/api/v1/uploads", "/api/v1/public/uploads"):
        body = spec["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]
        assert body["schema"] == {"$ref": "#/components/schemas/PhotoUpload"}, path
    file = spec["components"]["schemas"]["PhotoUpload"]["properties"]["file"]
    assert file["format"] == "binary"
    assert "contentMediaType" not in file


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/hazards", "post"),
        ("/api/v1/hazards/{hazard_id}", "get"),
        ("/api/v1/hazards/{hazard_id}/plan", "post"),
        ("/api/v1/enterprises/{enterprise_id}", "get"),
        ("/api/v1/enterprises/{enterprise_id}", "patch"),
    ],
)
def test_versioned_answers_declare_etag(spec: dict[str, Any], path: str, method: str) -> None:
    responses = spec["paths"][path][method]["responses"]
    ok = responses["201"] if "201" in responses else responses["200"]
    assert "ETag" in ok["headers"]


def test_etag_is_declared_only_on_single_versioned_objects(spec: dict[str, Any]) -> None:
    assert "headers" not in spec["paths"]["/api/v1/hazards"]["get"]["responses"]["200"]
    assert "headers" not in spec["paths"]["/api/v1/grids"]["post"]["responses"]["201"]


async def test_declared_etag_is_sent_and_matches_the_body_version(
    client: httpx.AsyncClient, world: World
) -> None:
    hazard = await new_hazard(client, world, "head1")
    resp = await client.get(f"/api/v1/hazards/{hazard['id']}", headers=world.headers("head1"))
    assert resp.headers["ETag"] == '"1"'
    assert resp.json()["version"] == 1
    ent = await client.get(
        f"/api/v1/enterprises/{world.enterprises['E1']}", headers=world.headers("head1")
    )
    assert ent.headers["ETag"] == f'"{ent.json()["version"]}"'


async def test_an_error_body_matches_the_declared_schema(
    client: httpx.AsyncClient, world: World
) -> None:
    resp = await client.post("/api/v1/hazards", json={}, headers=world.headers("head1"))
    body = assert_problem(resp, 422, "validation_error")
    errors = body["errors"]
    assert isinstance(errors, list)
    assert {"loc", "msg", "type"} <= set(errors[0])


def test_enums_where_enums_exist(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    actions = schemas["HazardRead"]["properties"]["allowed_actions"]["items"]
    assert sorted(actions["enum"]) == [
        "downgrade",
        "extend",
        "plan",
        "submit",
        "supervise",
        "verify",
        "void",
    ]
    change = schemas["ChangeWithObject"]["properties"]
    assert sorted(change["op"]["enum"]) == ["removed", "upsert", "voided"]
    assert sorted(change["object_type"]["enum"]) == [
        "confined_space",
        "enterprise",
        "hazard",
        "inspection",
        "permit",
        "permit_entry",
        "permit_gas_test",
        "permit_interruption",
        "permit_measure",
        "permit_person",
        "permit_ventilation",
    ]
    basis = schemas["HazardRead"]["properties"]["basis"]
    assert basis == {"$ref": "#/components/schemas/Basis"}
    assert {"standard_version", "item_codes", "manual_reason", "downgraded"} <= set(
        schemas["Basis"]["properties"]
    )

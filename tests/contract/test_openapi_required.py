"""Required vs optional as generated clients see it (issue 12 item 9).

openapi-typescript 7 types a property with a `default` as always present, so a defaulted
field of a request body must carry no `default` (its value is in the description); every
field of a schema only ever received in a 2xx is required (the server always sends it).
Checked on the document itself: no node needed in the suite."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

REF = "#/components/schemas/"
ERRORS = {"Problem", "ValidationProblem", "FieldError"}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"][len(REF) :]} if str(node.get("$ref", "")).startswith(REF) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _reachable(components: dict[str, Any], seeds: set[str]) -> set[str]:
    seen: set[str] = set()
    while seeds:
        name = seeds.pop()
        if name not in seen:
            seen.add(name)
            seeds |= _refs(components[name]) - seen
    return seen


@pytest.fixture(scope="module")
def spec(app_instance: FastAPI) -> dict[str, Any]:
    return app_instance.openapi()


@pytest.fixture(scope="module")
def sides(spec: dict[str, Any]) -> tuple[set[str], set[str]]:
    components = spec["components"]["schemas"]
    sent: set[str] = set()
    received: set[str] = set()
    for item in spec["paths"].values():
        for op in item.values():
            sent |= _refs(op.get("requestBody", {})) | _refs(op.get("parameters", []))
            received |= _refs({k: v for k, v in op["responses"].items() if k.startswith("2")})
    return _reachable(components, sent), _reachable(components, received)


def test_request_fields_with_defaults_are_optional(
    spec: dict[str, Any], sides: tuple[set[str], set[str]]
) -> None:
    components = spec["components"]["schemas"]
    sent, received = sides
    assert {"AccidentCreate", "HazardCreate", "PublicReportCreate"} <= sent - received
    for name in sent - received:
        for field, prop in components[name].get("properties", {}).items():
            assert "default" not in prop, f"{name}.{field}"
    accident = components["AccidentCreate"]
    assert "deaths" in accident["properties"]
    assert "deaths" not in accident["required"]
    assert accident["properties"]["deaths"]["description"] == "省略时为 0"
    assert set(accident["required"]) == {"enterprise_id", "occurred_at", "description"}


def test_response_fields_are_all_required(
    spec: dict[str, Any], sides: tuple[set[str], set[str]]
) -> None:
    components = spec["components"]["schemas"]
    sent, received = sides
    only_received = received - sent - ERRORS
    assert {"AccidentRead", "HazardRead", "TokenPair"} <= only_received
    for name in only_received:
        props = components[name].get("properties", {})
        assert set(components[name].get("required", [])) == set(props), name
    # Nullable fields are required too: sent as null, never left out.
    assert "next_cursor" in components["Page_AccidentRead_"]["required"]


def test_error_bodies_keep_their_optional_fields(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert "errors" not in problem["required"]
    assert "retry_after" not in problem["required"]

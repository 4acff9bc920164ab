"""Failures the fuzzer found, kept as plain regression tests (issue 7)."""

from __future__ import annotations

import httpx

from tests.conftest import World, assert_problem


async def test_body_that_is_not_utf8_is_a_declared_422(
    client: httpx.AsyncClient, world: World
) -> None:
    # Found by schemathesis (PATCH /api/v1/users/{id}, POST /api/v1/enterprises): FastAPI
    # answered 400 "There was an error parsing the body", a status no operation declares.
    resp = await client.post(
        "/api/v1/enterprises",
        content=b"\x08\xff\x0e",
        headers={**world.headers("office"), "Content-Type": "application/json"},
    )
    body = assert_problem(resp, 422, "validation_error")
    assert body["errors"] == [{"loc": ["body"], "msg": "invalid JSON", "type": "json_invalid"}]


async def test_malformed_json_is_still_422_naming_the_body(
    client: httpx.AsyncClient, world: World
) -> None:
    resp = await client.post(
        "/api/v1/enterprises",
        content=b'{"name": ',
        headers={**world.headers("office"), "Content-Type": "application/json"},
    )
    body = assert_problem(resp, 422, "validation_error")
    assert body["errors"][0]["loc"][0] == "body"  # type: ignore[index]

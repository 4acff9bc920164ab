"""A NUL byte in the login form's username is refused at the boundary (422 naming the
field), never a 500 on PostgreSQL (found by schemathesis on POST /api/v1/auth/token)."""

from __future__ import annotations

import httpx

from tests.conftest import TEST_PASSWORD, World, assert_problem


async def test_nul_in_username_is_refused_at_the_boundary(
    client: httpx.AsyncClient, world: World
) -> None:
    form = {"username": "u_office\x00", "password": TEST_PASSWORD}
    resp = await client.post("/api/v1/auth/token", data=form)
    body = assert_problem(resp, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["body", "username"]  # type: ignore[index]

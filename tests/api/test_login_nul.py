"""A NUL byte in the login form's username is a failed login, not a 500 on PostgreSQL
(found by schemathesis on POST /api/v1/auth/token)."""

from __future__ import annotations

import httpx

from tests.conftest import TEST_PASSWORD, World, assert_problem


async def test_nul_in_username_is_a_failed_login(client: httpx.AsyncClient, world: World) -> None:
    form = {"username": "u_office\x00", "password": TEST_PASSWORD}
    resp = await client.post("/api/v1/auth/token", data=form)
    assert_problem(resp, 401, "invalid_credentials")

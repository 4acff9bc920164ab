"""Failures the fuzzer and the fault drills found, kept as plain regression tests (issue 7)."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from app.core.db import is_database_unavailable
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
    assert body["errors"] == [
        {"loc": ["body"], "msg": "请求体：不是有效的 JSON", "type": "json_invalid"}
    ]


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


def _wrapped(driver_error: Exception) -> DBAPIError:
    """What SQLAlchemy's asyncpg dialect raises: a plain DBAPIError around an adapter error
    whose cause is the asyncpg exception."""
    adapter_error = Exception(str(driver_error))
    adapter_error.__cause__ = driver_error
    return DBAPIError("SELECT 1", None, adapter_error)


def test_postgres_starting_up_is_unavailable_not_a_500() -> None:
    # Found by bench/fault_pg_restart.py: during a restart, "the database system is shutting
    # down" / "is starting up" were answered 500 instead of 503.
    for message in ("the database system is starting up", "the database system is shutting down"):
        assert is_database_unavailable(_wrapped(asyncpg.CannotConnectNowError(message)))
    assert is_database_unavailable(_wrapped(asyncpg.AdminShutdownError("terminating")))


def test_a_real_database_error_is_still_a_500() -> None:
    assert not is_database_unavailable(_wrapped(asyncpg.UniqueViolationError("duplicate key")))
    assert not is_database_unavailable(ValueError("not a database error"))


async def test_create_resent_with_its_id_answers_a_declared_200(
    client: httpx.AsyncClient, world: World, app_instance: FastAPI
) -> None:
    # Found by the stateful fuzzer: POST /api/v1/hazards re-sent with its id answered 200, a
    # status no create declared (every create replays that way, brief §4).
    body = {"id": str(uuid.uuid4()), "name": "重复提交网格"}
    first = await client.post("/api/v1/grids", json=body, headers=world.headers("office"))
    again = await client.post("/api/v1/grids", json=body, headers=world.headers("office"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    declared = app_instance.openapi()["paths"]["/api/v1/grids"]["post"]["responses"]
    assert (
        declared["200"]["content"]["application/json"]["schema"]
        == (declared["201"]["content"]["application/json"]["schema"])
    )

"""Issue 11: GETs on PostgreSQL run on an autocommit session (no BEGIN/COMMIT round trips).
Anything that writes or locks on it is refused before it is sent, and the request is re-run
inside a transaction by `TransactionRetryMiddleware`."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from starlette.types import Message, Receive, Scope, Send

from app.core.db import NeedsTransaction, writes_or_locks
from app.core.middleware import TransactionRetryMiddleware
from app.models.grid import Grid

pg_only = pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="autocommit reads: PostgreSQL only"
)


@pg_only
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM grids FOR UPDATE",
        "SELECT id FROM grids FOR SHARE",
        "SELECT pg_advisory_xact_lock(1)",
        "UPDATE grids SET name = name",
        "DELETE FROM grids WHERE false",
        "WITH x AS (DELETE FROM grids WHERE false RETURNING id) SELECT * FROM x",
    ],
)
async def test_read_session_refuses_writes_and_locks(app_instance: Any, sql: str) -> None:
    for _ in range(2):  # the verdict is remembered per text: refused again, not let through
        async with app_instance.state.read_sessionmaker() as session:
            with pytest.raises(NeedsTransaction):
                await session.execute(text(sql))


@pg_only
async def test_read_session_refuses_an_orm_insert_before_sending_it(app_instance: Any) -> None:
    gid = uuid.uuid4()
    async with app_instance.state.read_sessionmaker() as session:
        session.add(Grid(id=gid, name="只读会话不应写入"))
        with pytest.raises(NeedsTransaction):
            await session.flush()
    async with app_instance.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).where(Grid.id == gid)) == 0


@pg_only
async def test_read_session_reads(app_instance: Any) -> None:
    async with app_instance.state.read_sessionmaker() as session:
        assert (await session.execute(text("SELECT 1"))).scalar() == 1


async def test_middleware_reruns_a_read_inside_a_transaction() -> None:
    seen: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        needs = bool(scope["state"].get("needs_transaction"))
        seen.append(needs)
        if not needs:
            raise NeedsTransaction
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    wrapped = TransactionRetryMiddleware(app)
    transport = httpx.ASGITransport(app=wrapped)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        resp = await client.get("/anything")
    assert resp.status_code == 200
    assert resp.text == "ok"
    assert seen == [False, True]


async def test_middleware_does_not_rerun_once_the_answer_started() -> None:
    calls: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(1)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise NeedsTransaction

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope: Scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "state": {}}
    with pytest.raises(NeedsTransaction):
        await TransactionRetryMiddleware(app)(scope, receive, send)
    assert calls == [1]


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        ("SELECT id FROM hazards WHERE id = $1", False),
        ("  \n with x AS (SELECT 1) SELECT * FROM x", False),
        ("select id from grids for  update", True),
        ("SELECT id FROM grids FOR NO KEY UPDATE", True),
        ("SELECT nextval('s')", True),
        ("SELECT set_config('a', 'b', true)", True),
        ("INSERT INTO grids (id) VALUES ($1)", True),
        ("SAVEPOINT sa_1", True),
        ("SELECT updated_at FROM hazards", False),  # a column named like a verb is a read
    ],
)
def test_writes_or_locks_is_the_same_on_first_and_later_sight(sql: str, refused: bool) -> None:
    assert [writes_or_locks(sql), writes_or_locks(sql)] == [refused, refused]

"""One insert-once for every create that takes a client-chosen id (brief §4, issue 10
finding 11): the phone app files offline and re-sends; two re-sends may arrive at once.

Each create does: `replay_existing` (a stored object with that id → the caller's `replay`),
then builds its object and calls `insert_once`, which inserts it inside a savepoint. If
another transaction inserted the same id meanwhile, the unique violation rolls back only the
savepoint; the stored row is read again and handed to `replay` as well. `replay` decides in
the caller's scope: the same content the caller may see → the stored object (answered 200
with the same body as the first 201), anything else → 409 `id_conflict`. The same on both
databases (PostgreSQL raises the violation once the first transaction commits; SQLite
serialises writers).

A client id that names an object the caller may not see answers the same 409 `id_conflict`
as one with other content: a second object cannot take that id, and the 409 says nothing
about the object. Ids are random UUIDs (122 bits), so the "this id is taken" it reveals
cannot be used to find objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import AppError, Conflict

M = TypeVar("M")
R = TypeVar("R")
Replay = Callable[[M], Awaitable[R]]


def id_conflict(zh: str = "该 id 已被使用", en: str = "Id already used") -> Conflict:
    return Conflict(zh, en, code="id_conflict")


async def replay_existing(
    session: AsyncSession, model: type[M], obj_id: uuid.UUID | None, replay: Replay[M, R]
) -> R | None:
    """`replay(stored)` when an object with `obj_id` exists, else None (go on and create)."""
    if obj_id is None:
        return None
    existing = await session.get(model, obj_id)
    return None if existing is None else await replay(existing)


async def insert_once(
    session: AsyncSession,
    obj: Any,
    replay: Replay[Any, R],
    *,
    other_conflict: AppError | None = None,
) -> R | None:
    """Insert `obj` (and flush whatever else is pending) in a savepoint. None when inserted;
    `replay(stored)` when a concurrent create took its id first. Another unique violation
    (e.g. a natural key) raises `other_conflict`, or the violation itself."""
    try:
        async with session.begin_nested():
            session.add(obj)
            await session.flush()
    except IntegrityError as exc:
        stored = await session.get(type(obj), obj.id, populate_existing=True)
        if stored is None:
            if other_conflict is not None:
                raise other_conflict from exc
            raise
        return await replay(stored)
    return None

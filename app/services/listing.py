"""The list kernel shared by the ledger-like list services: permission → scoped select →
equality filters → extra conditions → one keyset page (`pagination.keyset_page`, signed
cursors).

A filter whose value is None or "" is not applied (an absent query parameter); False and 0
are values and are applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission

M = TypeVar("M")


async def scoped_list(
    session: AsyncSession,
    model: type[M],
    *,
    scope: ColumnElement[bool],
    order: Sequence[InstrumentedAttribute[Any]],
    limit: int,
    cursor: str | None,
    actor: Actor | None = None,
    permission: Permission | None = None,
    equal: Iterable[tuple[InstrumentedAttribute[Any], Any]] = (),
    where: Iterable[ColumnElement[bool]] = (),
    descending: bool = False,
) -> tuple[list[M], str | None]:
    """One page of `model` rows within `scope` (403 first if `actor` lacks `permission`)."""
    if permission is not None:
        if actor is None:
            raise ValueError("a permission needs the actor it is checked on")
        require_permission(actor, permission)
    stmt = select(model).where(scope)
    for col, value in equal:
        if value is not None and value != "":
            stmt = stmt.where(col == value)
    for clause in where:
        stmt = stmt.where(clause)
    return await keyset_page(
        session, stmt, order=order, limit=limit, cursor=cursor, descending=descending
    )

"""Keyset pagination: an opaque cursor holding the last row's sort key (constant cost per page)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, TypeDecorator, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import Unprocessable

T = TypeVar("T")


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _decode_value(raw: Any, column: InstrumentedAttribute[Any]) -> Any:
    typ = column.type
    # A TypeDecorator (UTCDateTime) reports `object`; its underlying type knows better.
    py = (typ.impl_instance if isinstance(typ, TypeDecorator) else typ).python_type
    if raw is None:
        return None
    if py is datetime:
        return datetime.fromisoformat(str(raw))
    if py is date:
        return date.fromisoformat(str(raw))
    if py is uuid.UUID:
        return uuid.UUID(str(raw))
    if py is bool:  # e.g. the inbox's "unread" key (issue 13)
        if not isinstance(raw, bool):
            raise ValueError("boolean cursor value expected")
        return raw
    if py is int:
        return int(raw)
    if py is float:
        return float(raw)
    return str(raw)


def encode_cursor(values: Sequence[Any]) -> str:
    data = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, columns: Sequence[InstrumentedAttribute[Any]]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise ValueError("shape")
        return [_decode_value(v, c) for v, c in zip(raw, columns, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError) as exc:
        raise Unprocessable(
            "分页游标无效", "Invalid cursor", code="invalid_cursor", field=["query", "cursor"]
        ) from exc


async def keyset_page(
    session: AsyncSession,
    stmt: Select[T],
    *,
    order: Sequence[InstrumentedAttribute[Any]],
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    """One page of `stmt` ordered by `order` (last column unique), and the next cursor."""
    if cursor:
        after = decode_cursor(cursor, order)
        key = tuple_(*order)
        # Bind with the columns' own types: an untyped UUID or aware datetime would be
        # rendered in another format than the stored one on SQLite and compare wrongly.
        bound = tuple_(*(literal(v, c.type) for v, c in zip(after, order, strict=True)))
        stmt = stmt.where(key < bound if descending else key > bound)
    ordering = [c.desc() if descending else c.asc() for c in order]
    rows: list[T] = list((await session.scalars(stmt.order_by(*ordering).limit(limit + 1))).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, c.key) for c in order])

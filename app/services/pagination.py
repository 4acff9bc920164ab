"""Keyset pagination: an opaque cursor holding the last row's sort key (constant cost per page).

Cursors are signed (HMAC-SHA256 with a key derived from the secret key) over the encoded
values *and* the columns they sort, so a client can neither forge nor alter one, nor replay
one list's cursor on another: anything but a cursor this server issued for this ordering is
a 422 `invalid_cursor` and never reaches SQL. The values are then decoded into the columns'
types and bounds (int64, aware datetimes in range) as a second line of defence.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import RowMapping, Select, TypeDecorator, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeEngine

from app.core.config import get_settings
from app.core.errors import Unprocessable
from app.schemas.common import DATETIME_MAX, DATETIME_MIN, INT64_MAX, INT64_MIN

T = TypeVar("T")

CURSOR_KEY_INFO = "cursor_key"
_MAC_BYTES = 16
_MAX_TEXT = 1000


def derive_cursor_key(secret: str) -> bytes:
    # A key of its own, so a cursor MAC can never be confused with a token signature.
    return hmac.new(secret.encode(), b"zhiben/cursor/v1", hashlib.sha256).digest()


def cursor_key(session: AsyncSession) -> bytes:
    """The key of the app that opened `session` (see `make_sessionmaker`), else the
    configured one (command-line tools)."""
    key = session.info.get(CURSOR_KEY_INFO)
    if isinstance(key, bytes):
        return key
    return derive_cursor_key(get_settings().resolved_secret_key())


class _BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class CursorField:
    """A sort key that is no model column (a computed key, e.g. the ranking's unmet count):
    the name it is signed under and the SQL type its value is decoded as."""

    name: str
    type: TypeEngine[Any]


# What a cursor's values sort by: model columns, or computed keys.
Key = InstrumentedAttribute[Any] | CursorField


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _check_datetime(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise _BadCursor("naive datetime")
    if not DATETIME_MIN <= value.astimezone(UTC) <= DATETIME_MAX:
        raise _BadCursor("datetime out of range")
    return value


def _decode_int(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not INT64_MIN <= raw <= INT64_MAX:
        raise _BadCursor("not an int64")
    return raw


def _decode_value(raw: Any, column: Key) -> Any:
    typ = column.type
    # A TypeDecorator (UTCDateTime) reports `object`; its underlying type knows better.
    py = (typ.impl_instance if isinstance(typ, TypeDecorator) else typ).python_type
    if raw is None:
        return None
    if py is bool:  # e.g. the inbox's "unread" key (issue 13)
        if not isinstance(raw, bool):
            raise _BadCursor("boolean cursor value expected")
        return raw
    if py is int:
        return _decode_int(raw)
    if not isinstance(raw, str | float) or (isinstance(raw, str) and len(raw) > _MAX_TEXT):
        raise _BadCursor("wrong type")
    if py is float:
        if not isinstance(raw, float) or not math.isfinite(raw):
            raise _BadCursor("not a finite number")
        return raw
    if not isinstance(raw, str) or "\x00" in raw:
        raise _BadCursor("not a string")
    if py is datetime:
        return _check_datetime(datetime.fromisoformat(raw))
    if py is date:
        return date.fromisoformat(raw)
    if py is uuid.UUID:
        return uuid.UUID(raw)
    return raw


def _name(column: Key) -> str:
    if isinstance(column, CursorField):
        return column.name
    return f"{column.class_.__name__}.{column.key}"


def _context(columns: Sequence[Key]) -> bytes:
    return ",".join(_name(c) for c in columns).encode()


def _mac(key: bytes, columns: Sequence[Key], payload: str) -> str:
    digest = hmac.new(key, _context(columns) + b"\n" + payload.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:_MAC_BYTES]).decode().rstrip("=")


def encode_cursor(values: Sequence[Any], columns: Sequence[Key], *, key: bytes) -> str:
    data = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    payload = base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")
    return f"{payload}.{_mac(key, columns, payload)}"


def _verified_values(cursor: str, columns: Sequence[Key], key: bytes) -> Any:
    payload, _, mac = cursor.partition(".")
    if not hmac.compare_digest(mac.encode(), _mac(key, columns, payload).encode()):
        raise _BadCursor("signature")
    padded = payload + "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode()))


def decode_cursor(cursor: str, columns: Sequence[Key], *, key: bytes) -> list[Any]:
    try:
        raw = _verified_values(cursor, columns, key)
        if not isinstance(raw, list) or len(raw) != len(columns):
            raise _BadCursor("shape")
        return [_decode_value(v, c) for v, c in zip(raw, columns, strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeError, OverflowError) as exc:
        raise Unprocessable(
            "分页游标无效", "Invalid cursor", code="invalid_cursor", field=["query", "cursor"]
        ) from exc


async def keyset_rows(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    order: Sequence[InstrumentedAttribute[Any]],
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> tuple[list[RowMapping], str | None]:
    """`keyset_page` for a Core select of columns: the rows as mappings, no ORM objects
    (issue 11: hot lists skip hydration). `order` columns must be among the selected."""
    stmt = _after_cursor(session, stmt, order, cursor, descending)
    ordering = [c.desc() if descending else c.asc() for c in order]
    result = await session.execute(stmt.order_by(*ordering).limit(limit + 1))
    rows = list(result.mappings().all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([last[c.key] for c in order], order, key=cursor_key(session))


def _after_cursor(
    session: AsyncSession,
    stmt: Select[Any],
    order: Sequence[InstrumentedAttribute[Any]],
    cursor: str | None,
    descending: bool,
) -> Select[Any]:
    if not cursor:
        return stmt
    after = decode_cursor(cursor, order, key=cursor_key(session))
    tup = tuple_(*order)
    # Bind with the columns' own types: an untyped UUID or aware datetime would be
    # rendered in another format than the stored one on SQLite and compare wrongly.
    bound = tuple_(*(literal(v, c.type) for v, c in zip(after, order, strict=True)))
    return stmt.where(tup < bound if descending else tup > bound)


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
    key = cursor_key(session)
    stmt = _after_cursor(session, stmt, order, cursor, descending)
    ordering = [c.desc() if descending else c.asc() for c in order]
    rows: list[T] = list((await session.scalars(stmt.order_by(*ordering).limit(limit + 1))).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor([getattr(last, c.key) for c in order], order, key=key)

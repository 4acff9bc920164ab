"""`Idempotency-Key` on `/auth/refresh` (brief §4: every POST honours it).

The route is unauthenticated (the refresh token *is* the credential), so the record is keyed
by the login family the presented token verifiably belongs to (`auth_session:<id>`), not by
the client: nobody can replay into another login's record, and a key reused by another
family is a different record.

No secret is stored. The new refresh token is derived from the presented one with the server
key (`security.successor_refresh_token`), and the access token is signed again from the
stored `iat` and `jti`: the same key and body give back the very same pair, byte for byte. A
replay hands out nothing that was not already handed out, and none at all once the family
is revoked (logout, reuse detection) or the user is deactivated: `auth.refresh` checks those
before it looks at the record.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import Conflict, Unprocessable
from app.core.idempotency import expiry_cutoff
from app.models.audit import IdempotencyRecord

# Marks a record that holds only the claims needed to sign the answer again.
REPLAY_TYPE = "application/vnd.zhiben.refresh-replay"


@dataclass(frozen=True)
class RefreshKey:
    """The client's `Idempotency-Key` and the digest of the request it came with."""

    key: str
    body_hash: str
    path: str


@dataclass(frozen=True)
class Issued:
    issued_at: datetime
    jti: str


def _actor(family: uuid.UUID) -> str:
    return f"auth_session:{family}"


async def find(
    session: AsyncSession, settings: Settings, family: uuid.UUID, rk: RefreshKey
) -> Issued | None:
    """What the first answer under this key signed, or None when the key is new here."""
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.actor == _actor(family), IdempotencyRecord.key == rk.key
        )
    )
    if record is None:
        return None
    if record.created_at < expiry_cutoff(settings.idempotency_ttl_hours):
        await session.delete(record)  # expired: the key is free again
        await session.flush()
        return None
    if record.body_hash != rk.body_hash or record.content_type != REPLAY_TYPE:
        raise Unprocessable(
            "该幂等键已用于另一个请求",
            "Idempotency-Key reused with another request",
            code="idempotency_key_reused",
            field=["header", "Idempotency-Key"],
        )
    claims = json.loads(record.response_body)
    return Issued(datetime.fromisoformat(claims["iat"]), str(claims["jti"]))


async def remember(
    session: AsyncSession, family: uuid.UUID, rk: RefreshKey, issued: Issued
) -> None:
    """Written in the refresh's own transaction: the rotation and its record commit together."""
    claims = {"iat": issued.issued_at.isoformat(), "jti": issued.jti}
    session.add(
        IdempotencyRecord(
            actor=_actor(family),
            key=rk.key,
            method="POST",
            path=rk.path,
            body_hash=rk.body_hash,
            status_code=200,
            response_body=json.dumps(claims),
            content_type=REPLAY_TYPE,
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "相同幂等键的请求正在处理或已处理，请稍后重试",
            "A request with this Idempotency-Key is being processed; retry shortly",
            code="idempotency_in_progress",
        ) from exc

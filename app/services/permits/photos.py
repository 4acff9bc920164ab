"""Photos on a permit's records through the upload flow (issue 15): the caller uploads
(`POST /api/v1/uploads`), then attaches the ids here. The upload is claimed for the permit's
enterprise (so whoever may see the permit sees the photo) and by one permit record only."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Unprocessable
from app.models.permit import Permit
from app.models.permit import PermitStatus as S
from app.models.permit_ops import PermitPhoto
from app.models.permit_records import GasTest, PermitMeasure
from app.schemas.permit_photos import PermitPhotoKind, PermitPhotosIn
from app.services import audit, uploads
from app.services.pagination import keyset_page
from app.services.permits.machine import OBJECT_TYPE
from app.services.permits.queries import get_permit
from app.services.policy import Actor, Permission, require_permission

RECORDS: dict[PermitPhotoKind, type[Any]] = {
    PermitPhotoKind.gas_test: GasTest,
    PermitPhotoKind.measure: PermitMeasure,
}
# The completion check is photographed while finishing or just after (GB 30871-2022 5.2.14).
COMPLETION_STATES = frozenset({S.active, S.suspended, S.completed})


async def _check_record(session: AsyncSession, permit: Permit, data: PermitPhotosIn) -> None:
    model = RECORDS.get(data.kind)
    if model is None:
        if permit.status not in COMPLETION_STATES:
            raise Conflict(
                f"作业票当前状态（{permit.status}）不能登记完工检查照片",
                f"No completion photos in status {permit.status}",
                code="permit_state_forbids",
            )
        return
    found = None
    if data.record_id is not None:
        found = await session.scalar(
            select(model.id).where(model.id == data.record_id, model.permit_id == permit.id)
        )
    if found is None:
        raise Unprocessable(
            "该作业票没有这条记录",
            "No such record on this permit",
            code="record_not_found",
            field=["body", "record_id"],
        )


async def attach(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: PermitPhotosIn
) -> tuple[list[PermitPhoto], bool]:
    """Attach; re-sending the same attachment answers the stored rows (created False)."""
    require_permission(actor, Permission.PERMIT_WRITE)
    permit = await get_permit(session, actor=actor, permit_id=permit_id, for_update=True)
    await _check_record(session, permit, data)
    record_id = data.record_id if data.kind in RECORDS else None
    wanted = list(dict.fromkeys(data.photo_ids))
    stored = {
        p.upload_id: p
        for p in await session.scalars(select(PermitPhoto).where(PermitPhoto.upload_id.in_(wanted)))
    }
    same = (permit.id, data.kind.value, record_id)
    if any((p.permit_id, p.kind, p.record_id) != same for p in stored.values()):
        raise _taken()
    fresh = [u for u in wanted if u not in stored]
    await uploads.claim_photos(
        session,
        actor=actor,
        enterprise_id=permit.enterprise_id,
        photo_ids=fresh,
        field=["body", "photo_ids"],
    )
    rows = [
        PermitPhoto(
            upload_id=u,
            permit_id=permit.id,
            kind=data.kind.value,
            record_id=record_id,
            attached_by=actor.user_id,
        )
        for u in fresh
    ]
    try:
        async with session.begin_nested():
            session.add_all(rows)
    except IntegrityError as exc:  # a concurrent attach claimed one of them first
        raise _taken() from exc
    if rows:
        audit.record(
            session,
            actor=actor,
            action="attach_photos",
            object_type=OBJECT_TYPE,
            object_id=permit.id,
            changes={"kind": data.kind.value, "record_id": record_id, "photo_ids": fresh},
        )
    return [*stored.values(), *rows], bool(rows)


def _taken() -> Conflict:
    return Conflict(
        "照片已用于其他记录", "Photo already attached elsewhere", code="photo_already_attached"
    )


async def list_photos(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[PermitPhoto], str | None]:
    permit = await get_permit(session, actor=actor, permit_id=permit_id)
    stmt = select(PermitPhoto).where(PermitPhoto.permit_id == permit.id)
    return await keyset_page(
        session,
        stmt,
        order=[PermitPhoto.attached_at, PermitPhoto.upload_id],
        limit=limit,
        cursor=cursor,
    )

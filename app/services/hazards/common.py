"""Shared pieces of the hazard services: ledger numbers, history rows, photo attachment."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.errors import Unprocessable
from app.models.hazard import Hazard, HazardHistory, HazardPhoto, LedgerCounter
from app.models.upload import Upload
from app.rules.calendar import today_in_shanghai
from app.services import audit
from app.services.policy import Actor
from app.services.workflow import next_seq

OBJECT_TYPE = "hazard"


def now_utc() -> datetime:
    return datetime.now(UTC)


async def next_ledger_no(session: AsyncSession, *, prefix: str | None = None) -> str:
    """`YYL-2026-000123`: prefix, Shanghai year, per-year sequence.

    One upsert … RETURNING on `ledger_counters(year)`: the row lock it takes is held until the
    transaction ends, so two creators never get the same number; a rolled-back create leaves
    a gap, which is allowed (unique, not gap-free).
    """
    year = today_in_shanghai().year
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = (
        insert(LedgerCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=[LedgerCounter.year], set_={"last": LedgerCounter.last + 1}
        )
        .returning(LedgerCounter.last)
    )
    number = (await session.execute(upsert)).scalar_one()
    return f"{prefix or get_settings().ledger_prefix}-{year}-{number:06d}"


async def add_history(
    session: AsyncSession,
    hazard: Hazard,
    *,
    actor: Actor | None,
    action: str,
    from_status: str | None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> HazardHistory:
    """Append a history row; `seq` is 1 + the last one (the hazard row is locked by then)."""
    row = HazardHistory(
        hazard_id=hazard.id,
        seq=next_seq(HazardHistory.seq, HazardHistory.hazard_id, hazard.id),
        action=action,
        from_status=from_status,
        to_status=hazard.status,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role.value if actor else None,
        at=now_utc(),
        note=note,
        data=audit.jsonable(data or {}),
    )
    session.add(row)
    return row


async def attach_photos(
    session: AsyncSession,
    hazard: Hazard,
    *,
    actor: Actor | None,
    photo_ids: list[uuid.UUID],
    kind: str,
    field: str = "photo_ids",
) -> None:
    """Link uploads to the hazard; each must be unattached or of the hazard's enterprise.

    An upload of another enterprise, or someone else's unattached upload, is refused (422,
    naming the index) so a photo id cannot be used to pull a foreign photo into view.
    """
    if not photo_ids:
        return
    unique_ids = list(dict.fromkeys(photo_ids))
    rows = await session.scalars(select(Upload).where(Upload.id.in_(unique_ids)))
    uploads = {u.id: u for u in rows}
    linked = set(
        await session.scalars(
            select(HazardPhoto.upload_id).where(
                HazardPhoto.hazard_id == hazard.id, HazardPhoto.upload_id.in_(unique_ids)
            )
        )
    )
    for i, pid in enumerate(unique_ids):
        up = uploads.get(pid)
        if up is None or not _may_attach(up, hazard, actor):
            raise Unprocessable(
                "照片不存在或不属于该企业",
                "Unknown photo, or a photo of another enterprise",
                code="photo_not_attachable",
                field=["body", field, i],
            )
        up.enterprise_id = hazard.enterprise_id
        if pid not in linked:
            session.add(HazardPhoto(hazard_id=hazard.id, upload_id=pid, kind=kind, position=i))


def _may_attach(up: Upload, hazard: Hazard, actor: Actor | None) -> bool:
    if up.enterprise_id is not None:
        return up.enterprise_id == hazard.enterprise_id
    if up.uploaded_by is None:
        # An anonymous upload (public report); attached by whoever triages it (issue 5).
        return True
    return actor is not None and up.uploaded_by == actor.user_id

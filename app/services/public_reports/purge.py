"""Purge of anonymous uploads that no report used within their 24 hours (issue 5).

An unused public photo can never be attached any more (intake refuses it after `UPLOAD_TTL`),
so keeping it would only keep a stranger's picture around. Its blob is removed too unless
some other row — staff upload or public upload — still points at the same content address
(the store is content-addressed, so triage copies share blobs).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.storage import BlobStorage
from app.models.public_report import PublicUpload
from app.models.upload import Upload
from app.services import audit
from app.services.public_reports.intake import UPLOAD_TTL

BATCH = 500
# A blob stored this recently is kept even when no committed row refers to it yet.
BLOB_GRACE = timedelta(hours=1)


async def delete_expired_public_uploads(
    session: AsyncSession, *, now: datetime | None = None
) -> tuple[int, list[str]]:
    """Delete one batch of expired unused public upload rows (flush only): their count and
    content addresses; the caller commits, then calls `remove_orphan_blobs` — a blob is
    never removed while the transaction that frees it could still roll back."""
    cutoff = (now or datetime.now(UTC)) - UPLOAD_TTL
    rows = (
        await session.execute(
            select(PublicUpload.id, PublicUpload.sha256)
            .where(PublicUpload.used_by_report_id.is_(None), PublicUpload.created_at < cutoff)
            .order_by(PublicUpload.created_at)
            .limit(BATCH)
        )
    ).all()
    if not rows:
        return 0, []
    await session.execute(delete(PublicUpload).where(PublicUpload.id.in_([r[0] for r in rows])))
    audit.record(
        session,
        actor=None,
        action="purge",
        object_type="public_upload",
        object_id="batch",
        changes={"count": len(rows), "before": cutoff},
    )
    await session.flush()
    return len(rows), sorted({r[1] for r in rows})


async def remove_orphan_blobs(
    session: AsyncSession, *, storage: BlobStorage, keys: list[str], now: float | None = None
) -> int:
    """Remove the blobs of `keys` that no row references and that nobody stored within
    `BLOB_GRACE`. An upload of the very same bytes stores (touches) the blob before its row
    exists, and its row only becomes visible when its transaction commits: the grace, far
    longer than any request, covers that window, and `delete_if_idle` makes the last check
    and the removal one atomic step against a `put` (issue 10 finding 13)."""
    idle_since = (now if now is not None else time.time()) - BLOB_GRACE.total_seconds()
    removed = 0
    for key in keys:
        used = select(
            exists().where(Upload.sha256 == key) | exists().where(PublicUpload.sha256 == key)
        )
        if not await session.scalar(used) and await storage.delete_if_idle(
            key, idle_since=idle_since
        ):
            removed += 1
    return removed

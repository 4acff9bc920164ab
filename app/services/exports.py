"""Large ledger exports as background jobs (issue 13): a request queues the job and answers
202; the job renders the same file as `GET /hazards/export` (same filters, same scope,
re-read from the account when it runs) into storage; the file expires after
`export_expiry_days`. Only the account that asked may read it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.errors import AppError, Conflict, NotFound
from app.core.storage import BlobStorage
from app.models.notification import ExportJob, ExportStatus
from app.models.user import Role, User, UserGrid
from app.services import audit, outbox
from app.services.hazards import export as ledger
from app.services.hazards import export_xlsx as ledger_xlsx
from app.services.hazards.queries import HazardFilters
from app.services.policy import Actor

MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ExportGone(AppError):
    status, code, title_zh, title_en = 410, "export_expired", "导出文件已过期", "Export expired"


async def request_export(
    session: AsyncSession, *, actor: Actor, filters: HazardFilters, fmt: str
) -> ExportJob:
    ledger.check_export(actor)
    job = ExportJob(
        id=uuid.uuid4(),
        requested_by=actor.user_id,
        kind="hazards",
        format=fmt,
        filters=audit.jsonable(dataclasses.asdict(filters)),
        status=ExportStatus.pending,
    )
    session.add(job)
    await session.flush()
    outbox.enqueue(session, task=outbox.RENDER_EXPORT, args={"export_id": str(job.id)})
    audit.record(
        session, actor=actor, action="export", object_type="export", object_id=job.id,
        changes={"format": fmt, "filters": job.filters},
    )  # fmt: skip
    return job


async def get_export(session: AsyncSession, *, actor: Actor, export_id: uuid.UUID) -> ExportJob:
    job = await session.get(ExportJob, export_id)
    if job is None or job.requested_by != actor.user_id:
        raise NotFound("导出任务不存在", "Export not found")
    return job


async def open_file(
    session: AsyncSession,
    *,
    actor: Actor,
    export_id: uuid.UUID,
    storage: BlobStorage,
    now: datetime,
) -> tuple[ExportJob, bytes]:
    job = await get_export(session, actor=actor, export_id=export_id)
    if job.status != ExportStatus.done or job.file_key is None:
        if job.status == ExportStatus.pending:
            raise Conflict("导出尚未完成", "The export is not ready yet", code="export_pending")
        raise ExportGone("导出失败或文件已清理", "The export failed or was removed")
    if job.expires_at is not None and job.expires_at <= now:
        raise ExportGone("导出文件已过期，请重新导出", "The export has expired; request it again")
    return job, await storage.open(job.file_key)


def _filters(raw: dict[str, Any]) -> HazardFilters:
    out: dict[str, Any] = dict(raw)
    for key in ("enterprise_id", "grid_id"):
        if out.get(key):
            out[key] = uuid.UUID(out[key])
    for key in ("found_from", "found_to"):
        if out.get(key):
            out[key] = date.fromisoformat(out[key])
    return HazardFilters(**out)


async def actor_of(session: AsyncSession, user_id: uuid.UUID) -> Actor | None:
    """The account's scope as it is now (a deactivated account exports nothing)."""
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    grids: frozenset[uuid.UUID] = frozenset()
    if user.role == Role.grid_staff:
        grids = frozenset(
            await session.scalars(select(UserGrid.grid_id).where(UserGrid.user_id == user.id))
        )
    return Actor(user.id, user.username, Role(user.role), user.enterprise_id, grids)


async def render(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    storage: BlobStorage,
    export_id: uuid.UUID,
    now: datetime,
    keep_days: int,
    jurisdiction: str,
) -> None:
    async with sessionmaker() as session:
        job = await session.get(ExportJob, export_id)
        if job is None or job.status != ExportStatus.pending:
            return  # a re-run of a finished job
        actor = await actor_of(session, job.requested_by)
        fmt, filters = job.format, _filters(job.filters)
    values: dict[str, Any] = {"finished_at": now}
    if actor is None:
        values |= {"status": ExportStatus.failed, "error": "account_inactive"}
    else:
        if fmt == "csv":
            stream = ledger.stream_csv(sessionmaker, actor, filters)
        else:
            stream = ledger_xlsx.stream_xlsx(
                sessionmaker, actor, filters, jurisdiction=jurisdiction
            )
        # Streamed into storage batch by batch: memory stays flat however many rows.
        key, size = await storage.put_stream(stream, content_type=MEDIA[fmt])
        values |= {
            "status": ExportStatus.done, "file_key": key, "size": size,
            "expires_at": now + timedelta(days=keep_days),
        }  # fmt: skip
    async with sessionmaker() as session, session.begin():
        job = await session.get(ExportJob, export_id)
        if job is not None and job.status == ExportStatus.pending:
            for k, v in values.items():
                setattr(job, k, v)


async def purge_expired(session: AsyncSession, *, storage: BlobStorage, now: datetime) -> int:
    """Delete expired files (the rows stay, as `failed` with error "expired")."""
    jobs = list(
        await session.scalars(
            select(ExportJob).where(
                ExportJob.status == ExportStatus.done, ExportJob.expires_at <= now
            )
        )
    )
    for job in jobs:
        key, job.file_key = job.file_key, None
        job.status, job.error = ExportStatus.failed, "expired"
        await session.flush()
        shared = await session.scalar(select(ExportJob.id).where(ExportJob.file_key == key))
        if key and shared is None:  # content-addressed: another export may share the bytes
            await storage.delete(key)
    return len(jobs)

"""Triage of a public report (brief §7) and the reward decision.

Triage happens once: `accept` registers a hazard (source `public_report`, the report's photos
carried over, the level decided by the rules service) and links it; `duplicate` names the
report or hazard it repeats; `invalid` needs a note. A second triage is 409 — also when two
race: the version column makes the later flush fail instead of overwriting the first.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.core.config import Settings
from app.core.errors import Conflict, Unprocessable
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardSource
from app.models.public_report import (
    PublicReport,
    PublicReportPhoto,
    PublicUpload,
    ReportOutcome,
    ReportStatus,
)
from app.models.upload import Upload
from app.rules.levels import HazardLevel
from app.schemas.public_report import ReportRead, RewardRequest, TriageDecision, TriageRequest
from app.services import audit
from app.services.determination import determine
from app.services.hazards import NewHazard, create_hazard
from app.services.policy import (
    Actor,
    Permission,
    enterprise_scope,
    require_permission,
    scope_by_enterprise,
)
from app.services.public_reports.intake import OBJECT_TYPE
from app.services.public_reports.scope import report_scope
from app.services.public_reports.staff import load_report, photo_ids_of, report_view
from app.services.uploads import same_blob


def _already_triaged() -> Conflict:
    return Conflict(
        "该举报已处理，不能重复研判", "The report has already been triaged", code="already_triaged"
    )


async def _enterprise(
    session: AsyncSession, actor: Actor, report: PublicReport, data: TriageRequest
) -> Enterprise:
    enterprise_id = data.enterprise_id or report.enterprise_id
    if enterprise_id is None:
        raise Unprocessable(
            "采纳举报须指定企业 enterprise_id",
            "enterprise_id is required to accept an unmatched report",
            code="enterprise_required",
            field=["body", "enterprise_id"],
        )
    ent = await session.scalar(
        select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_scope(actor))
    )
    if ent is None:
        raise Unprocessable(
            "企业不存在或不在您的辖区",
            "Unknown enterprise",
            code="unknown_enterprise",
            field=["body", "enterprise_id"],
        )
    return ent


async def _carry_photos(
    session: AsyncSession, report: PublicReport, enterprise: Enterprise
) -> list[uuid.UUID]:
    """Staff upload rows over the same sanitised blobs (content-addressed: no copy needed)."""
    rows = await session.scalars(
        select(PublicUpload)
        .join(PublicReportPhoto, PublicReportPhoto.upload_id == PublicUpload.id)
        .where(PublicReportPhoto.report_id == report.id)
        .order_by(PublicReportPhoto.position)
    )
    ids = []
    for pu in rows:
        up = Upload(
            id=uuid.uuid4(),
            **same_blob(pu),
            uploaded_by=None,
            enterprise_id=enterprise.id,
            created_at=pu.created_at,
        )
        session.add(up)
        ids.append(up.id)
    await session.flush()
    return ids


async def _accept(
    session: AsyncSession, actor: Actor, report: PublicReport, data: TriageRequest
) -> None:
    ent = await _enterprise(session, actor, report, data)
    determination = determine(
        actor=actor,
        enterprise=ent,
        item_codes=data.item_codes,
        requested_level=HazardLevel(data.level) if data.level else None,
        level_reason=data.level_reason,
    )
    hazard, _ = await create_hazard(
        session,
        actor=actor,
        enterprise=ent,
        data=NewHazard(
            description=report.description,
            category=data.category.value,
            source=HazardSource.public_report.value,
            determination=determination,
            location=report.location_text,
            photo_ids=await _carry_photos(session, report, ent),
        ),
    )
    report.enterprise_id = ent.id
    report.hazard_id = hazard.id


async def _duplicate(
    session: AsyncSession, actor: Actor, report: PublicReport, data: TriageRequest
) -> None:
    target = data.duplicate_of
    if target is None or target == report.id:
        raise Unprocessable(
            "判定重复须指定 duplicate_of（举报或隐患 id）",
            "duplicate_of (a report or hazard id) is required",
            code="duplicate_of_required",
            field=["body", "duplicate_of"],
        )
    if await session.scalar(
        select(PublicReport.id).where(PublicReport.id == target, report_scope(actor))
    ):
        report.duplicate_of_report_id = target
        return
    if await session.scalar(
        select(Hazard.id).where(
            Hazard.id == target, scope_by_enterprise(actor, Hazard.enterprise_id)
        )
    ):
        report.duplicate_of_hazard_id = target
        return
    raise Unprocessable(
        "duplicate_of 不是可见的举报或隐患",
        "duplicate_of is neither a visible report nor a visible hazard",
        code="unknown_duplicate_of",
        field=["body", "duplicate_of"],
    )


_OUTCOMES = {
    TriageDecision.accept: ReportOutcome.accepted,
    TriageDecision.duplicate: ReportOutcome.duplicate,
    TriageDecision.invalid: ReportOutcome.invalid,
}


async def _apply_decision(
    session: AsyncSession, actor: Actor, report: PublicReport, data: TriageRequest
) -> None:
    if data.decision == TriageDecision.accept:
        await _accept(session, actor, report, data)
    elif data.decision == TriageDecision.duplicate:
        await _duplicate(session, actor, report, data)
    elif not (data.note and data.note.strip()):
        raise Unprocessable(
            "不予采纳须填写说明 note",
            "A note is required to refuse a report",
            code="note_required",
            field=["body", "note"],
        )


def _record(
    session: AsyncSession, actor: Actor, report: PublicReport, action: str, changes: dict[str, Any]
) -> None:
    """Audit row and outbox event: ids, outcomes and amounts only — never the phone."""
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=report.id,
        changes=changes,
    )
    audit.emit(
        session,
        topic=f"public_report.{action}",
        object_type=OBJECT_TYPE,
        object_id=report.id,
        payload={"outcome": report.outcome, "hazard_id": report.hazard_id},
    )


async def _answer(
    session: AsyncSession, settings: Settings, actor: Actor, report: PublicReport
) -> ReportRead:
    photos = await photo_ids_of(session, [report.id])
    return report_view(settings, actor, report, photos.get(report.id, []), with_phone=False)


async def triage(
    session: AsyncSession,
    *,
    settings: Settings,
    actor: Actor,
    report_id: uuid.UUID,
    data: TriageRequest,
) -> ReportRead:
    require_permission(actor, Permission.REPORT_TRIAGE)
    report = await load_report(session, actor=actor, report_id=report_id, for_update=True)
    if report.outcome != ReportOutcome.pending:
        raise _already_triaged()
    await _apply_decision(session, actor, report, data)
    report.status = ReportStatus.triaged
    report.outcome = _OUTCOMES[data.decision]
    report.decided_by = actor.user_id
    report.decided_at = datetime.now(UTC)
    report.note = data.note or None
    try:
        await session.flush()
    except StaleDataError as exc:
        raise _already_triaged() from exc
    changes = {
        "outcome": report.outcome,
        "hazard_id": report.hazard_id,
        "duplicate_of_report_id": report.duplicate_of_report_id,
        "duplicate_of_hazard_id": report.duplicate_of_hazard_id,
    }
    _record(session, actor, report, "triaged", changes)
    return await _answer(session, settings, actor, report)


def _check_reward(report: PublicReport, data: RewardRequest) -> None:
    if report.outcome != ReportOutcome.accepted:
        raise Conflict(
            "只有已采纳的举报可以记录奖励",
            "Only an accepted report can be rewarded",
            code="report_not_accepted",
        )
    if data.eligible and data.amount is None:
        raise Unprocessable(
            "给予奖励须填写金额 amount",
            "amount is required when eligible",
            code="amount_required",
            field=["body", "amount"],
        )
    if not data.eligible and (data.amount or data.paid_on):
        raise Unprocessable(
            "不予奖励时不能填写金额或发放日期",
            "No amount or paid_on when not eligible",
            code="reward_not_eligible",
            field=["body", "amount"],
        )


async def record_reward(
    session: AsyncSession,
    *,
    settings: Settings,
    actor: Actor,
    report_id: uuid.UUID,
    data: RewardRequest,
) -> ReportRead:
    """举报奖励 (plan 保障措施(三), 主要任务4): the street office's decision on an accepted
    report; it may be recorded again (e.g. to add the payment date), each time audited."""
    require_permission(actor, Permission.REPORT_REWARD)
    report = await load_report(session, actor=actor, report_id=report_id, for_update=True)
    _check_reward(report, data)
    before = {
        "eligible": report.reward_eligible,
        "amount": report.reward_amount,
        "paid_on": report.reward_paid_on,
    }
    report.reward_eligible = data.eligible
    report.reward_amount = data.amount
    report.reward_paid_on = data.paid_on
    report.reward_decided_at = datetime.now(UTC)
    report.reward_decided_by = actor.user_id
    await session.flush()
    after = {"eligible": data.eligible, "amount": data.amount, "paid_on": data.paid_on}
    _record(session, actor, report, "reward_decided", audit.diff(before, after))
    return await _answer(session, settings, actor, report)

"""Reading inspections, scoped like their enterprise (`policy.scope_by_enterprise`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.models.inspection import Inspection, InspectionQuiz, InspectionResponse
from app.services.listing import scoped_list
from app.services.policy import Actor, Permission, require_permission, scope_by_enterprise


async def shape_many(session: AsyncSession, rows: list[Inspection]) -> list[dict[str, Any]]:
    """The API view of each inspection; children loaded in two queries for the whole page."""
    ids = [r.id for r in rows]
    responses: dict[uuid.UUID, list[InspectionResponse]] = defaultdict(list)
    quiz: dict[uuid.UUID, list[InspectionQuiz]] = defaultdict(list)
    if ids:
        for resp in await session.scalars(
            select(InspectionResponse)
            .where(InspectionResponse.inspection_id.in_(ids))
            .order_by(InspectionResponse.inspection_id, InspectionResponse.position)
        ):
            responses[resp.inspection_id].append(resp)
        for q in await session.scalars(
            select(InspectionQuiz)
            .where(InspectionQuiz.inspection_id.in_(ids))
            .order_by(InspectionQuiz.inspection_id, InspectionQuiz.position)
        ):
            quiz[q.inspection_id].append(q)
    return [shape(r, responses[r.id], quiz[r.id]) for r in rows]


def shape(
    insp: Inspection, responses: list[InspectionResponse], quiz: list[InspectionQuiz]
) -> dict[str, Any]:
    return {
        "id": insp.id,
        "enterprise_id": insp.enterprise_id,
        "kind": insp.kind,
        "plan_item_id": insp.plan_item_id,
        "draw_id": insp.draw_id,
        "trigger": insp.trigger,
        "started_at": insp.started_at,
        "finished_at": insp.finished_at,
        "led_by": insp.led_by,
        "inspectors": list(insp.inspectors),
        "filed_by": insp.filed_by,
        "filed_by_role": insp.filed_by_role,
        "standard_version": insp.standard_version,
        "responses": [_response(r) for r in responses],
        "quiz": [{"person": q.person, "question": q.question, "passed": q.passed} for q in quiz],
        "quiz_pass_rate": (
            round(insp.quiz_passed / insp.quiz_total, 4) if insp.quiz_total else None
        ),
        "checkin": _checkin(insp),
        "checkin_distance_m": insp.checkin_distance_m,
        "far_from_site": insp.far_from_site,
        "hazard_ids": [r.hazard_id for r in responses if r.hazard_id is not None],
        "coverage": {"answered": insp.answered_count, "applicable": insp.applicable_count},
        "note": insp.note,
        "created_at": insp.created_at,
    }


def _checkin(insp: Inspection) -> dict[str, Any] | None:
    if insp.checkin_latitude is None or insp.checkin_longitude is None:
        return None
    return {
        "latitude": insp.checkin_latitude,
        "longitude": insp.checkin_longitude,
        "accuracy_m": insp.checkin_accuracy_m,
    }


def _response(r: InspectionResponse) -> dict[str, Any]:
    return {
        "item_code": r.item_code,
        "result": r.result,
        "note": r.note,
        "device_failed": r.device_failed,
        "photo_ids": list(r.photo_ids),
        "hazard_id": r.hazard_id,
    }


async def list_inspections(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID | None,
    kind: str | None,
    started_from: datetime | None,
    started_to: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first; `from`/`to` bound `started_at` (from inclusive, to exclusive)."""
    where = [] if started_from is None else [Inspection.started_at >= started_from]
    if started_to is not None:
        where.append(Inspection.started_at < started_to)
    rows, nxt = await scoped_list(
        session,
        Inspection,
        actor=actor,
        permission=Permission.INSPECTION_READ,
        scope=scope_by_enterprise(actor, Inspection.enterprise_id),
        equal=[(Inspection.enterprise_id, enterprise_id), (Inspection.kind, kind)],
        where=where,
        order=[Inspection.started_at, Inspection.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return await shape_many(session, rows), nxt


async def visible_inspection(
    session: AsyncSession, *, actor: Actor, inspection_id: uuid.UUID
) -> Inspection | None:
    return await session.scalar(
        select(Inspection).where(
            Inspection.id == inspection_id, scope_by_enterprise(actor, Inspection.enterprise_id)
        )
    )


async def get_inspection(
    session: AsyncSession, *, actor: Actor, inspection_id: uuid.UUID
) -> dict[str, Any]:
    require_permission(actor, Permission.INSPECTION_READ)
    insp = await visible_inspection(session, actor=actor, inspection_id=inspection_id)
    if insp is None:
        raise NotFound("检查记录不存在", "Inspection not found")
    return (await shape_many(session, [insp]))[0]

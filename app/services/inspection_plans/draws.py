"""双随机 draws (plan §三(七)14: 对其他辖区工贸企业按一定比例开展日常巡查).

A draw is published when it is made and never changed: a draft that could be drawn again
would let anyone redraw until a favoured result came up. Its object and inspector pools are
stored as snapshots with the seed, so `verify` recomputes it from what was stored.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound, Unprocessable
from app.models.base import utcnow
from app.models.enterprise import Enterprise
from app.models.inspection_plan import InspectionDraw, InspectionPlanItem, KeyListEntry
from app.models.user import Role, User, UserGrid
from app.rules.draws import ALGORITHM, Candidate, DrawError, Inspector, run_draw, sample_size
from app.schemas.inspection_plan import DrawCreate
from app.services import audit
from app.services.insert_once import Replay, id_conflict, insert_once, replay_existing
from app.services.inspection_plans.plans import get_plan
from app.services.pagination import keyset_page
from app.services.policy import Actor

INSPECTOR_ROLES = (Role.street_office.value, Role.grid_staff.value)


async def _object_pool(
    session: AsyncSession, plan_id: uuid.UUID, data: DrawCreate
) -> list[dict[str, str]]:
    """Every enterprise not on the key list (covered in full anyway) and not excluded."""
    excluded = {e.enterprise_id for e in data.exclusions}
    known = set(await session.scalars(select(Enterprise.id).where(Enterprise.id.in_(excluded))))
    if unknown := sorted(str(e) for e in excluded - known):
        raise Unprocessable(
            "排除的企业不存在",
            "Unknown excluded enterprise",
            code="unknown_enterprise",
            extra={"unknown": unknown},
        )
    keyed = select(KeyListEntry.enterprise_id).where(KeyListEntry.plan_id == plan_id)
    stmt = select(Enterprise.id, Enterprise.grid_id).where(
        Enterprise.id.not_in(keyed), Enterprise.id.not_in(excluded)
    )
    rows = (await session.execute(stmt)).all()
    return sorted(({"id": str(e), "grid_id": str(g)} for e, g in rows), key=lambda r: r["id"])


async def _inspector_pool(
    session: AsyncSession, wanted: list[uuid.UUID] | None
) -> list[dict[str, Any]]:
    stmt = select(User.id).where(User.role.in_(INSPECTOR_ROLES), User.is_active.is_(True))
    if wanted is not None:
        stmt = stmt.where(User.id.in_(wanted))
    ids = set(await session.scalars(stmt))
    if wanted is not None and (bad := sorted(str(u) for u in set(wanted) - ids)):
        raise Unprocessable(
            "检查人员不存在、已停用或不是街道/网格人员",
            "Unknown, inactive or non-inspector users",
            code="unknown_inspector",
            extra={"unknown": bad},
        )
    grids: dict[uuid.UUID, list[str]] = {u: [] for u in ids}
    for uid, gid in await session.execute(
        select(UserGrid.user_id, UserGrid.grid_id).where(UserGrid.user_id.in_(ids))
    ):
        grids[uid].append(str(gid))
    return [{"id": str(u), "grid_ids": sorted(grids[u])} for u in sorted(ids, key=str)]


def compute(draw: InspectionDraw) -> list[dict[str, Any]]:
    """The draw's result from its stored snapshots and seed (what `verify` recomputes)."""
    pool = [Candidate(o["id"], o["grid_id"]) for o in draw.object_pool]
    inspectors = [Inspector(i["id"], frozenset(i["grid_ids"])) for i in draw.inspector_pool]
    pairs = run_draw(
        draw.seed,
        pool,
        inspectors,
        n=draw.drawn_count,
        per_enterprise=draw.inspectors_per_enterprise,
        avoid_own_grid=draw.avoid_own_grid,
    )
    return [
        {"enterprise_id": p.enterprise_id, "inspector_ids": list(p.inspector_ids)} for p in pairs
    ]


async def _check_item(session: AsyncSession, plan_id: uuid.UUID, item_id: uuid.UUID | None) -> None:
    if item_id is None:
        return
    item = await session.get(InspectionPlanItem, item_id)
    if item is None or item.plan_id != plan_id:
        raise Unprocessable(
            "检查事项不属于该计划",
            "Unknown plan item",
            code="unknown_plan_item",
            field=["body", "plan_item_id"],
        )


def _request_fields(data: DrawCreate) -> dict[str, Any]:
    return {
        "plan_item_id": data.plan_item_id,
        "count": data.count,
        # As stored (NUMERIC(5, 2)), so a re-sent "10" equals the stored 10.00.
        "ratio_percent": (
            data.ratio_percent.quantize(Decimal("0.01")) if data.ratio_percent is not None else None
        ),
        "inspectors_per_enterprise": data.inspectors_per_enterprise,
        "exclusions": [
            {"enterprise_id": str(e.enterprise_id), "reason": e.reason} for e in data.exclusions
        ],
        "witnesses": list(data.witnesses),
    }


def _replayer(plan_id: uuid.UUID, data: DrawCreate) -> Replay[InspectionDraw, InspectionDraw]:
    async def replay(existing: InspectionDraw) -> InspectionDraw:
        same = existing.plan_id == plan_id and all(
            audit.jsonable(getattr(existing, k)) == audit.jsonable(v)
            for k, v in _request_fields(data).items()
        )
        if not same or (data.seed is not None and data.seed != existing.seed):
            raise id_conflict("该 id 已用于另一次抽取", "Id already used by another draw")
        return existing

    return replay


async def create_draw(
    session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID, data: DrawCreate, settings: Settings
) -> tuple[InspectionDraw, bool]:
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    replay = _replayer(plan.id, data)
    if (existing := await replay_existing(session, InspectionDraw, data.id, replay)) is not None:
        return existing, False
    await _check_item(session, plan.id, data.plan_item_id)
    objects = await _object_pool(session, plan.id, data)
    drawn = sample_size(len(objects), count=data.count, ratio_percent=data.ratio_percent)
    fields = _request_fields(data)
    draw = InspectionDraw(
        id=data.id or uuid.uuid4(),
        plan_id=plan.id,
        algorithm=ALGORITHM,
        seed=data.seed or secrets.token_hex(16),
        drawn_count=drawn,
        avoid_own_grid=settings.draw_avoid_own_grid,
        object_pool=objects,
        inspector_pool=await _inspector_pool(session, data.inspector_ids),
        status="published",
        published_at=utcnow(),
        created_by=actor.user_id,
        result=[],
        **fields,
    )
    try:
        draw.result = compute(draw)
    except DrawError as exc:
        raise Unprocessable(
            f"无法完成抽取：{exc}", f"Cannot draw: {exc}", code="draw_impossible"
        ) from exc
    if (existing := await insert_once(session, draw, replay)) is not None:
        return existing, False
    _record(session, actor, draw)
    return draw, True


def _record(session: AsyncSession, actor: Actor, draw: InspectionDraw) -> None:
    summary = {
        "plan_id": draw.plan_id,
        "algorithm": draw.algorithm,
        "seed": draw.seed,
        "pool": len(draw.object_pool),
        "drawn": draw.drawn_count,
        "inspectors": len(draw.inspector_pool),
    }
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="inspection_draw",
        object_id=draw.id,
        changes=audit.diff({}, summary),
    )
    audit.emit(
        session,
        topic="inspection_draw.published",
        object_type="inspection_draw",
        object_id=draw.id,
        payload={"plan_id": str(draw.plan_id), "drawn": draw.drawn_count},
    )


async def get_draw(
    session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID, draw_id: uuid.UUID
) -> InspectionDraw:
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    draw = await session.get(InspectionDraw, draw_id)
    if draw is None or draw.plan_id != plan.id:
        raise NotFound("抽取记录不存在", "Draw not found")
    return draw


async def list_draws(
    session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[InspectionDraw], str | None]:
    plan = await get_plan(session, actor=actor, plan_id=plan_id)
    stmt = select(InspectionDraw).where(InspectionDraw.plan_id == plan.id)
    return await keyset_page(
        session,
        stmt,
        order=[InspectionDraw.created_at, InspectionDraw.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


async def verify_draw(
    session: AsyncSession, *, actor: Actor, plan_id: uuid.UUID, draw_id: uuid.UUID
) -> dict[str, Any]:
    draw = await get_draw(session, actor=actor, plan_id=plan_id, draw_id=draw_id)
    try:
        again = compute(draw)
    except DrawError:
        again = []
    return {
        "draw_id": draw.id,
        "algorithm": draw.algorithm,
        "matches": draw.algorithm == ALGORITHM and again == draw.result,
        "recomputed": again,
    }


__all__ = ["create_draw", "get_draw", "list_draws", "verify_draw"]

"""公布、曝光 (plan §三(七)14 集中挂牌、公布、曝光一批重大事故隐患; §四(四) 定期曝光典型执法
案例): the street office publishes selected 挂牌督办 major hazards and enforcement cases.

Nothing is public until published; the public view carries the enterprise's name, the item,
its basis, the deadline and the status — never a person's name or phone (PIPL minimisation:
the hazard's responsible person, reporter and inspectors stay out).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, Unprocessable
from app.models.base import utcnow
from app.models.disclosure import DISCLOSURE_KIND_LABELS, Disclosure, DisclosureKind
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.schemas.plan_records import DisclosureCreate
from app.services import audit, meta
from app.services.hazards.labels import STATUS_LABELS
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, require_permission

meta.register("disclosure_kind", {k.value: v for k, v in DISCLOSURE_KIND_LABELS.items()})


def _refuse(zh: str, en: str, loc: str) -> Unprocessable:
    return Unprocessable(zh, en, code="not_disclosable", field=["body", loc])


def _basis_text(hazard: Hazard) -> str:
    codes = (hazard.basis or {}).get("item_codes") or []
    if codes:
        return f"《工贸企业重大事故隐患判定标准》第{'、'.join(codes)}项"
    return "《工贸企业重大事故隐患判定标准》"


async def _hazard_fields(session: AsyncSession, data: DisclosureCreate) -> dict[str, Any]:
    hazard = await session.get(Hazard, data.hazard_id) if data.hazard_id else None
    if hazard is None:
        raise _refuse("隐患不存在", "Unknown hazard", "hazard_id")
    if hazard.level != "major" or not hazard.supervised:
        raise _refuse(
            "只能公布挂牌督办的重大事故隐患", "Only supervised major hazards", "hazard_id"
        )
    return {
        "enterprise_id": hazard.enterprise_id,
        "hazard_id": hazard.id,
        "item": data.item or hazard.description,
        "basis": data.basis or _basis_text(hazard),
        "deadline": data.deadline or hazard.deadline,
    }


async def _fields(session: AsyncSession, data: DisclosureCreate) -> dict[str, Any]:
    if data.kind == DisclosureKind.major_hazard:
        fields = await _hazard_fields(session, data)
    else:
        if data.enterprise_id is None or not data.item or not data.basis:
            raise _refuse(
                "典型执法案例须填写 enterprise_id、item 和 basis",
                "An enforcement case needs enterprise_id, item and basis",
                "enterprise_id",
            )
        fields = {
            "enterprise_id": data.enterprise_id,
            "hazard_id": None,
            "item": data.item,
            "basis": data.basis,
            "deadline": data.deadline,
        }
    ent = await session.get(Enterprise, fields["enterprise_id"])
    if ent is None:
        raise _refuse("企业不存在", "Unknown enterprise", "enterprise_id")
    return {
        **fields,
        "kind": data.kind.value,
        "enterprise_name": ent.name,
        "case_status": data.case_status,
    }


async def publish_new(
    session: AsyncSession, *, actor: Actor, data: DisclosureCreate
) -> tuple[Disclosure, bool]:
    """Create a disclosure and publish it at once (the office selects what goes out)."""
    require_permission(actor, Permission.PLAN_MANAGE)

    async def replay(old: Disclosure) -> Disclosure:
        if old.kind != data.kind.value or old.hazard_id != data.hazard_id:
            raise id_conflict("该 id 已用于另一条公布")
        return old

    if (stored := await replay_existing(session, Disclosure, data.id, replay)) is not None:
        return stored, False
    fields = await _fields(session, data)
    row = Disclosure(
        id=data.id or uuid.uuid4(), created_by=actor.user_id, published_at=utcnow(), **fields
    )
    if (stored := await insert_once(session, row, replay)) is not None:
        return stored, False
    _record(session, actor, row, "publish", audit.diff({}, fields))
    return row, True


def _record(
    session: AsyncSession, actor: Actor, row: Disclosure, action: str, changes: dict[str, Any]
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="disclosure",
        object_id=row.id,
        changes=changes,
    )
    audit.emit(
        session,
        topic=f"disclosure.{action}ed",
        object_type="disclosure",
        object_id=row.id,
        payload={"kind": row.kind},
    )


async def set_published(
    session: AsyncSession, *, actor: Actor, disclosure_id: uuid.UUID, published: bool
) -> Disclosure:
    require_permission(actor, Permission.PLAN_MANAGE)
    row = await session.get(Disclosure, disclosure_id)
    if row is None:
        raise NotFound("公布记录不存在", "Disclosure not found")
    if (row.unpublished_at is None) == published:
        return row  # already so: the same answer again
    before = {"published": not published}
    if published:
        row.published_at, row.unpublished_at = utcnow(), None
    else:
        row.unpublished_at = utcnow()
    await session.flush()
    _record(
        session,
        actor,
        row,
        "publish" if published else "unpublish",
        audit.diff(before, {"published": published}),
    )
    return row


async def _status(session: AsyncSession, rows: list[Disclosure]) -> dict[uuid.UUID, str]:
    ids = [r.hazard_id for r in rows if r.hazard_id]
    live: dict[uuid.UUID, str] = {}
    if ids:
        stmt = select(Hazard.id, Hazard.status).where(Hazard.id.in_(ids))
        for hid, status in (await session.execute(stmt)).all():
            live[hid] = status
    return {
        r.id: STATUS_LABELS.get(live.get(r.hazard_id, ""), "")
        if r.hazard_id
        else (r.case_status or "")
        for r in rows
    }


async def shape(session: AsyncSession, rows: list[Disclosure]) -> list[dict[str, Any]]:
    status = await _status(session, rows)
    keys = (
        "id",
        "kind",
        "enterprise_id",
        "hazard_id",
        "enterprise_name",
        "item",
        "basis",
        "deadline",
        "published_at",
        "unpublished_at",
    )
    return [{**{k: getattr(r, k) for k in keys}, "status": status[r.id]} for r in rows]


async def list_disclosures(
    session: AsyncSession, *, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    require_permission(actor, Permission.PLAN_MANAGE)
    rows, nxt = await keyset_page(
        session,
        select(Disclosure),
        order=[Disclosure.created_at, Disclosure.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return await shape(session, rows), nxt


async def public_list(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Anonymous: what is published now, newest first."""
    stmt = select(Disclosure).where(
        Disclosure.published_at.is_not(None), Disclosure.unpublished_at.is_(None)
    )
    rows, nxt = await keyset_page(
        session,
        stmt,
        order=[Disclosure.published_at, Disclosure.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return await shape(session, rows), nxt

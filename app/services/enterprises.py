"""Enterprises (工贸企业): the ledger, scoped by `policy.enterprise_scope`."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    column,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.user import Role
from app.rules.uscc import is_valid_uscc
from app.schemas.enterprise import HEAD_EDITABLE_FIELDS, EnterpriseCreate, EnterpriseUpdate
from app.services import audit
from app.services.insert_once import Replay, id_conflict, insert_once, replay_existing
from app.services.listing import scoped_list
from app.services.policy import Actor, Permission, enterprise_scope, require_permission


def has_feature(session: AsyncSession, feature: str) -> ColumnElement[bool]:
    """`features` contains `feature`: JSONB containment on PostgreSQL, json_each on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return type_coerce(Enterprise.features, JSONB).contains([feature])
    values = func.json_each(Enterprise.features).table_valued("value")
    return exists(select(literal(1)).select_from(values).where(column("value") == feature))


def has_any_feature(session: AsyncSession, features: list[str]) -> ColumnElement[bool]:
    return or_(false(), *(has_feature(session, f) for f in features))


def in_key_industry(session: AsyncSession, settings: Settings) -> ColumnElement[bool]:
    """方案 三(六)11 工贸重点行业领域 membership, from the configured features/sectors/tiers."""
    return or_(
        Enterprise.sector.in_(settings.key_industry_sectors),
        Enterprise.tier.in_(settings.key_industry_tiers),
        has_any_feature(session, settings.key_industry_features),
    )


async def list_enterprises(
    session: AsyncSession,
    *,
    actor: Actor,
    grid_id: uuid.UUID | None = None,
    tier: str | None = None,
    sector: str | None = None,
    feature: str | None = None,
    q: str | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Enterprise], str | None]:
    where = [has_feature(session, feature)] if feature else []
    if q:
        where.append(Enterprise.name.contains(q, autoescape=True))
    return await scoped_list(
        session,
        Enterprise,
        actor=actor,
        permission=Permission.ENTERPRISE_READ,
        scope=enterprise_scope(actor),
        equal=[(Enterprise.grid_id, grid_id), (Enterprise.tier, tier), (Enterprise.sector, sector)],
        where=where,
        order=[Enterprise.name, Enterprise.id],
        limit=limit,
        cursor=cursor,
    )


async def get_enterprise(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, for_update: bool = False
) -> Enterprise:
    """The enterprise if the actor may see it; 404 otherwise (never reveals foreign ones)."""
    require_permission(actor, Permission.ENTERPRISE_READ)
    stmt = select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_scope(actor))
    if for_update:
        stmt = stmt.with_for_update()
    ent = await session.scalar(stmt)
    if ent is None:
        raise NotFound("企业不存在", "Enterprise not found")
    return ent


async def visible_enterprise(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID
) -> Enterprise:
    """For other domains: the enterprise a record belongs to, scoped like a read."""
    ent = await session.scalar(
        select(Enterprise).where(Enterprise.id == enterprise_id, enterprise_scope(actor))
    )
    if ent is None:
        raise NotFound("企业不存在", "Enterprise not found")
    return ent


async def _validate(session: AsyncSession, fields: dict[str, Any]) -> None:
    if "standardization_required" in fields and fields["standardization_required"] is None:
        raise Unprocessable(
            "standardization_required 不能为空",
            "standardization_required may not be null",
            field=["body", "standardization_required"],
        )
    uscc = fields.get("uscc")
    if uscc is not None and not is_valid_uscc(uscc):
        raise Unprocessable(
            "统一社会信用代码校验失败（GB 32100-2015）",
            "Invalid unified social credit code (GB 32100-2015 check character)",
            code="invalid_uscc",
            field=["body", "uscc"],
        )
    if "grid_id" in fields and await session.get(Grid, fields["grid_id"]) is None:
        raise Unprocessable(
            "网格不存在", "Unknown grid", code="unknown_grid", field=["body", "grid_id"]
        )
    landlord = fields.get("landlord_id")
    if landlord is not None and await session.get(Enterprise, landlord) is None:
        raise Unprocessable(
            "出租方企业不存在",
            "Unknown landlord enterprise",
            code="unknown_enterprise",
            field=["body", "landlord_id"],
        )


def _duplicate_uscc() -> Conflict:
    return Conflict("统一社会信用代码已登记", "USCC already registered", code="duplicate_uscc")


async def _flush(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise _duplicate_uscc() from exc


def _replayer(data: EnterpriseCreate) -> Replay[Enterprise, Enterprise]:
    async def replay(existing: Enterprise) -> Enterprise:
        if existing.name != data.name or existing.grid_id != data.grid_id:
            raise id_conflict("该 id 已用于另一企业", "Id already used")
        return existing

    return replay


def _snapshot(ent: Enterprise, keys: Any) -> dict[str, Any]:
    return {k: getattr(ent, k) for k in keys}


async def create_enterprise(
    session: AsyncSession, *, actor: Actor, data: EnterpriseCreate
) -> tuple[Enterprise, bool]:
    require_permission(actor, Permission.ENTERPRISE_CREATE)
    fields = data.model_dump(exclude_unset=True, exclude={"id"})
    fields["features"] = sorted({f.value for f in data.features})
    replay = _replayer(data)
    if (stored := await replay_existing(session, Enterprise, data.id, replay)) is not None:
        return stored, False
    await _validate(session, fields)
    ent = Enterprise(id=data.id or uuid.uuid4(), **fields)
    if stored := await insert_once(session, ent, replay, other_conflict=_duplicate_uscc()):
        return stored, False
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="enterprise",
        object_id=ent.id,
        changes=audit.diff({}, fields),
    )
    audit.emit(session, topic="enterprise.created", object_type="enterprise", object_id=ent.id)
    return ent, True


async def update_enterprise(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    data: EnterpriseUpdate,
    if_match: int | None = None,
) -> Enterprise:
    require_permission(actor, Permission.ENTERPRISE_UPDATE)
    fields = data.model_dump(exclude_unset=True)
    ent = await get_enterprise(session, actor=actor, enterprise_id=enterprise_id, for_update=True)
    _check_editable(actor, fields)
    if if_match is not None and if_match != ent.version:
        raise PreconditionFailed()
    _normalise_update(fields)
    await _validate(session, fields)
    before = _snapshot(ent, fields)
    for key, value in fields.items():
        setattr(ent, key, value)
    await _flush(session)
    changes = audit.diff(before, fields)
    audit.record_update(
        session,
        actor=actor,
        object_type="enterprise",
        object_id=ent.id,
        changes=changes,
        payload={"fields": sorted(changes)},
    )
    return ent


def _check_editable(actor: Actor, fields: dict[str, Any]) -> None:
    """An enterprise head edits only its own contact fields (`HEAD_EDITABLE_FIELDS`)."""
    if actor.role != Role.enterprise_head:
        return
    refused = sorted(set(fields) - HEAD_EDITABLE_FIELDS)
    if refused:
        raise Forbidden(
            f"企业负责人不能修改字段：{', '.join(refused)}",
            f"Enterprise heads may not change: {', '.join(refused)}",
            code="field_forbidden",
            extra={"fields": refused},
        )


def _normalise_update(fields: dict[str, Any]) -> None:
    """Features as a sorted set; a field that is required on create may not be nulled."""
    if "features" in fields and fields["features"] is not None:
        fields["features"] = sorted({str(f) for f in fields["features"]})
    for required in ("name", "grid_id", "tier", "sector", "features"):
        if required in fields and fields[required] is None:
            raise Unprocessable(
                f"{required} 不能为空", f"{required} may not be null", field=["body", required]
            )

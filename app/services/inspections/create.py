"""Filing an inspection: checks, responses, quiz, check-in — and each `fail` becomes a hazard.

Rules applied here:
- who files which kind: `policy.require_inspection_kind`;
- every item code exists in the current standard version and applies to the enterprise
  (422 naming each bad code, `determination.check_item_codes`);
- each `fail` is a major hazard (应急管理部令第10号; 第十四条 when `device_failed`), created in
  the same transaction through `create_hazard`, status `reported`, linked to the inspection;
- 主要负责人带队检查 is led by the principal and carries quiz records (plan §三(三)4:
  主要负责人每季度至少带队检查1次…要在检查中开展逢查必考、逢查必问工作);
- an offline re-send (same id, same body) returns the stored inspection and creates nothing;
  a different body under that id is 409.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable
from app.models.enterprise import Enterprise
from app.models.hazard import HazardCategory, HazardSource
from app.models.inspection import (
    INSPECTION_KIND_LABELS,
    RESPONSE_RESULT_LABELS,
    Inspection,
    InspectionKind,
    InspectionQuiz,
    InspectionResponse,
    ResponseResult,
)
from app.models.upload import Upload
from app.models.user import Role
from app.rules.geo import haversine_m
from app.rules.standard import StandardItem, StandardVersion, applicable_items, find_item
from app.schemas.inspection import InspectionCreate, ResponseIn
from app.services import audit, meta, standards
from app.services.determination import check_item_codes, determine
from app.services.enterprises import visible_enterprise
from app.services.hazards.create import NewHazard, create_hazard
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.inspection_plans.caps import check_plan_links
from app.services.inspections.queries import shape_many, visible_inspection
from app.services.policy import Actor, require_inspection_kind

meta.register("inspection_kind", {k.value: v for k, v in INSPECTION_KIND_LABELS.items()})
meta.register("inspection_result", {k.value: v for k, v in RESPONSE_RESULT_LABELS.items()})

PLAN_REF = "《治本攻坚三年行动实施方案》§三(三)4 逢查必考、逢查必问"

# The hazard's source is the inspection kind; 帮扶指导 has no source of its own (brief §2).
_SOURCE = {
    InspectionKind.self_check: HazardSource.self_check,
    InspectionKind.principal_check: HazardSource.principal_check,
    InspectionKind.grid_patrol: HazardSource.grid_patrol,
    InspectionKind.enforcement: HazardSource.enforcement,
    InspectionKind.assistance: HazardSource.other,
}
# A default hazard category by what selects the item (data, not a branch per item).
_CATEGORY_BY_RULE = {
    ("feature", "dust_explosion"): HazardCategory.dust,
    ("feature", "ammonia_refrigeration"): HazardCategory.ammonia,
    ("feature", "confined_space"): HazardCategory.confined_space,
    ("feature", "metal_smelting"): HazardCategory.management,
    ("all", None): HazardCategory.management,
}


def body_hash(data: InspectionCreate) -> str:
    """SHA-256 of the canonical body (defaults filled, keys sorted, times in UTC), id excluded."""
    body = data.model_dump(mode="json", exclude={"id"})
    # Issue 14's plan links only when set: bodies filed before them keep their hash.
    for key, default in (("plan_item_id", None), ("draw_id", None), ("trigger", "routine")):
        if body.get(key) == default:
            body.pop(key, None)
    canonical = json.dumps(
        body,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same_person(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def _principal_errors(actor: Actor, ent: Enterprise, data: InspectionCreate) -> list[Any]:
    """plan §三(三)4: led by the principal head, and 逢查必考、逢查必问 on record."""
    errors: list[dict[str, Any]] = []

    def err(loc: str, msg: str, kind: str) -> None:
        errors.append({"loc": ["body", loc], "msg": msg, "type": kind})

    principal = ent.principal_name
    if actor.role == Role.enterprise_head:
        # Filed by the enterprise's own head account: counts as led by the principal.
        if data.led_by and principal and not _same_person(data.led_by, principal):
            err("led_by", f"带队人须为企业主要负责人（{principal}）", "not_led_by_principal")
    elif not data.led_by:
        err("led_by", "主要负责人带队检查须填写带队人 led_by", "led_by_required")
    elif not principal:
        err("led_by", "企业未登记主要负责人，无法确认带队人", "principal_not_recorded")
    elif not _same_person(data.led_by, principal):
        err("led_by", "带队人与企业登记的主要负责人不一致", "not_led_by_principal")
    if not data.quiz:
        err("quiz", "主要负责人带队检查须至少有一条考问记录（逢查必考、逢查必问）", "quiz_required")
    return errors


def _check_body(
    actor: Actor, ent: Enterprise, standard: StandardVersion, data: InspectionCreate
) -> None:
    if data.kind == InspectionKind.principal_check:
        errors = _principal_errors(actor, ent, data)
        if errors:
            raise Unprocessable(
                f"主要负责人带队检查不符合要求：须由主要负责人带队并开展考问（{PLAN_REF}）",
                "A principal check must be led by the enterprise's principal head and carry at "
                "least one quiz record (plan §三(三)4)",
                code="principal_check_invalid",
                extra={"errors": errors, "basis": PLAN_REF},
            )
    seen: set[str] = set()
    for i, r in enumerate(data.responses):
        if r.item_code in seen:
            raise Unprocessable(
                f"条目 {r.item_code} 重复作答",
                f"Item {r.item_code} answered twice",
                code="duplicate_item_code",
                field=["body", "responses", i, "item_code"],
            )
        seen.add(r.item_code)
        if r.device_failed and r.result != ResponseResult.failed:
            raise Unprocessable(
                "device_failed（第十四条）只能与 fail 一同使用",
                "device_failed applies to a failed item only",
                code="device_failed_needs_fail",
                field=["body", "responses", i, "device_failed"],
            )
    codes = [r.item_code for r in data.responses]
    check_item_codes(standard, ent, codes, loc="responses", item_field="item_code")


async def _check_photos(
    session: AsyncSession, actor: Actor, ent: Enterprise, data: InspectionCreate
) -> None:
    """Each photo is an upload of this enterprise, or the caller's own not yet attached one
    (then it becomes this enterprise's), so an id cannot pull a foreign photo into view."""
    wanted = {p for r in data.responses for p in r.photo_ids}
    if not wanted:
        return
    uploads = {u.id: u for u in await session.scalars(select(Upload).where(Upload.id.in_(wanted)))}
    for i, r in enumerate(data.responses):
        for j, pid in enumerate(r.photo_ids):
            up = uploads.get(pid)
            own = up is not None and (
                up.enterprise_id == ent.id
                or (up.enterprise_id is None and up.uploaded_by == actor.user_id)
            )
            if not own:
                raise Unprocessable(
                    "照片不存在或不属于该企业",
                    "Unknown photo, or a photo of another enterprise",
                    code="photo_not_attachable",
                    field=["body", "responses", i, "photo_ids", j],
                )
    for up in uploads.values():
        up.enterprise_id = ent.id


def _checkin(ent: Enterprise, data: InspectionCreate, radius_m: float) -> dict[str, Any]:
    c = data.checkin
    if c is None:
        return {}
    out: dict[str, Any] = {
        "checkin_latitude": c.latitude,
        "checkin_longitude": c.longitude,
        "checkin_accuracy_m": c.accuracy_m,
    }
    if ent.latitude is not None and ent.longitude is not None:
        # Both GCJ-02 (see app.rules.geo), so the distance is sound without conversion.
        distance = haversine_m(c.latitude, c.longitude, ent.latitude, ent.longitude)
        out["checkin_distance_m"] = round(distance, 1)
        out["far_from_site"] = distance > radius_m
    return out


async def _replay(
    session: AsyncSession, *, actor: Actor, existing: Inspection, digest: str
) -> dict[str, Any]:
    visible = await visible_inspection(session, actor=actor, inspection_id=existing.id)
    if visible is None or existing.body_hash != digest:
        raise id_conflict("该 id 已用于另一检查记录", "Id already used by another inspection")
    return (await shape_many(session, [existing]))[0]


async def create_inspection(
    session: AsyncSession, *, actor: Actor, data: InspectionCreate, checkin_radius_m: float
) -> tuple[dict[str, Any], bool]:
    """File an inspection; `False` (and the stored view) for an identical re-send."""
    require_inspection_kind(actor, data.kind)
    digest = body_hash(data)

    async def replay(existing: Inspection) -> dict[str, Any]:
        return await _replay(session, actor=actor, existing=existing, digest=digest)

    if (stored := await replay_existing(session, Inspection, data.id, replay)) is not None:
        return stored, False
    ent = await visible_enterprise(session, actor=actor, enterprise_id=data.enterprise_id)
    standard = await standards.current(session)
    _check_body(actor, ent, standard, data)
    await _check_photos(session, actor, ent, data)
    insp = _build(actor, ent, standard, data, digest, checkin_radius_m)
    insp.plan_item_id = await check_plan_links(
        session,
        enterprise_id=ent.id,
        plan_item_id=data.plan_item_id,
        draw_id=data.draw_id,
        trigger=data.trigger.value,
        started_at=data.started_at,
    )
    if (stored := await insert_once(session, insp, replay)) is not None:
        return stored, False
    hazard_ids = await _children(session, actor, ent, standard, insp, data)
    _record(session, actor, insp, hazard_ids)
    await session.flush()
    return (await shape_many(session, [insp]))[0], True


def _build(
    actor: Actor,
    ent: Enterprise,
    standard: StandardVersion,
    data: InspectionCreate,
    digest: str,
    radius_m: float,
) -> Inspection:
    applicable = applicable_items(standard, sector=ent.sector, features=ent.features)
    principal = data.kind == InspectionKind.principal_check
    return Inspection(
        id=data.id or uuid.uuid4(),
        enterprise_id=ent.id,
        kind=data.kind.value,
        started_at=data.started_at,
        finished_at=data.finished_at,
        led_by=data.led_by or (ent.principal_name if principal else None),
        inspectors=list(data.inspectors),
        filed_by=actor.user_id,
        filed_by_role=actor.role.value,
        standard_version=standard.version,
        applicable_count=len(applicable),
        answered_count=len(data.responses),
        quiz_total=len(data.quiz),
        quiz_passed=sum(1 for q in data.quiz if q.passed),
        note=data.note,
        draw_id=data.draw_id,
        trigger=data.trigger.value,
        body_hash=digest,
        **_checkin(ent, data, radius_m),
    )


def _record(
    session: AsyncSession, actor: Actor, insp: Inspection, hazard_ids: list[uuid.UUID]
) -> None:
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type="inspection",
        object_id=insp.id,
        changes={
            "enterprise_id": insp.enterprise_id,
            "kind": insp.kind,
            "standard_version": insp.standard_version,
            "answered": insp.answered_count,
            "hazard_ids": hazard_ids,
        },
    )
    audit.emit(
        session,
        topic="inspection.created",
        object_type="inspection",
        object_id=insp.id,
        payload={
            "enterprise_id": insp.enterprise_id,
            "kind": insp.kind,
            "hazards": len(hazard_ids),
        },
    )


async def _children(
    session: AsyncSession,
    actor: Actor,
    ent: Enterprise,
    standard: StandardVersion,
    insp: Inspection,
    data: InspectionCreate,
) -> list[uuid.UUID]:
    hazard_ids: list[uuid.UUID] = []
    for pos, r in enumerate(data.responses):
        hazard_id = None
        if r.result == ResponseResult.failed:
            hazard_id = await _hazard_for(session, actor, ent, standard, insp, r)
            hazard_ids.append(hazard_id)
        session.add(
            InspectionResponse(
                inspection_id=insp.id,
                item_code=r.item_code,
                position=pos,
                result=r.result.value,
                note=r.note,
                device_failed=r.device_failed,
                photo_ids=[str(p) for p in r.photo_ids],
                hazard_id=hazard_id,
            )
        )
    for pos, q in enumerate(data.quiz):
        session.add(
            InspectionQuiz(
                inspection_id=insp.id,
                position=pos,
                person=q.person,
                question=q.question,
                passed=q.passed,
            )
        )
    await session.flush()
    return hazard_ids


async def _hazard_for(
    session: AsyncSession,
    actor: Actor,
    ent: Enterprise,
    standard: StandardVersion,
    insp: Inspection,
    r: ResponseIn,
) -> uuid.UUID:
    """A failed item is a major hazard (第10号令; + 第十四条 if its device failed)."""
    item = find_item(standard, r.item_code)
    assert item is not None  # checked by check_item_codes
    determination = determine(
        actor=actor,
        enterprise=ent,
        item_codes=[r.item_code],
        device_failed=r.device_failed,
        standard=standard,
    )
    hazard, _ = await create_hazard(
        session,
        actor=actor,
        enterprise=ent,
        data=NewHazard(
            description=_description(item, r),
            category=(r.category or _default_category(item)).value,
            source=_SOURCE[InspectionKind(insp.kind)].value,
            determination=determination,
            photo_ids=list(r.photo_ids),
            inspection_id=insp.id,
        ),
    )
    return hazard.id


def _default_category(item: StandardItem) -> HazardCategory:
    if item.rule.kind == "sector":
        return HazardCategory.equipment  # the sector articles are about plant and its alarms
    return _CATEGORY_BY_RULE.get((item.rule.kind, item.rule.value), HazardCategory.other)


def _description(item: StandardItem, r: ResponseIn) -> str:
    text = f"【{item.code}】{item.text}"
    if r.device_failed:
        text += "（第十四条：相关监控、报警、防护设施失效或无效）"
    if r.note:
        text += f"\n{r.note}"
    return text[:4000]

"""Creating a hazard (全部上账): from the API, from an inspection's `fail`, from a triaged report.

`create_hazard` is the one entry point every source uses, so each hazard gets its ledger
number, its first history row (`create`), an audit row and a `hazard.created` event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard, HazardSource, HazardStatus, PhotoKind
from app.models.user import Role
from app.rules.levels import HazardLevel
from app.schemas.hazard import HazardCreate
from app.services import audit, standards
from app.services.determination import Basis, Determination, determine
from app.services.enterprises import visible_enterprise
from app.services.hazards.common import (
    OBJECT_TYPE,
    add_history,
    attach_photos,
    next_ledger_no,
    now_utc,
)
from app.services.hazards.events import hazard_payload
from app.services.insert_once import Replay, id_conflict, insert_once, replay_existing
from app.services.policy import Actor, Permission, require_hazard_source, require_permission


@dataclass(frozen=True)
class NewHazard:
    """What a new hazard is made of, whatever the source."""

    description: str
    category: str
    source: str
    determination: Determination
    id: uuid.UUID | None = None
    location: str | None = None
    hazard_type: str | None = None
    photo_ids: list[uuid.UUID] = field(default_factory=list)
    inspection_id: uuid.UUID | None = None
    fixed_on_spot: bool = False
    evidence: str | None = None
    # Whose side found it (a Role value); defaults to the actor's role. Decides who verifies
    # a general hazard (brief §3).
    found_by_role: str | None = None
    production_suspended: bool = False


def _same_content(existing: Hazard, enterprise: Enterprise, data: NewHazard) -> bool:
    return (
        existing.enterprise_id == enterprise.id
        and existing.description == data.description
        and existing.category == data.category
        and existing.source == data.source
        and existing.location == data.location
        and existing.inspection_id == data.inspection_id
    )


def _check_fixed_on_spot(data: NewHazard) -> None:
    """即查即改: general hazards only, and only with evidence of the fix."""
    if not data.fixed_on_spot:
        return
    if data.determination.level != HazardLevel.general:
        raise Unprocessable(
            "重大事故隐患不能即查即改，须制定整改方案并由街道安委办验收销号",
            "A major hazard cannot be fixed on the spot",
            code="fixed_on_spot_major",
            field=["body", "fixed_on_spot"],
        )
    if not (data.evidence and data.evidence.strip()):
        raise Unprocessable(
            "即查即改须填写整改佐证 evidence",
            "evidence is required when fixed_on_spot is true",
            code="evidence_required",
            field=["body", "evidence"],
        )


def _replayer(enterprise: Enterprise, data: NewHazard) -> Replay[Hazard, Hazard]:
    async def replay(existing: Hazard) -> Hazard:
        if not _same_content(existing, enterprise, data):
            raise id_conflict("该 id 已用于另一条隐患", "Id already used")
        return existing

    return replay


async def create_hazard(
    session: AsyncSession, *, actor: Actor | None, enterprise: Enterprise, data: NewHazard
) -> tuple[Hazard, bool]:
    """Write the hazard in the caller's transaction (flush only); `False` for a re-sent id.
    The caller has already checked the actor's permission and its scope over `enterprise`."""
    replay = _replayer(enterprise, data)
    if (stored := await replay_existing(session, Hazard, data.id, replay)) is not None:
        return stored, False
    _check_fixed_on_spot(data)
    hazard = await _build(session, actor=actor, enterprise=enterprise, data=data)
    if (stored := await insert_once(session, hazard, replay)) is not None:
        return stored, False
    await attach_photos(
        session, hazard, actor=actor, photo_ids=data.photo_ids, kind=PhotoKind.found.value
    )
    await add_history(
        session,
        hazard,
        actor=actor,
        action="create",
        from_status=None,
        data={"fixed_on_spot": data.fixed_on_spot, "level": hazard.level},
    )
    await _record_created(session, actor, hazard)
    await session.flush()
    return hazard, True


async def _record_created(session: AsyncSession, actor: Actor | None, hazard: Hazard) -> None:
    changes = {"ledger_no": hazard.ledger_no, "status": hazard.status, "level": hazard.level}
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type=OBJECT_TYPE,
        object_id=hazard.id,
        changes=changes,
    )
    audit.emit(
        session,
        topic="hazard.created",
        object_type=OBJECT_TYPE,
        object_id=hazard.id,
        payload=await hazard_payload(session, hazard),
    )


async def _build(
    session: AsyncSession, *, actor: Actor | None, enterprise: Enterprise, data: NewHazard
) -> Hazard:
    now = now_utc()
    status = HazardStatus.closed if data.fixed_on_spot else HazardStatus.reported
    is_major = data.determination.level == HazardLevel.major
    hazard = Hazard(
        id=data.id or uuid.uuid4(),
        ledger_no=await next_ledger_no(session),
        enterprise_id=enterprise.id,
        source=data.source,
        description=data.description,
        location=data.location,
        category=data.category,
        hazard_type=data.hazard_type,
        level=data.determination.level.value,
        basis=data.determination.basis.as_json(),
        status=status.value,
        fixed_on_spot=data.fixed_on_spot,
        found_at=now,
        found_by=actor.user_id if actor else None,
        found_by_role=data.found_by_role or (actor.role.value if actor else None),
        inspection_id=data.inspection_id,
        evidence=data.evidence if data.fixed_on_spot else None,
        production_suspended=data.production_suspended and is_major,
        supervised=False,
    )
    if data.fixed_on_spot:
        hazard.verified_at = hazard.closed_at = now
        hazard.verified_by = actor.user_id if actor else None
    return hazard


# Source of a hazard registered directly through the API, by the registering side.
_DEFAULT_SOURCE = {
    Role.enterprise_head: HazardSource.self_check,
    Role.grid_staff: HazardSource.grid_patrol,
    Role.street_office: HazardSource.enforcement,
}


async def _determination(
    session: AsyncSession, actor: Actor, enterprise: Enterprise, body: HazardCreate
) -> Determination:
    if body.id is not None and await session.get(Hazard, body.id) is not None:
        return Determination(HazardLevel.general, Basis(None))  # replay: not re-judged
    return determine(
        actor=actor,
        enterprise=enterprise,
        item_codes=body.item_codes,
        requested_level=body.level,
        level_reason=body.level_reason,
        device_failed=body.device_failed,
        standard=await standards.current(session),
    )


async def create_via_api(
    session: AsyncSession, *, actor: Actor, body: HazardCreate
) -> tuple[Hazard, bool]:
    """`POST /api/v1/hazards`: scope, level by the rules (brief §7), then `create_hazard`."""
    require_permission(actor, Permission.HAZARD_CREATE)
    enterprise = await visible_enterprise(session, actor=actor, enterprise_id=body.enterprise_id)
    if body.source in (HazardSource.public_report, HazardSource.permit_check):
        raise Unprocessable(
            "群众举报须经举报分拣转为隐患；作业票监测隐患由作业票自动登记",
            "Public reports become hazards through triage",
            code="source_not_allowed",
            field=["body", "source"],
        )
    determination = await _determination(session, actor, enterprise, body)
    source = (body.source or _DEFAULT_SOURCE.get(actor.role, HazardSource.other)).value
    require_hazard_source(actor, source)
    data = NewHazard(
        id=body.id,
        description=body.description,
        category=body.category.value,
        location=body.location,
        hazard_type=body.hazard_type.value if body.hazard_type else None,
        source=source,
        determination=determination,
        photo_ids=list(body.photo_ids),
        fixed_on_spot=body.fixed_on_spot,
        evidence=body.evidence,
        production_suspended=body.production_suspended,
    )
    return await create_hazard(session, actor=actor, enterprise=enterprise, data=data)

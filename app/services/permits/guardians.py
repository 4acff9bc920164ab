"""Guardians on site (监护人, and the 监火人 of hot work): checking in and leaving.
13号令 art. 15: the guardian watches throughout and may not leave; GB 30871-2022 4.10f: if
they must, the work stops. So the last guardian leaving suspends an active permit, and
leaving while people are inside a confined space is a violation (13.2 when nobody else guards)."""

from __future__ import annotations

import uuid

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.permit import Permit
from app.models.permit import PermitStatus as S
from app.models.permit_records import EntryLog, PermitPerson, PermitViolation
from app.rules.permits.hotwork import watch_role
from app.rules.permits.kinds import PermitType
from app.schemas.permit import PersonRef
from app.services import audit
from app.services.permits import guards, violations
from app.services.permits.actions import with_reason
from app.services.permits.errors import refuse
from app.services.permits.machine import OBJECT_TYPE
from app.services.permits.queries import get_permit
from app.services.policy import Actor, Permission, require_permission

ON_DUTY = frozenset({S.approved, S.active, S.suspended})


async def _person(
    session: AsyncSession, actor: Actor, permit_id: uuid.UUID, person_id: uuid.UUID
) -> tuple[Permit, PermitPerson]:
    require_permission(actor, Permission.PERMIT_WRITE)
    permit = await get_permit(session, actor=actor, permit_id=permit_id, for_update=True)
    person = await session.get(PermitPerson, person_id)
    if person is None or person.permit_id != permit.id:
        raise refuse(
            "person_not_on_permit",
            "该人员不在本作业票上",
            "No such person on this permit",
            "GB 30871-2022 4.10",
            invalid=True,
        )
    if permit.status not in ON_DUTY:
        raise refuse(
            "permit_state_forbids",
            f"作业票当前状态（{permit.status}）不能签到或离场",
            "The permit's status does not allow this",
            "GB 30871-2022 4.10",
        )
    return permit, person


async def check_in(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: PersonRef
) -> PermitPerson:
    permit, person = await _person(session, actor, permit_id, data.person_id)
    person.checked_in_at, person.checked_out_at = guards.now_utc(), None
    audit.record(
        session,
        actor=actor,
        action="check_in",
        object_type=OBJECT_TYPE,
        object_id=permit.id,
        changes={"person_id": person.id, "role": person.role},
    )
    await session.flush()
    return person


async def _people_inside(session: AsyncSession, permit: Permit) -> int:
    net = func.sum(case((EntryLog.direction == "in", 1), else_=-1))
    return int(await session.scalar(select(net).where(EntryLog.permit_id == permit.id)) or 0)


async def check_out(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: PersonRef
) -> tuple[PermitPerson, list[PermitViolation]]:
    """A guardian leaving: the last one suspends the work; with people inside it is recorded
    as a violation (one hazard per permit and rule)."""
    permit, person = await _person(session, actor, permit_id, data.person_id)
    person.checked_out_at = guards.now_utc()
    await session.flush()
    role = watch_role(permit.type)
    if person.role != role or permit.status != S.active:
        return person, []
    remaining = await guards.watchers_on_site(session, permit, role)
    found: list[PermitViolation] = []
    inside = permit.type == PermitType.confined_space and await _people_inside(session, permit) > 0
    if inside:
        v = violations.GUARDIAN_LEFT if remaining else violations.GUARDIAN_LEFT_ALONE
        found.append(await violations.record(session, actor=actor, permit=permit, violation=v))
    if not remaining:
        reason = "监护人（监火人）离开作业现场，作业暂停（GB 30871-2022 4.10f）"
        await with_reason(session, actor, permit, "suspend", reason)
    return person, found

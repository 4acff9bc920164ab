"""Site records of a permit, each a small POST that works offline with a client id: people,
measures, ventilation, gas tests (judged here, never by the client) and the entry log, whose
`in` movements are checked against 第十三条(二) and become hazards when they break it."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict
from app.models.base import Base
from app.models.permit import Permit
from app.models.permit import PermitStatus as S
from app.models.permit_records import (
    EntryLog,
    GasTest,
    PermitMeasure,
    PermitPerson,
    PermitViolation,
    VentilationRecord,
)
from app.models.records import Certificate
from app.rules.permits.gas import Judgement, Reading, judge_test
from app.rules.permits.kinds import PermitType
from app.rules.permits.measures import catalogue_item
from app.schemas.permit import EntryIn, GasTestIn, MeasureIn, PersonIn, VentilationIn
from app.services import audit
from app.services.pagination import keyset_page
from app.services.permits import guards, violations
from app.services.permits.actions import with_reason
from app.services.permits.errors import refuse, rules_as_problems
from app.services.permits.machine import OBJECT_TYPE
from app.services.permits.queries import get_permit
from app.services.permits.rules_store import rules_of
from app.services.policy import Actor, Permission, require_permission

M = TypeVar("M", bound=Base)
LIVE = frozenset({S.draft, S.submitted, S.rejected, S.approved, S.active, S.suspended})
ON_SITE = frozenset({S.submitted, S.approved, S.active, S.suspended})


async def _permit(
    session: AsyncSession, actor: Actor, permit_id: uuid.UUID, states: frozenset[str], what: str
) -> Permit:
    require_permission(actor, Permission.PERMIT_WRITE)
    permit = await get_permit(session, actor=actor, permit_id=permit_id, for_update=True)
    if permit.status not in states:
        raise refuse(
            "permit_state_forbids",
            f"作业票当前状态（{permit.status}）不能登记{what}",
            f"The permit's status ({permit.status}) does not allow this record",
            "GB 30871-2022 4.16–4.18",
        )
    return permit


async def _replay(
    session: AsyncSession, model: type[M], rid: uuid.UUID | None, permit: Permit
) -> M | None:
    if rid is None:
        return None
    row = await session.get(model, rid)
    if row is not None and getattr(row, "permit_id", None) != permit.id:
        raise Conflict("该 id 已被使用", "Id already used", code="id_conflict")
    return row


def _log(
    session: AsyncSession, actor: Actor, permit: Permit, what: str, data: dict[str, Any]
) -> None:
    audit.record(
        session,
        actor=actor,
        action=what,
        object_type=OBJECT_TYPE,
        object_id=permit.id,
        changes=data,
    )
    audit.emit(
        session,
        topic=f"permit.{what}",
        object_type=OBJECT_TYPE,
        object_id=permit.id,
        payload={"enterprise_id": permit.enterprise_id, "status": permit.status},
    )


async def add_person(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: PersonIn
) -> tuple[PermitPerson, bool]:
    permit = await _permit(session, actor, permit_id, LIVE, "作业人员")
    if (row := await _replay(session, PermitPerson, data.id, permit)) is not None:
        return row, False
    if data.certificate_id is not None:
        cert = await session.get(Certificate, data.certificate_id)
        if cert is None or cert.enterprise_id != permit.enterprise_id:
            raise refuse(
                "certificate_not_of_enterprise",
                "证书不存在或不属于本企业",
                "Unknown certificate, or one of another enterprise",
                "第10号令 第三条第（二）项",
                invalid=True,
            )
    now = guards.now_utc()
    row = PermitPerson(
        id=data.id or uuid.uuid4(),
        permit_id=permit.id,
        role=data.role.value,
        name=data.name,
        certificate_id=data.certificate_id,
        checked_in_at=now if data.checked_in else None,
    )
    session.add(row)
    await session.flush()
    _log(session, actor, permit, "person", {"role": row.role, "checked_in": data.checked_in})
    return row, True


async def add_measure(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: MeasureIn
) -> tuple[PermitMeasure, bool]:
    """Measures are answered before submitting and frozen afterwards (GB 30871 4.18)."""
    permit = await _permit(session, actor, permit_id, frozenset({S.draft, S.rejected}), "安全措施")
    with rules_as_problems():
        item = catalogue_item(permit.type, data.code)
    existing = await session.scalar(
        select(PermitMeasure).where(
            PermitMeasure.permit_id == permit.id, PermitMeasure.code == data.code
        )
    )
    if existing is not None:
        if (existing.involved, existing.confirmed_by) != (data.involved, data.confirmed_by):
            raise Conflict(
                "该措施已确认，不得涂改", "Measure already answered", code="measure_answered"
            )
        return existing, False
    row = PermitMeasure(
        permit_id=permit.id,
        code=item.code,
        text=item.text,
        involved=data.involved,
        confirmed_by=data.confirmed_by,
        confirmed_at=guards.now_utc(),
    )
    session.add(row)
    await session.flush()
    _log(session, actor, permit, "measure", {"code": row.code, "involved": row.involved})
    return row, True


async def add_ventilation(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: VentilationIn
) -> tuple[VentilationRecord, bool]:
    permit = await _permit(session, actor, permit_id, ON_SITE, "通风")
    if (row := await _replay(session, VentilationRecord, data.id, permit)) is not None:
        return row, False
    row = VentilationRecord(
        id=data.id or uuid.uuid4(),
        permit_id=permit.id,
        method=data.method.value,
        started_at=data.started_at,
        ended_at=data.ended_at,
        recorded_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    _log(session, actor, permit, "ventilation", {"method": row.method})
    return row, True


async def add_gas_test(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: GasTestIn
) -> tuple[GasTest, bool]:
    """Judged server-side against the settings; a failing test during work suspends it
    (GB 30871-2022 6.5: stop, evacuate, re-test before resuming)."""
    permit = await _permit(session, actor, permit_id, ON_SITE, "气体检测")
    if (row := await _replay(session, GasTest, data.id, permit)) is not None:
        return row, False
    rules = rules_of(permit)
    readings = [Reading(r.gas, r.value, r.unit.value) for r in data.readings]
    with rules_as_problems():
        passed, judgements = judge_test(readings, permit.type, rules)
    row = _gas_row(actor, permit, data, passed, judgements, rules.version)
    session.add(row)
    await session.flush()
    _log(session, actor, permit, "gas_test", {"passed": passed, "phase": row.phase})
    if not passed and permit.status == S.active:
        await with_reason(session, actor, permit, "suspend", "气体检测不合格（GB 30871-2022 6.5）")
    return row, True


def _gas_row(
    actor: Actor,
    permit: Permit,
    data: GasTestIn,
    passed: bool,
    judgements: list[Judgement],
    version: str,
) -> GasTest:
    return GasTest(
        id=data.id or uuid.uuid4(),
        permit_id=permit.id,
        phase=data.phase.value,
        point=data.point,
        analyst=data.analyst,
        instrument=data.instrument,
        sampled_at=data.sampled_at,
        received_at=guards.now_utc(),
        readings=[r.model_dump(mode="json") for r in data.readings],
        judgements=[j.__dict__ for j in judgements],
        passed=passed,
        rules_version=version,
        recorded_by=actor.user_id,
    )


def _entry_violation(permit: Permit) -> violations.Violation | None:
    if permit.status == S.active and guards.now_utc() > permit.valid_to:
        return violations.ENTRY_NOT_APPROVED  # work beyond validity (GB 30871 4.16)
    if permit.status in (S.draft, S.submitted, S.rejected, S.cancelled, S.expired, S.revoked):
        return violations.ENTRY_NOT_APPROVED
    if permit.status in (S.completed, S.closed):
        return violations.ENTRY_NOT_APPROVED
    if permit.status == S.suspended:
        return violations.ENTRY_NOT_TESTED
    return None


async def _entry_checks(session: AsyncSession, permit: Permit) -> list[violations.Violation]:
    found = _entry_violation(permit)
    if found is not None:
        return [found]
    out: list[violations.Violation] = []
    rules, now = rules_of(permit), guards.now_utc()
    test = await guards.last_test(session, permit)
    fresh = permit.status == S.active or (
        test is not None and now - test.sampled_at <= rules.pretest_max_age
    )
    if test is None or not test.passed or not fresh:
        out.append(violations.ENTRY_NOT_TESTED)
    try:
        await guards.guardians_present(session, permit, rules)
    except Conflict:
        out.append(violations.ENTRY_NO_GUARDIAN)
    return out


async def add_entry(
    session: AsyncSession, *, actor: Actor, permit_id: uuid.UUID, data: EntryIn
) -> tuple[EntryLog, list[PermitViolation], bool]:
    """The guardian's count in and out (GB 30871-2022 6.8c). An entry is a fact: it is always
    recorded, and an entry that breaks 第十三条(二) becomes a hazard (once per rule)."""
    require_permission(actor, Permission.PERMIT_WRITE)
    permit = await get_permit(session, actor=actor, permit_id=permit_id, for_update=True)
    if permit.type != PermitType.confined_space:
        raise refuse(
            "entries_confined_only",
            "出入登记只用于有限空间作业",
            "The entry log is for confined-space permits",
            "GB 30871-2022 6.8c",
            invalid=True,
        )
    if (row := await _replay(session, EntryLog, data.id, permit)) is not None:
        return row, [], False
    found = await _entry_checks(session, permit) if data.direction == "in" else []
    row = EntryLog(
        id=data.id or uuid.uuid4(),
        permit_id=permit.id,
        person=data.person,
        direction=data.direction.value,
        at=data.at,
        tools=data.tools,
        recorded_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    _log(session, actor, permit, "entry", {"direction": row.direction, "tools": row.tools})
    rows = [
        await violations.record(session, actor=actor, permit=permit, violation=v) for v in found
    ]
    return row, rows, True


async def list_rows(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    model: type[M],
    limit: int,
    cursor: str | None,
) -> tuple[list[M], str | None]:
    """A permit's records of one kind, a page at a time."""
    permit = await get_permit(session, actor=actor, permit_id=permit_id)
    col: Any = model.permit_id  # type: ignore[attr-defined]
    stmt = select(model).where(col == permit.id)
    order: Any = [model.id]  # type: ignore[attr-defined]
    return await keyset_page(session, stmt, order=order, limit=limit, cursor=cursor)

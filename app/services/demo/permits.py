"""Permits to work (作业票, issue 15) in the demo world: the confined-space ledgers of the
confined-space and ammonia works (13号令 第六条), the principal and a written delegate
(第七条); a hot-work permit done and accepted; a confined permit at work now, ventilated,
tested, guarded, with people inside; one order-stopped by the street office (第十八条),
awaiting consent; and a worker who went in while it was stopped, which put a 第十三条 hazard
on the ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.models.permit import Duty
from app.models.user import Role
from app.rules.certificates import CertificateCategory
from app.rules.permits.gas import GasUnit
from app.rules.permits.kinds import PermitType
from app.rules.permits.measures import CATALOGUES
from app.schemas.confined_space import ConfinedSpaceCreate, DelegationCreate
from app.schemas.permit import (
    CompleteBody,
    EntryDirection,
    EntryIn,
    GasReadingIn,
    GasTestIn,
    MeasureIn,
    OptionalNote,
    OrderStopBody,
    PermitCreate,
    PermitPersonRole,
    PersonIn,
    SignBody,
    StartBody,
    VentilationIn,
    VentMethod,
)
from app.schemas.records import CertificateCreate
from app.schemas.user import UserCreate
from app.services import confined_spaces, delegations
from app.services.demo.context import DEMO_PASSWORD, DemoWorld, Timeline
from app.services.permits import actions, actions_work, create, site
from app.services.policy import Actor
from app.services.records import create_certificate
from app.services.users import create_user

DELEGATE = "demo_safety_space"
WRITTEN = "主要负责人书面委托（应急管理部令第13号 第七条）"
SPACES: dict[str, list[tuple[str, str, str, str, list[str]]]] = {
    "space": [("YXKJ-0001", "污水调节池", "污水处理站东侧", "污水、污泥", ["H2S"]),
              ("YXKJ-0002", "地下污水管沟", "厂区北侧道路下", "污水", [])],
    "cold": [("YXKJ-0001", "氨制冷机房地坑", "制冷机房内", "无", [])],
}  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


async def ledger(world: DemoWorld) -> None:
    """The ledgers, the principal (registered by the office) and a written delegate."""
    for key, rows in SPACES.items():
        for code, name, location, medium, gases in rows:
            await confined_spaces.create_space(
                world.session,
                actor=world.heads[key],
                enterprise_id=world.enterprises[key].id,
                data=ConfinedSpaceCreate.model_validate(
                    {"id": world.id(f"space:{key}:{code}"), "code": code, "name": name,
                     "location": location, "medium": medium, "poisoning_gases": gases,
                     "signs_posted": True}
                ),
            )  # fmt: skip
    ent = world.enterprises["space"].id
    view, _ = await create_user(
        world.session,
        actor=None,
        data=UserCreate(
            username=DELEGATE,
            password=DEMO_PASSWORD,
            role=Role.enterprise_head,
            display_name="吴安（演示企业安全管理人员）",
            enterprise_id=ent,
        ),
    )
    world.heads["space:safety"] = Actor(
        user_id=view.id, username=DELEGATE, role=Role.enterprise_head, enterprise_id=ent
    )
    grants = [
        ("principal", world.office, world.heads["space"], Duty.principal),
        ("delegate", world.heads["space"], world.heads["space:safety"], Duty.principal_delegate),
        ("dept", world.heads["space"], world.heads["space:safety"], Duty.dept_head),
    ]
    for key, grantor, grantee, duty in grants:
        await delegations.create_delegation(
            world.session,
            actor=grantor,
            body=DelegationCreate(
                id=world.id(f"delegation:space:{key}"),
                enterprise_id=ent,
                grantee_id=grantee.user_id,
                duty=duty,
                valid_from=_now(),
                valid_to=_now() + timedelta(days=3 * 365),
                note="主要负责人书面委托（应急管理部令第13号 第七条）"
                if key == "delegate"
                else None,
            ),
        )


async def _approved(world: DemoWorld, key: str, body: dict[str, Any]) -> None:
    """Created and answered by the head, approved on site by the delegate."""
    head, s = world.heads["space"], world.session
    pid = world.id(f"permit:{key}")
    data = {"id": pid, "enterprise_id": world.enterprises["space"].id, "planned_start": _now()}
    await create.create_permit(s, actor=head, body=PermitCreate.model_validate(data | body))
    for item in CATALOGUES[str(body["type"])]:  # the type's whole catalogue, confirmed by name
        m = MeasureIn(code=item.code, involved=True, confirmed_by="吴安")
        await site.add_measure(s, actor=head, permit_id=pid, data=m)
    await actions.submit(s, actor=head, permit_id=pid, data=OptionalNote())
    sign = SignBody(on_site=True, comment="现场确认措施落实")
    await actions.sign(s, actor=world.heads["space:safety"], permit_id=pid, data=sign)


async def _ready_and_start(world: DemoWorld, key: str, *, ventilate: bool) -> None:
    """Guardian (hot work: fire watch and a certified 动火人) in, (ventilation,) a passing test
    ten minutes later, then start."""
    head, s, pid = world.heads["space"], world.session, world.id(f"permit:{key}")
    for person in await _crew(world, key, hot=not ventilate):
        await site.add_person(s, actor=head, permit_id=pid, data=person)
    if ventilate:
        v = VentilationIn(method=VentMethod.mechanical, started_at=_now())
        await site.add_ventilation(s, actor=head, permit_id=pid, data=v)
    _advance(world, 20)
    readings = [GasReadingIn(gas="O2", value=20.8, unit=GasUnit.vol_pct),
                GasReadingIn(gas="CH4", value=0, unit=GasUnit.lel_pct)]  # fmt: skip
    if ventilate:
        readings.append(GasReadingIn(gas="H2S", value=0, unit=GasUnit.ppm))
        readings.append(GasReadingIn(gas="CO", value=0, unit=GasUnit.ppm))
    test = GasTestIn(
        id=world.id(f"gas:{key}"), sampled_at=_now(), analyst="钱检测", readings=readings
    )
    await site.add_gas_test(s, actor=head, permit_id=pid, data=test)
    _advance(world, 10)
    await actions.start(s, actor=head, permit_id=pid, data=StartBody())


async def _crew(world: DemoWorld, key: str, *, hot: bool) -> list[PersonIn]:
    """Confined work: a guardian (13号令 第五条). Hot work: a fire watch (GB 30871 5.2.1) and
    a 动火人 holding a valid 焊接与热切割 certificate of the enterprise (第30号令)."""
    if not hot:
        return [PersonIn(role=PermitPersonRole.guardian, name="郑监护", checked_in=True)]
    today = world.today
    cert, _ = await create_certificate(
        world.session,
        actor=world.heads["space"],
        enterprise_id=world.enterprises["space"].id,
        data=CertificateCreate(
            id=world.id(f"certificate:permit:{key}"),
            holder_name="卫焊工",
            category=CertificateCategory.WELDING_CUTTING,
            operation="熔化焊接与热切割作业",
            certificate_no="T9999DEMOHOT001",
            issued_on=today - timedelta(days=500),
            expires_on=today + timedelta(days=1000),
            next_review_on=today + timedelta(days=400),
        ),
        warning_days=world.settings.certificate_warning_days,
    )
    return [
        PersonIn(id=world.id(f"fire_watch:{key}"), role=PermitPersonRole.fire_watch,
                 name="郑监火", checked_in=True),
        PersonIn(role=PermitPersonRole.hot_work_operator, name="卫焊工", certificate_id=cert.id),
    ]  # fmt: skip


def _advance(world: DemoWorld, minutes: int) -> None:
    world.clock.advance(minutes)


async def hot_work_done(world: DemoWorld) -> None:
    body = {"type": PermitType.hot_work, "location": "维修车间", "method": "电焊",
            "work_content": "污水提升泵出口法兰焊接修复"}  # fmt: skip
    await _approved(world, "hot", body)
    await _ready_and_start(world, "hot", ventilate=False)
    head, pid = world.heads["space"], world.id("permit:hot")
    _advance(world, 150)
    note = CompleteBody(
        note="作业完毕，现场无残留火种", residual_checked_by=world.id("fire_watch:hot")
    )
    await actions_work.complete(world.session, actor=head, permit_id=pid, data=note)
    _advance(world, 20)
    await actions_work.accept(world.session, actor=head, permit_id=pid, data=OptionalNote())


async def _entry(world: DemoWorld, key: str, person: str, tools: int) -> None:
    e = EntryIn(person=person, direction=EntryDirection.in_, at=_now(), tools=tools)
    await site.add_entry(world.session, actor=world.heads["space"], permit_id=world.id(key), data=e)


async def confined_at_work(world: DemoWorld) -> None:
    space = world.id("space:space:YXKJ-0001")
    body = {"type": PermitType.confined_space, "location": "污水调节池",
            "work_content": "调节池清淤及液位计检修", "confined_space_id": space}  # fmt: skip
    await _approved(world, "confined", body)
    await _ready_and_start(world, "confined", ventilate=True)
    _advance(world, 5)
    await _entry(world, "permit:confined", "冯作业", 3)
    await _entry(world, "permit:confined", "陈作业", 2)


async def order_stopped(world: DemoWorld) -> None:
    space = world.id("space:space:YXKJ-0002")
    body = {"type": PermitType.confined_space, "location": "地下污水管沟",
            "work_content": "管沟疏通", "confined_space_id": space}  # fmt: skip
    await _approved(world, "stopped", body)
    await _ready_and_start(world, "stopped", ventilate=True)
    _advance(world, 30)
    stop = OrderStopBody(reason="检查发现作业现场未持续通风，责令暂停作业、撤出作业人员")
    pid = world.id("permit:stopped")
    await actions_work.order_stop(world.session, actor=world.office, permit_id=pid, data=stop)
    _advance(world, 15)
    # Someone went back in before the review: a 第十三条(二) breach → a hazard on the ledger.
    await _entry(world, "permit:stopped", "褚作业", 1)


def schedule(timeline: Timeline) -> None:
    timeline.at(60, 9, ledger)
    timeline.at(30, 8, hot_work_done)
    # Yesterday evening: both confined permits are within their 24 h today (GB 30871 6.10).
    timeline.at(1, 18, order_stopped)
    timeline.at(1, 21, confined_at_work)

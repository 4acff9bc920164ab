"""The hazard ledger's year: general hazards registered by each side, and every transition
(整改方案, 提交, 验收 incl. one failed, 挂牌督办, 延期, 降级, 作废) through the hazard services,
so each row's history, audit, outbox and rollup are the ones the rules write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from app.models.hazard import HazardCategory
from app.schemas.hazard import (
    ExtendBody,
    HazardCreate,
    PlanBody,
    ReasonBody,
    SubmitBody,
    SuperviseBody,
    VerifyBody,
)
from app.services.demo.context import DemoWorld, Timeline
from app.services.demo.enterprises import ENTERPRISES
from app.services.demo.photos import staff_photo
from app.services.hazards.create import create_via_api
from app.services.hazards.transitions import (
    downgrade,
    extend,
    plan,
    submit,
    supervise,
    verify,
    void,
)
from app.services.policy import Actor

C = HazardCategory
SUPERVISING_UNIT = "友谊路街道安全生产委员会办公室"


def _who(world: DemoWorld, who: str) -> Actor:
    """ "office", "grid" or "head:<enterprise key>"."""
    if who == "office":
        return world.office
    if who == "grid":
        return world.grid_staff
    return world.heads[who.removeprefix("head:")]


async def register(
    world: DemoWorld,
    *,
    key: str,
    who: str,
    name: str,
    text: str,
    category: HazardCategory,
    location: str,
    evidence: str | None = None,
) -> None:
    """A general hazard entered directly (no checklist item), with a photo of what was seen;
    with `evidence` it was fixed on the spot (即查即改) and is closed at once."""
    actor = _who(world, who)
    photo = await staff_photo(world, actor, f"{name}-found")
    hazard, _ = await create_via_api(
        world.session,
        actor=actor,
        body=HazardCreate(
            id=world.id(f"hazard:{name}"),
            enterprise_id=world.enterprises[key].id,
            description=text,
            category=category,
            location=location,
            photo_ids=[photo],
            fixed_on_spot=evidence is not None,
            evidence=evidence,
        ),
    )
    world.hazards[name] = hazard.id


def _principal(who: str) -> str:
    """The enterprise's principal answers for its plan (all demo plans are the heads')."""
    return next(e.principal for e in ENTERPRISES if f"head:{e.key}" == who)


async def _plan(world: DemoWorld, name: str, who: str, deadline_in: int, major: bool) -> None:
    five = {  # 五落实 of a major hazard (brief §7; plan §三(三)5)
        "funds": Decimal(world.rng.randrange(2, 60) * 1000),
        "goal": "消除重大事故隐患，经街道安委办验收销号",
        "interim_measures": "划定警戒区域，停用相关设备，专人值守",
        "emergency_plan": "启动企业专项应急预案，配备应急物资，落实24小时值班",
    }
    await plan(
        world.session,
        actor=_who(world, who),
        hazard_id=world.hazards[name],
        data=PlanBody(
            responsible_person=_principal(who),
            deadline=world.today + timedelta(days=deadline_in),
            measures="制定整改措施，明确责任人、资金、时限和预案，逐项整改",
            **(five if major else {}),
        ),
        horizon_days=world.settings.plan_horizon_days,
    )


async def _submit(world: DemoWorld, name: str, who: str, evidence: str) -> None:
    actor = _who(world, who)
    photo = await staff_photo(world, actor, f"{name}-fixed-{world.rng.randrange(1000)}")
    body = SubmitBody(evidence=evidence, photo_ids=[photo])
    await submit(world.session, actor=actor, hazard_id=world.hazards[name], data=body)


async def _verify(
    world: DemoWorld, name: str, who: str, passed: bool, note: str | None = None, **kw: int
) -> None:
    new = kw.get("new_deadline_in")
    body = VerifyBody(
        passed=passed,
        note=note,
        new_deadline=world.today + timedelta(days=new) if new is not None else None,
    )
    await verify(
        world.session,
        actor=_who(world, who),
        hazard_id=world.hazards[name],
        data=body,
        horizon_days=world.settings.plan_horizon_days,
    )


async def _supervise(world: DemoWorld, name: str, who: str, due_in: int) -> None:
    body = SuperviseBody(unit=SUPERVISING_UNIT, due=world.today + timedelta(days=due_in))
    await supervise(world.session, actor=_who(world, who), hazard_id=world.hazards[name], data=body)


async def _extend(world: DemoWorld, name: str, who: str, new_deadline_in: int, reason: str) -> None:
    body = ExtendBody(new_deadline=world.today + timedelta(days=new_deadline_in), reason=reason)
    await extend(
        world.session,
        actor=_who(world, who),
        hazard_id=world.hazards[name],
        data=body,
        horizon_days=world.settings.plan_horizon_days,
    )


async def _with_reason(world: DemoWorld, name: str, who: str, reason: str, *, fn: Any) -> None:
    await fn(
        world.session,
        actor=_who(world, who),
        hazard_id=world.hazards[name],
        data=ReasonBody(reason=reason),
    )


ACTIONS: dict[str, Callable[..., Awaitable[None]]] = {
    "plan": _plan,
    "submit": _submit,
    "verify": _verify,
    "supervise": _supervise,
    "extend": _extend,
    "void": partial(_with_reason, fn=void),
    "downgrade": partial(_with_reason, fn=downgrade),
}


# (days ago, hour, enterprise, who, name, text, category, location, evidence if fixed on spot)
REGISTERED: tuple[tuple[int, int, str, str, str, str, HazardCategory, str, str | None], ...] = (
    (
        70,
        11,
        "model",
        "head:model",
        "model_sign",
        "装配车间安全警示标志褪色、部分缺失",
        C.management,
        "装配车间",
        None,
    ),
    (
        20,
        11,
        "tenant",
        "grid",
        "tenant_exit",
        "成品仓库安全出口被货架堵塞",
        C.fire,
        "成品仓库东侧",
        "已当场移开货架，安全出口恢复畅通",
    ),
    (
        20,
        11,
        "tenant",
        "grid",
        "tenant_panel",
        "冲压车间配电箱柜门未上锁、箱内积尘",
        C.electrical,
        "冲压车间",
        None,
    ),
    (12, 11, "park", "grid", "park_lane", "园区消防车通道被车辆占用", C.fire, "园区主干道", None),
    (
        11,
        9,
        "park",
        "grid",
        "park_lane_dup",
        "园区消防车通道被车辆占用",
        C.fire,
        "园区主干道",
        None,
    ),
    (
        1,
        16,
        "smelt",
        "head:smelt",
        "smelt_light",
        "三号车间局部照明不足",
        C.electrical,
        "三号车间",
        None,
    ),
)
# (days ago, hour, action, hazard name, who, arguments); deadlines are days from today.
LIFECYCLE: tuple[tuple[int, int, str, str, str, dict[str, Any]], ...] = (
    (95, 14, "plan", "smelt_pit", "head:smelt", {"deadline_in": -40, "major": True}),
    (48, 9, "plan", "smelt_exam", "head:smelt", {"deadline_in": 10, "major": True}),
    (45, 10, "supervise", "smelt_exam", "office", {"due_in": 10}),
    (88, 9, "plan", "dust_clean", "head:dust", {"deadline_in": -40, "major": True}),
    (88, 10, "plan", "dust_vent", "head:dust", {"deadline_in": -30, "major": True}),
    (69, 9, "plan", "model_sign", "head:model", {"deadline_in": -50, "major": False}),
    (
        58,
        10,
        "downgrade",
        "cold_freeze",
        "office",
        {"reason": "经复核，超员系临时调岗所致，已恢复排班，按一般隐患跟踪整改"},
    ),
    (55, 9, "plan", "cold_freeze", "head:cold", {"deadline_in": 4, "major": False}),
    (55, 15, "submit", "model_sign", "head:model", {"evidence": "已更换全部警示标志"}),
    (54, 10, "verify", "model_sign", "head:model", {"passed": True}),
    (45, 16, "submit", "dust_clean", "head:dust", {"evidence": "已全面清扫并建立每班清扫记录"}),
    (
        43,
        10,
        "verify",
        "dust_clean",
        "office",
        {"passed": False, "note": "复查发现除尘管道弯头处仍有积尘", "new_deadline_in": -20},
    ),
    (38, 9, "plan", "space_permit", "head:space", {"deadline_in": 15, "major": True}),
    (
        25,
        16,
        "submit",
        "dust_clean",
        "head:dust",
        {"evidence": "已拆检除尘管道、清理积尘并增设清扫口"},
    ),
    (22, 10, "verify", "dust_clean", "office", {"passed": True, "note": "复查合格，同意销号"}),
    (19, 9, "plan", "tenant_panel", "head:tenant", {"deadline_in": -5, "major": False}),
    (
        32,
        10,
        "extend",
        "dust_vent",
        "office",
        {"new_deadline_in": 24, "reason": "泄爆片须原厂定制，供货周期延长"},
    ),
    (10, 10, "void", "park_lane_dup", "office", {"reason": "与前一日登记的隐患重复"}),
    (5, 9, "plan", "dust_report", "head:dust", {"deadline_in": 14, "major": False}),
    (
        2,
        15,
        "submit",
        "space_permit",
        "head:space",
        {"evidence": "已建立有限空间作业审批制度，配备气体检测仪并培训监护人员"},
    ),
)


# Routine grid-patrol findings, one a month, each rectified and verified within weeks: the
# closed history the statistics' monthly series and times-to-close are drawn from.
ROUTINE: tuple[tuple[str, str, HazardCategory, str], ...] = (
    ("smelt", "车间灭火器压力不足", C.fire, "一号车间"),
    ("dust", "临时电线私拉乱接", C.electrical, "砂光车间"),
    ("park", "园区配电房门未关闭", C.electrical, "配电房"),
    ("tenant", "冲床防护罩缺失", C.equipment, "冲压车间"),
    ("smelt", "登高作业未系安全带", C.work_at_height, "行车检修平台"),
    ("dust", "木料堆放过高、未留通道", C.fire, "原料仓库"),
    ("park", "应急照明灯损坏", C.fire, "三号楼楼梯间"),
    ("tenant", "砂轮机无防护挡板", C.equipment, "打磨间"),
    ("smelt", "气瓶未固定", C.hot_work, "维修间"),
    ("dust", "安全培训记录不全", C.management, "办公室"),
    ("park", "消防栓被遮挡", C.fire, "园区二号路"),
)


def _routine(timeline: Timeline) -> None:
    for n, (key, text, category, location) in enumerate(ROUTINE):
        found = 30 * (len(ROUTINE) - n) + 15  # 345 … 45 days ago
        name = f"routine_{n}"
        head = f"head:{key}"
        timeline.at(
            found,
            10,
            partial(
                register,
                key=key,
                who="grid",
                name=name,
                text=text,
                category=category,
                location=location,
            ),
        )
        timeline.at(
            found - 1, 9, partial(_plan, name=name, who=head, deadline_in=-found + 15, major=False)
        )
        timeline.at(
            found - 8 - n % 4,
            16,
            partial(_submit, name=name, who=head, evidence="已按整改方案完成整改"),
        )
        timeline.at(found - 10 - n % 4, 10, partial(_verify, name=name, who="grid", passed=True))


def schedule(timeline: Timeline) -> None:
    _routine(timeline)
    for days_ago, hour, key, who, name, text, category, location, evidence in REGISTERED:
        step = partial(
            register,
            key=key,
            who=who,
            name=name,
            text=text,
            category=category,
            location=location,
            evidence=evidence,
        )
        timeline.at(days_ago, hour, step)
    for days_ago, hour, action, name, who, kwargs in LIFECYCLE:
        timeline.at(days_ago, hour, partial(ACTIONS[action], name=name, who=who, **kwargs))

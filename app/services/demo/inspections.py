"""Inspections of every kind (自查, 主要负责人带队检查 with 逢查必考, 网格巡查, 执法检查);
their failed items become the world's major hazards through the inspection service itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from app.models.inspection import InspectionKind, ResponseResult
from app.schemas.inspection import CheckinIn, InspectionCreate, QuizIn, ResponseIn
from app.services.demo.context import DemoWorld, Timeline, periods_begun, within
from app.services.demo.enterprises import ENTERPRISES
from app.services.inspections import create_inspection
from app.services.policy import Actor

PASS, FAIL = ResponseResult.passed, ResponseResult.failed
INSPECTORS = ("张警官", "李科长")  # placeholder names of the street office's inspectors
QUIZ = (
    ("本岗位重大事故隐患判定标准有哪几条？", True),
    ("有限空间作业前应当做什么？", True),
    ("发现粉尘积聚应当如何处置？", False),
)


@dataclass(frozen=True)
class Item:
    code: str
    result: ResponseResult
    note: str | None = None
    hazard: str | None = None  # the name later steps use for the hazard a fail produced


def _actor(world: DemoWorld, kind: InspectionKind, key: str) -> Actor:
    if kind in (InspectionKind.self_check, InspectionKind.principal_check):
        return world.heads[key]
    return world.grid_staff if kind == InspectionKind.grid_patrol else world.office


def _quiz(world: DemoWorld, key: str, n: int) -> list[QuizIn]:
    staff = next(e for e in ENTERPRISES if e.key == key).manager
    picks = world.rng.sample(QUIZ, k=n)
    return [QuizIn(person=staff, question=q, passed=ok) for q, ok in picks]


async def inspect(
    world: DemoWorld, key: str, kind: InspectionKind, tag: str, items: tuple[Item, ...] = ()
) -> None:
    """File one inspection as the side that does this kind, checked in on site."""
    ent = world.enterprises[key]
    finished = datetime.now(UTC)  # the travelled clock: the inspection is filed on leaving
    assert ent.latitude is not None
    assert ent.longitude is not None
    data = InspectionCreate(
        id=world.id(f"inspection:{tag}"),
        enterprise_id=ent.id,
        kind=kind,
        started_at=finished - timedelta(minutes=80),
        finished_at=finished,
        inspectors=list(INSPECTORS) if kind == InspectionKind.enforcement else [],
        responses=[ResponseIn(item_code=i.code, result=i.result, note=i.note) for i in items],
        quiz=_quiz(world, key, 2) if kind == InspectionKind.principal_check else [],
        checkin=CheckinIn(latitude=ent.latitude + 0.0004, longitude=ent.longitude, accuracy_m=12),
    )
    view, _ = await create_inspection(
        world.session,
        actor=_actor(world, kind, key),
        data=data,
        checkin_radius_m=world.settings.checkin_radius_m,
    )
    failed = [i for i in items if i.result == FAIL]
    for item, hazard_id in zip(failed, view["hazard_ids"], strict=True):
        world.hazards[item.hazard or f"{tag}:{item.code}"] = hazard_id


def _principal_checks(timeline: Timeline, key: str, per_year: int, skip_one: bool) -> None:
    """One 主要负责人带队检查 with quiz in each begun period (plan §三(三)4); `skip_one`
    leaves the latest finished period without, so the enterprise misses the rule."""
    begun = periods_begun(timeline.today, per_year)
    if skip_one:
        del begun[-2 if len(begun) > 1 else 0]
    for n, (start, _) in enumerate(begun):
        day = within(start, 9 + n % 5, timeline.today)
        items = (Item("3.2", PASS),)
        timeline.on(day, 15, partial(inspect, key=key, kind=_PC, tag=f"pc:{key}:{n}", items=items))


_PC = InspectionKind.principal_check
_SELF, _GRID, _ENF = (
    InspectionKind.self_check,
    InspectionKind.grid_patrol,
    InspectionKind.enforcement,
)
# (days ago, hour, enterprise, kind, tag, items): the findings the hazard steps follow up.
VISITS: tuple[tuple[int, int, str, InspectionKind, str, tuple[Item, ...]], ...] = (
    (
        100,
        9,
        "smelt",
        _SELF,
        "smelt-self",
        (
            Item("3.2", PASS),
            Item("4.1", PASS),
            Item("4.2", FAIL, "炉前平台下方事故坑有积水，未设防水措施", "smelt_pit"),
        ),
    ),
    (
        50,
        10,
        "smelt",
        _ENF,
        "smelt-enf",
        (
            Item("3.3", FAIL, "主要负责人安全生产知识和管理能力考核证书已过期", "smelt_exam"),
            Item("4.6", PASS),
        ),
    ),
    (
        90,
        14,
        "dust",
        _PC,
        "dust-pc",
        (
            Item("11.10", FAIL, "砂光车间地面及设备表面积尘明显", "dust_clean"),
            Item("11.3", FAIL, "2号干式除尘器泄爆片缺失", "dust_vent"),
            Item("11.7", PASS),
        ),
    ),
    (80, 10, "model", _ENF, "model-enf", (Item("3.1", PASS), Item("7.6", PASS))),
    (
        60,
        10,
        "cold",
        _ENF,
        "cold-enf",
        (Item("12.2", FAIL, "速冻间内同时作业人员达12人", "cold_freeze"),),
    ),
    (
        40,
        9,
        "space",
        _SELF,
        "space-self",
        (
            Item("13.1", PASS),
            Item("13.2", FAIL, "污水池清淤作业未执行先通风、再检测、后作业", "space_permit"),
        ),
    ),
    (20, 10, "tenant", _GRID, "tenant-patrol", (Item("3.2", PASS), Item("7.6", PASS))),
    (
        12,
        10,
        "park",
        _GRID,
        "park-patrol",
        (Item("3.1", FAIL, "未与园区内承租企业签订安全生产管理协议", "park_coord"),),
    ),
    (
        3,
        10,
        "cold",
        _ENF,
        "cold-recheck",
        (
            Item("12.1", FAIL, "分割间空调采用氨直接蒸发制冷", "cold_aircon"),
            Item("12.2", PASS),
        ),
    ),
)


def schedule(timeline: Timeline) -> None:
    for days_ago, hour, key, kind, tag, items in VISITS:
        timeline.at(days_ago, hour, partial(inspect, key=key, kind=kind, tag=tag, items=items))
    _principal_checks(timeline, "model", 4, skip_one=False)
    _principal_checks(timeline, "dust", 4, skip_one=False)
    _principal_checks(timeline, "smelt", 12, skip_one=True)
    _principal_checks(timeline, "park", 4, skip_one=False)

"""Drills (one observed by the street office), trainings (principals partly covered) and
special-operations certificates in every status, through the records service."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from app.models.records import DrillKind, PersonRole, TrainingTopic
from app.rules.calendar import today_in_shanghai
from app.rules.certificates import CertificateCategory
from app.schemas.records import CertificateCreate, DrillCreate, TrainingCreate
from app.services.demo.context import DemoWorld, Timeline, periods_begun, within
from app.services.demo.enterprises import ENTERPRISES
from app.services.demo.photos import staff_photo
from app.services.records import create_certificate, create_drill, create_training

_PEOPLE = {e.key: e for e in ENTERPRISES}


async def drill(
    world: DemoWorld, *, key: str, held_on: date, kind: DrillKind, observed: bool = False
) -> None:
    actor = world.office if observed else world.heads[key]
    photo = await staff_photo(world, actor, f"drill-{key}-{held_on.isoformat()}")
    await create_drill(
        world.session,
        actor=actor,
        enterprise_id=world.enterprises[key].id,
        data=DrillCreate(
            id=world.id(f"drill:{key}:{held_on.isoformat()}"),
            held_on=held_on,
            kind=kind,
            scenario="车间火灾疏散逃生" if kind == DrillKind.evacuation else "液氨泄漏处置桌面推演",
            participants=_PEOPLE[key].employees - world.rng.randrange(0, 8),
            observed_by_street_office=observed,
            findings="部分员工未按指定路线疏散，集合点清点用时偏长" if observed else None,
            plan_revised=observed,
            photo_ids=[photo],
        ),
    )


async def training(
    world: DemoWorld, *, key: str, person: str, role: PersonRole, topic: TrainingTopic
) -> None:
    await create_training(
        world.session,
        actor=world.heads[key],
        enterprise_id=world.enterprises[key].id,
        data=TrainingCreate(
            id=world.id(f"training:{key}:{person}:{topic.value}"),
            person_name=person,
            person_role=role,
            topic=topic,
            hours=16 if topic == TrainingTopic.principal_special else 8,
            completed_on=today_in_shanghai(),  # the step runs on the day it ended
            passed=True,
        ),
    )


# (enterprise, holder, category, operation, issued days ago, expires in, next review in)
CERTIFICATES = (
    ("smelt", "欧阳一", CertificateCategory.ELECTRICAL, "低压电工作业", 400, 1790, 700),
    ("smelt", "欧阳二", CertificateCategory.METALLURGY_GAS, "煤气作业", 2150, 30, 30),
    (
        "space",
        "欧阳三",
        CertificateCategory.WELDING_CUTTING,
        "熔化焊接与热切割作业",
        2200,
        -20,
        -20,
    ),
    ("space", "欧阳四", CertificateCategory.ELECTRICAL, "低压电工作业", 1200, 1000, -10),
    ("model", "欧阳五", CertificateCategory.WORK_AT_HEIGHT, "登高架设作业", 300, 1890, 800),
    (
        "cold",
        "欧阳六",
        CertificateCategory.REFRIGERATION,
        "制冷与空调设备运行操作作业",
        500,
        1690,
        600,
    ),
)


async def certificate(world: DemoWorld, n: int) -> None:
    key, holder, category, operation, issued_ago, expires_in, review_in = CERTIFICATES[n]
    today = world.today  # validity is told relative to the real today, whenever recorded
    await create_certificate(
        world.session,
        actor=world.heads[key],
        enterprise_id=world.enterprises[key].id,
        data=CertificateCreate(
            id=world.id(f"certificate:{n}"),
            holder_name=holder,
            category=category,
            operation=operation,
            certificate_no=f"T9999DEMO{n:06d}",
            issued_on=today - timedelta(days=issued_ago),
            expires_on=today + timedelta(days=expires_in),
            next_review_on=today + timedelta(days=review_in),
        ),
        warning_days=world.settings.certificate_warning_days,
    )


# (enterprise, person, role, topic, days ago): principals of smelt, dust, park, tenant and model
# took the plan's special training; space and cold have not (plan §三(六)11 partly covered).
TRAININGS = (
    ("smelt", "张三", PersonRole.principal, TrainingTopic.principal_special, 210),
    ("smelt", "李四", PersonRole.safety_manager, TrainingTopic.hazard_standard, 160),
    ("dust", "王五", PersonRole.principal, TrainingTopic.principal_special, 300),
    ("park", "郑十一", PersonRole.principal, TrainingTopic.principal_special, 250),
    ("tenant", "陈十三", PersonRole.principal, TrainingTopic.principal_special, 180),
    ("model", "卫十五", PersonRole.principal, TrainingTopic.principal_special, 330),
    ("model", "蒋十六", PersonRole.safety_manager, TrainingTopic.hazard_standard, 90),
    ("space", "吴十", PersonRole.safety_manager, TrainingTopic.confined_space, 120),
    ("cold", "孙八", PersonRole.employee, TrainingTopic.all_staff, 75),
)


def _drills(timeline: Timeline) -> None:
    year = periods_begun(timeline.today, 1)[0][0]
    today = timeline.today
    plan = [
        ("model", within(year, 140, today), True),
        ("smelt", within(year, 120, today), False),
        ("dust", within(year, 200, today), False),
        ("space", within(year, 60, today), False),
        ("tenant", within(year, 45, today), False),  # 厂中厂: only the first half — missed
    ] + [("park", within(start, 40, today), False) for start, _ in periods_begun(today, 2)]
    for key, day, observed in plan:
        step = partial(drill, key=key, held_on=day, kind=DrillKind.evacuation, observed=observed)
        timeline.on(day, 14, step)
    last_year = today - timedelta(days=400)
    timeline.on(
        last_year, 14, partial(drill, key="cold", held_on=last_year, kind=DrillKind.tabletop)
    )


def schedule(timeline: Timeline) -> None:
    _drills(timeline)
    for key, person, role, topic, days_ago in TRAININGS:
        step = partial(training, key=key, person=person, role=role, topic=topic)
        timeline.at(days_ago, 17, step)
    for n in range(len(CERTIFICATES)):
        timeline.at(300 - 10 * n, 11, partial(certificate, n=n))

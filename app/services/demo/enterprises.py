"""Fictitious demo enterprises (（演示）) and their heads' accounts.

Every activity of the demo world hangs on these; the enterprises the plan names stay in the
registry without any (issue 18: no invented finding may name a real company). Names of
people are the placeholder names 张三, 李四 …; phone numbers come from 140, the 13-digit IoT
numbering range of 工业和信息化部, so no 11-digit 140 number can reach a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from app.models.enterprise import Designation
from app.models.user import Role, User
from app.rules.enterprise_kinds import Feature, Sector, Tier
from app.rules.uscc import compose_uscc
from app.schemas.enterprise import EnterpriseCreate
from app.schemas.user import UserCreate
from app.services.demo.context import DEMO_PASSWORD, DemoWorld
from app.services.enterprises import create_enterprise
from app.services.policy import Actor
from app.services.users import create_user

DEMO_SUFFIX = "（演示）"
# GB/T 2260 code of 宝山区, where 友谊路街道 lies.
BAOSHAN = "310113"
# Centre of the jurisdiction box (settings.jurisdiction_bbox defaults), GCJ-02.
CENTRE = (31.405, 121.49)


@dataclass(frozen=True)
class DemoEnterprise:
    key: str
    name: str
    sector: Sector
    features: tuple[Feature, ...]
    grid: int
    employees: int
    principal: str
    manager: str
    tier: Tier = Tier.SMALL
    grade: int | None = None
    grade_expires_in: int = 0  # days from today (negative: already expired)
    designation: Designation | None = None
    landlord: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


ENTERPRISES = (
    DemoEnterprise(
        "smelt",
        "宝友特种合金冶炼有限公司",
        Sector.METALLURGY,
        (Feature.METAL_SMELTING,),
        0,
        120,
        "张三",
        "李四",
        grade=3,
        grade_expires_in=400,
    ),
    DemoEnterprise(
        "dust",
        "友木家具制造有限公司",
        Sector.LIGHT_INDUSTRY,
        (Feature.DUST_EXPLOSION,),
        0,
        85,
        "王五",
        "赵六",
        grade=3,
        grade_expires_in=-30,
    ),
    DemoEnterprise(
        "cold",
        "宝冷冷链食品有限公司",
        Sector.LIGHT_INDUSTRY,
        (Feature.AMMONIA_REFRIGERATION,),
        1,
        60,
        "钱七",
        "孙八",
    ),
    DemoEnterprise(
        "space",
        "友清纸制品有限公司",
        Sector.LIGHT_INDUSTRY,
        (Feature.CONFINED_SPACE,),
        1,
        45,
        "周九",
        "吴十",
    ),
    DemoEnterprise(
        "park",
        "友谊创意园区管理有限公司",
        Sector.COMMERCE,
        (Feature.FACTORY_IN_FACTORY,),
        0,
        30,
        "郑十一",
        "冯十二",
    ),
    DemoEnterprise(
        "tenant",
        "友创五金加工厂",
        Sector.MACHINERY,
        (Feature.FACTORY_IN_FACTORY,),
        0,
        18,
        "陈十三",
        "褚十四",
        landlord="park",
    ),
    DemoEnterprise(
        "model",
        "友安精密机械有限公司",
        Sector.MACHINERY,
        (),
        2,
        210,
        "卫十五",
        "蒋十六",
        tier=Tier.DISTRICT_KEY,
        grade=2,
        grade_expires_in=700,
        designation=Designation.demonstration,
    ),
)
# The main enterprise-head account of the README (`demo_head`) heads the metallurgy works.
HEAD_USERNAMES = {"smelt": "demo_head"} | {
    e.key: f"demo_head_{e.key}" for e in ENTERPRISES if e.key != "smelt"
}


def demo_phone(n: int) -> str:
    return f"1400000{n:04d}"


def _create_body(world: DemoWorld, i: int, e: DemoEnterprise) -> EnterpriseCreate:
    today = world.today
    lat, lng = CENTRE
    graded = e.grade is not None
    return EnterpriseCreate(
        id=world.id(f"enterprise:{e.key}"),
        name=e.name + DEMO_SUFFIX,
        uscc=compose_uscc(
            department="9",
            category="1",
            region=BAOSHAN,
            body8=f"DEM0{world.rng.randrange(10_000):04d}",
        ),
        address=f"上海市宝山区友谊路演示路{101 + i}号",
        grid_id=world.grids[e.grid].id,
        tier=e.tier,
        sector=e.sector,
        features=list(e.features),
        employee_count=e.employees,
        latitude=round(lat + world.rng.uniform(-0.015, 0.015), 5),
        longitude=round(lng + world.rng.uniform(-0.02, 0.02), 5),
        principal_name=e.principal,
        principal_phone=demo_phone(2 * i + 1),
        safety_manager_name=e.manager,
        safety_manager_phone=demo_phone(2 * i + 2),
        standardization_grade=e.grade,
        standardization_certified_on=today - timedelta(days=1000) if graded else None,
        standardization_expires_on=today + timedelta(days=e.grade_expires_in) if graded else None,
        designation=e.designation,
        designation_year=today.year - 1 if e.designation else None,
        landlord_id=world.id(f"enterprise:{e.landlord}") if e.landlord else None,
    )


async def seed(world: DemoWorld) -> None:
    """The enterprises (registered two years ago by the street office), then one head each."""
    for i, e in enumerate(ENTERPRISES):
        ent, _ = await create_enterprise(
            world.session, actor=world.office, data=_create_body(world, i, e)
        )
        ent.is_demo = True  # not a client field: the demo marker (brief §6)
        world.enterprises[e.key] = ent
    await world.session.flush()
    for e in ENTERPRISES:
        world.heads[e.key] = await _head(world, e)


async def _head(world: DemoWorld, e: DemoEnterprise) -> Actor:
    username = HEAD_USERNAMES[e.key]
    ent_id = world.enterprises[e.key].id
    user = await world.session.scalar(select(User).where(User.username == username))
    if user is None:
        view, _ = await create_user(
            world.session,
            actor=None,
            data=UserCreate(
                username=username,
                password=DEMO_PASSWORD,
                role=Role.enterprise_head,
                display_name=f"{e.principal}（演示企业负责人）",
                enterprise_id=ent_id,
            ),
        )
        user_id = view.id
    elif user.enterprise_id != ent_id:
        raise DemoWorldMismatch(username)
    else:
        user_id = user.id
    return Actor(
        user_id=user_id, username=username, role=Role.enterprise_head, enterprise_id=ent_id
    )


class DemoWorldMismatch(RuntimeError):
    """An older demo database: its account heads another enterprise; rebuild with --reset."""

"""Demo data (`zhiben seed-demo`), idempotent: the enterprises the plan names, three grids,
one account per role, and the demo world of fictitious enterprises (app.services.demo).
The plan's names are exact (plan §二); `is_demo` marks them; no USCC is invented for them,
no risk feature guessed, and no activity attached to them."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.enterprise import Enterprise
from app.models.grid import Grid
from app.models.user import Role, User
from app.rules.enterprise_kinds import Sector, Tier
from app.schemas.user import UserCreate
from app.services.demo import DEMO_PASSWORD, HEAD_USERNAMES, seed_world
from app.services.policy import Actor
from app.services.users import create_user

GRIDS = ("友谊路街道第一网格", "友谊路街道第二网格", "友谊路街道第三网格")

# plan §二(一) 区级重点中大型工贸行业（5家）; sector from what the name suggests.
DISTRICT_KEY = (
    ("上海世纪联华超市宝山有限公司海江路店", Sector.COMMERCE),
    ("上海乐宝酒店服务有限公司宝山德尔塔酒店", Sector.COMMERCE),
    ("上海烟草集团宝山烟草糖酒有限公司", Sector.TOBACCO),
    ("上海宝铸商业经营管理有限公司", Sector.COMMERCE),
    ("华域皮尔博格泵技术有限公司", Sector.MACHINERY),
)
# plan §二(二) 辖区小型工贸行业: the five it names (the rest are in its 附件1, not given to us).
SMALL = (
    ("上海弘益冶金材料有限公司", Sector.METALLURGY),
    ("上海金刚冶金材料有限公司", Sector.METALLURGY),
    ("上海华翼钢丝绳制品有限公司", Sector.MACHINERY),
    ("上海建工一建集团有限公司机械工程公司", Sector.MACHINERY),
    ("上海众杨装饰材料有限公司", Sector.BUILDING_MATERIALS),
)


async def _grids(session: AsyncSession) -> list[Grid]:
    out = []
    for name in GRIDS:
        grid = await session.scalar(select(Grid).where(Grid.name == name))
        if grid is None:
            grid = Grid(id=uuid.uuid4(), name=name)
            session.add(grid)
        out.append(grid)
    await session.flush()
    return out


async def _enterprises(session: AsyncSession, grids: list[Grid]) -> list[Enterprise]:
    out = []
    rows = [(n, s, Tier.DISTRICT_KEY) for n, s in DISTRICT_KEY] + [
        (n, s, Tier.SMALL) for n, s in SMALL
    ]
    for i, (name, sector, tier) in enumerate(rows):
        ent = await session.scalar(
            select(Enterprise).where(Enterprise.name == name, Enterprise.is_demo.is_(True))
        )
        if ent is None:
            ent = Enterprise(
                id=uuid.uuid4(),
                name=name,
                sector=sector.value,
                tier=tier.value,
                grid_id=grids[i % len(grids)].id,
                features=[],
                is_demo=True,
            )
            session.add(ent)
        out.append(ent)
    await session.flush()
    return out


def _accounts(grids: list[Grid]) -> list[UserCreate]:
    return [
        UserCreate(
            username="demo_office",
            password=DEMO_PASSWORD,
            role=Role.street_office,
            display_name="街道安委办（演示）",
        ),
        UserCreate(
            username="demo_grid",
            password=DEMO_PASSWORD,
            role=Role.grid_staff,
            display_name="网格员（演示）",
            grid_ids=[grids[0].id],
        ),
        UserCreate(
            username="demo_dashboard",
            password=DEMO_PASSWORD,
            role=Role.dashboard,
            display_name="数据看板（演示）",
        ),
    ]


async def _account(session: AsyncSession, data: UserCreate) -> Actor:
    user = await session.scalar(select(User).where(User.username == data.username))
    if user is None:
        view, _ = await create_user(session, actor=None, data=data)
        user_id = view.id
    else:
        user_id = user.id
    return Actor(
        user_id=user_id,
        username=data.username,
        role=data.role,
        grid_ids=frozenset(data.grid_ids or ()),
    )


async def seed_demo(session: AsyncSession, *, settings: Settings) -> list[tuple[str, str, str]]:
    """Creates what is missing; returns (username, password, role) of the demo accounts.

    The plan's enterprises get no activity; the demo world (app.services.demo) happens on
    fictitious enterprises marked （演示）, and its heads are the enterprise-head accounts.
    """
    grids = await _grids(session)
    await _enterprises(session, grids)
    base = _accounts(grids)
    actors = {data.username: await _account(session, data) for data in base}
    await seed_world(
        session,
        settings=settings,
        grids=grids,
        office=actors["demo_office"],
        grid_staff=actors["demo_grid"],
    )
    if settings.env != "development":
        return []
    heads = [(u, DEMO_PASSWORD, Role.enterprise_head.value) for u in HEAD_USERNAMES.values()]
    return [(a.username, DEMO_PASSWORD, a.role.value) for a in base] + heads

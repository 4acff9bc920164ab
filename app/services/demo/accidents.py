"""An accident (事故) at the confined-space works and the warning interviews (约谈) that
followed it and the metallurgy works' overdue major hazard."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

from app.rules.calendar import today_in_shanghai
from app.schemas.accident import AccidentCreate, InterviewCreate
from app.services.accidents import create_accident, create_interview
from app.services.demo.context import DemoWorld, Timeline


async def accident(world: DemoWorld) -> None:
    await create_accident(
        world.session,
        actor=world.office,
        data=AccidentCreate(
            id=world.id("accident:space"),
            enterprise_id=world.enterprises["space"].id,
            occurred_at=datetime.now(UTC),
            description="污水池清淤作业中一名作业人员吸入有毒气体晕倒，经送医救治脱险",
            serious_injuries=1,
            direct_loss_yuan=Decimal("85000.00"),
        ),
    )


async def near_miss(world: DemoWorld) -> None:
    """A 重大涉险 event (plan §三(三)6) still waiting for its 警示约谈 and district report,
    so the follow-up check shows a gap somewhere in the demo world."""
    await create_accident(
        world.session,
        actor=world.office,
        data=AccidentCreate(
            id=world.id("accident:cold"),
            enterprise_id=world.enterprises["cold"].id,
            occurred_at=datetime.now(UTC),
            description="液氨管道阀门泄漏，现场人员及时撤离，未造成人员伤亡",
            major_risk_event=True,
        ),
    )


async def interview(
    world: DemoWorld, *, key: str, person: str, reason: str, accident: bool, hazard: str | None
) -> None:
    await create_interview(
        world.session,
        actor=world.office,
        data=InterviewCreate(
            id=world.id(f"interview:{key}:{reason[:8]}"),
            enterprise_id=world.enterprises[key].id,
            person_name=person,
            person_title="主要负责人",
            reason=reason,
            accident_id=world.id("accident:space") if accident else None,
            hazard_id=world.hazards[hazard] if hazard else None,
            held_on=today_in_shanghai(),
            reported_to_district=accident,
        ),
    )


def schedule(timeline: Timeline) -> None:
    timeline.at(75, 14, accident)
    timeline.at(20, 9, near_miss)
    timeline.at(
        70,
        10,
        partial(
            interview,
            key="space",
            person="周九",
            reason="发生一般生产安全事故，有限空间作业管理不落实",
            accident=True,
            hazard=None,
        ),
    )
    timeline.at(
        25,
        10,
        partial(
            interview,
            key="smelt",
            person="张三",
            reason="重大事故隐患超过整改期限仍未完成整改",
            accident=False,
            hazard="smelt_pit",
        ),
    )

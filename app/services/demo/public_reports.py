"""Public reports (群众举报) in every triage outcome — accepted into a hazard, duplicate,
invalid, waiting — and one decided reward (plan 保障措施(三)), through intake and triage."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from app.models.hazard import HazardCategory
from app.rules.calendar import today_in_shanghai
from app.schemas.public_report import (
    PublicReportCreate,
    RewardRequest,
    TriageDecision,
    TriageRequest,
)
from app.services.demo.context import DemoWorld, Timeline
from app.services.demo.enterprises import DEMO_SUFFIX, demo_phone
from app.services.demo.photos import public_photo
from app.services.public_reports.intake import create_report
from app.services.public_reports.triage import record_reward, triage

DUST = "友木家具制造有限公司" + DEMO_SUFFIX


async def report(
    world: DemoWorld, *, name: str, text: str, enterprise: str | None, phone: int | None
) -> None:
    """What the mini-program posts: a photo first, then the report (at the same moment)."""
    lat, lng = (31.4049, 121.4873) if enterprise else (31.4102, 121.4961)
    created = await create_report(
        world.session,
        settings=world.settings,
        data=PublicReportCreate(
            description=text,
            location_text="友谊路街道演示路附近",
            latitude=lat,
            longitude=lng,
            enterprise_name=enterprise,
            photo_ids=[await public_photo(world, f"report-{name}")],
            contact_phone=demo_phone(90 + phone) if phone is not None else None,
            wants_reward=phone is not None,
        ),
    )
    world.reports[name] = created.id


async def decide(world: DemoWorld, *, name: str, decision: TriageDecision, note: str) -> None:
    accept = decision == TriageDecision.accept
    view = await triage(
        world.session,
        settings=world.settings,
        actor=world.office,
        report_id=world.reports[name],
        data=TriageRequest(
            decision=decision,
            enterprise_id=world.enterprises["dust"].id if accept else None,
            note=note,
            duplicate_of=world.reports["dust"] if decision == TriageDecision.duplicate else None,
            category=HazardCategory.dust,
        ),
    )
    if accept:
        assert view.hazard_id is not None
        world.hazards[f"{name}_report"] = view.hazard_id


async def reward(world: DemoWorld) -> None:
    await record_reward(
        world.session,
        settings=world.settings,
        actor=world.office,
        report_id=world.reports["dust"],
        data=RewardRequest(
            eligible=True,
            amount=Decimal("200.00"),
            paid_on=today_in_shanghai(),
            note="举报属实，经核查采纳，给予奖励",
        ),
    )


def schedule(timeline: Timeline) -> None:
    dust_text = "友木家具厂砂光车间粉尘很大，地上积了厚厚一层灰"
    reports = (
        (8, 20, "dust", dust_text, DUST, 1),
        (7, 19, "dust_again", "友木家具厂车间里到处是木粉，担心会爆炸", DUST, 2),
        (6, 21, "noise", "隔壁小区装修噪音太大，晚上还在施工", None, None),
        (1, 18, "waiting", "路边仓库门口堆放多个液化气钢瓶", None, None),
    )
    for days_ago, hour, name, text, ent, phone in reports:
        step = partial(report, name=name, text=text, enterprise=ent, phone=phone)
        timeline.at(days_ago, hour, step)
    for days_ago, name, decision, note in (
        (7, "dust", TriageDecision.accept, "经现场核实，情况属实，转入隐患台账"),
        (6, "dust_again", TriageDecision.duplicate, "与前一日同一企业的举报重复"),
        (5, "noise", TriageDecision.invalid, "不属于工贸企业安全生产举报范围，已告知12345"),
    ):
        timeline.at(days_ago, 9, partial(decide, name=name, decision=decision, note=note))
    timeline.at(3, 11, reward)

"""The change feed (`GET /api/v1/sync/changes`): each entry as of its change, with the
object's current content on `include=object` (issue 12)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.models.hazard import HazardCategory, HazardStatus
from app.models.permit import PermitStatus
from app.rules.levels import HazardLevel
from app.schemas.common import Schema
from app.schemas.confined_space import ConfinedSpaceRead
from app.schemas.enterprise import EnterpriseRead
from app.schemas.hazard import HazardRead
from app.schemas.hazard_overview import HazardOverview
from app.schemas.inspection import InspectionRead
from app.schemas.permit import (
    EntryRead,
    GasTestRead,
    InterruptionRead,
    MeasureRead,
    PermitRead,
    PersonRead,
    VentilationRead,
)

SyncObject = (
    HazardRead
    | HazardOverview
    | EnterpriseRead
    | InspectionRead
    | PermitRead
    | ConfinedSpaceRead
    | PersonRead
    | MeasureRead
    | VentilationRead
    | GasTestRead
    | InterruptionRead
    | EntryRead
)

# Object type → the schema of its current object (the permit routes' own read schemas).
SYNC_PERMIT_MODELS: dict[str, type[Schema]] = {
    "permit": PermitRead,
    "confined_space": ConfinedSpaceRead,
    "permit_person": PersonRead,
    "permit_measure": MeasureRead,
    "permit_ventilation": VentilationRead,
    "permit_gas_test": GasTestRead,
    "permit_interruption": InterruptionRead,
    "permit_entry": EntryRead,
}


class ChangeRead(Schema):
    position: str
    object_type: Literal[
        "enterprise",
        "hazard",
        "inspection",
        "permit",
        "confined_space",
        "permit_person",
        "permit_measure",
        "permit_ventilation",
        "permit_gas_test",
        "permit_interruption",
        "permit_entry",
    ]
    object_id: uuid.UUID
    enterprise_id: uuid.UUID
    op: Literal["upsert", "voided", "removed"] = Field(
        description="upsert 新增或修改 | voided 作废 | removed 已不在调用方范围内（客户端删除）"
    )
    status: HazardStatus | PermitStatus | None = Field(description="隐患或作业票在此次变更时的状态")
    changed_at: datetime
    # Hazards (null otherwise, and on `removed`): the row as of the change, no personal fields.
    grid_id: uuid.UUID | None = None
    ledger_no: str | None = None
    category: HazardCategory | None = None
    level: HazardLevel | None = Field(default=None, description="此次变更时的等级")
    deadline: date | None = Field(default=None, description="此次变更时的整改期限")
    supervised: bool | None = Field(default=None, description="此次变更时是否挂牌督办")


class ChangeWithObject(ChangeRead):
    object: SyncObject | None = Field(
        default=None,
        description="include=object 时：对象的当前内容（已移除或调用方无权读取时为 null）",
    )


class ChangeFeed(Schema):
    items: list[ChangeWithObject]
    next_cursor: str = Field(description="下次请求的 since；从不为 null")
    has_more: bool

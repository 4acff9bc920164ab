"""The change feed page, with each entry's current object on `include=object` (issue 12)."""

from __future__ import annotations

from pydantic import Field

from app.schemas.common import Schema
from app.schemas.confined_space import ConfinedSpaceRead
from app.schemas.enterprise import EnterpriseRead
from app.schemas.hazard import ChangeRead, HazardRead
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


class ChangeWithObject(ChangeRead):
    object: SyncObject | None = Field(
        default=None,
        description="include=object 时：对象的当前内容（已移除或调用方无权读取时为 null）",
    )


class ChangeFeed(Schema):
    items: list[ChangeWithObject]
    next_cursor: str = Field(description="下次请求的 since；从不为 null")
    has_more: bool

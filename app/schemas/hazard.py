"""Hazard payloads (brief §7): create, the transitions, and the ledger row."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from app.models.hazard import HazardCategory, HazardSource, HazardStatus, HazardType, PhotoKind
from app.models.permit import PermitStatus
from app.rules.levels import HazardLevel
from app.schemas.common import (
    BoundedDate,
    InputSchema,
    LongText,
    Name,
    Schema,
    ShortText,
    _single_line,
)

# Constraints before the guard, so OpenAPI shows the pattern.
ItemCode = Annotated[
    str, Field(pattern=r"^\d{1,2}\.\d{1,2}$", max_length=5), AfterValidator(_single_line)
]
PhotoIds = Annotated[list[uuid.UUID], Field(max_length=20)]
Required = Annotated[LongText, Field(min_length=1)]
Funds = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2)]


class HazardCreate(InputSchema):
    id: uuid.UUID | None = None
    enterprise_id: uuid.UUID
    description: Required
    category: HazardCategory
    location: ShortText | None = None
    hazard_type: HazardType | None = None
    source: HazardSource | None = Field(
        default=None, description="省略时按角色：企业自查 / 网格巡查 / 执法检查"
    )
    item_codes: list[ItemCode] = Field(default_factory=list, max_length=50)
    device_failed: bool = Field(default=False, description="第十四条：监控、报警、防护设施失效")
    level: HazardLevel | None = None
    level_reason: LongText | None = None
    photo_ids: PhotoIds = Field(default_factory=list)
    fixed_on_spot: bool = False
    evidence: LongText | None = None
    production_suspended: bool = False


class PlanBody(InputSchema):
    responsible_person: Name
    deadline: BoundedDate
    measures: Required
    funds: Funds | None = None
    goal: LongText | None = None
    interim_measures: LongText | None = None
    emergency_plan: LongText | None = None
    production_suspended: bool | None = None


class SubmitBody(InputSchema):
    evidence: Required
    photo_ids: PhotoIds = Field(default_factory=list)


class VerifyBody(InputSchema):
    passed: bool
    note: LongText | None = None
    new_deadline: BoundedDate | None = None


class ReasonBody(InputSchema):
    reason: Required


class SuperviseBody(InputSchema):
    unit: Name
    due: BoundedDate


class ExtendBody(InputSchema):
    new_deadline: BoundedDate
    reason: Required


class PhotoRef(Schema):
    upload_id: uuid.UUID
    kind: PhotoKind


# The transitions of services/hazards/machine.py (a test keeps the two lists equal).
HazardAction = Literal["plan", "submit", "verify", "void", "supervise", "extend", "downgrade"]


class Downgrade(Schema):
    reason: str
    by: uuid.UUID | None = None
    at: datetime | None = None
    from_level: HazardLevel | None = None


class Basis(Schema):
    """判定依据: the standard's version and items, or a recorded manual determination."""

    standard_version: str | None = None
    item_codes: list[str] = Field(default_factory=list)
    articles: list[int] = Field(default_factory=list)
    manual_reason: str | None = None
    device_failed: bool = False
    downgraded: Downgrade | None = Field(default=None, description="降级记录（原为重大隐患）")


class HazardRead(Schema):
    id: uuid.UUID
    ledger_no: str
    enterprise_id: uuid.UUID
    source: HazardSource
    description: str
    location: str | None
    category: HazardCategory
    hazard_type: HazardType | None
    level: HazardLevel
    basis: Basis
    status: HazardStatus
    fixed_on_spot: bool
    found_at: datetime
    found_by: uuid.UUID | None
    found_by_role: str | None
    inspection_id: uuid.UUID | None
    responsible_person: str | None
    deadline: date | None
    measures: str | None
    funds: float | None
    goal: str | None
    interim_measures: str | None
    emergency_plan: str | None
    evidence: str | None
    planned_at: datetime | None
    submitted_at: datetime | None
    verified_at: datetime | None
    verified_by: uuid.UUID | None
    closed_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    supervised: bool
    supervise_unit: str | None
    supervise_due: date | None
    supervised_at: datetime | None
    production_suspended: bool
    overdue: bool
    days_overdue: int
    photos: list[PhotoRef]
    allowed_actions: list[HazardAction] = Field(
        description="当前状态下可执行的操作（不含角色判断）"
    )
    version: int
    created_at: datetime
    updated_at: datetime


class HistoryRead(Schema):
    seq: int
    action: str
    from_status: HazardStatus | None
    to_status: HazardStatus
    actor_id: uuid.UUID | None
    actor_role: str | None
    at: datetime
    note: str | None
    data: dict[str, Any]


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

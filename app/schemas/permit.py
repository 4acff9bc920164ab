"""Permits to work (作业票): request and response bodies (issue 15)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from app.models.permit import PermitStatus
from app.rules.permits.gas import GasUnit
from app.rules.permits.kinds import HeightFactor, HeightSituation, PermitType
from app.schemas.common import InputSchema, Int32, LongText, Name, ParamStr, Schema, ShortText
from app.schemas.inspection import When

Reason = Annotated[LongText, Field(min_length=1)]
PersonName = Annotated[Name, Field(max_length=100)]


class PermitPersonRole(StrEnum):
    work_leader = "work_leader"  # 作业负责人
    worker = "worker"  # 作业人
    hot_work_operator = "hot_work_operator"  # 动火人
    guardian = "guardian"  # 监护人
    fire_watch = "fire_watch"  # 监火人（动火作业的专人监护，GB 30871-2022 5.2.1）
    analyst = "analyst"  # 气体分析人


class HotWorkInputs(InputSchema):
    """GB 30871-2022 5.1: the facts the hot-work grade is computed from."""

    fire_explosion_area: bool = Field(default=False, description="在火灾爆炸危险场所内")
    running_equipment: bool = Field(default=False, description="在生产运行状态下的设备上")
    major_hazard_dyke: bool = Field(default=False, description="在重大危险源罐区防火堤内")
    pipe_rack: bool = Field(default=False, description="在管廊上")
    holiday_or_night: bool = Field(default=False, description="节假日、公休日、夜间（升级管理）")


class HeightInputs(InputSchema):
    """GB 30871-2022 8.1: height and the nine objective hazard factors."""

    height_m: float = Field(ge=0, le=1000, description="作业高度（米）")
    hazard_factors: list[HeightFactor] = Field(default_factory=list, max_length=9)
    situations: list[HeightSituation] = Field(default_factory=list, max_length=9)


class PersonIn(InputSchema):
    id: uuid.UUID | None = None
    role: PermitPersonRole
    name: PersonName
    certificate_id: uuid.UUID | None = Field(default=None, description="特种作业操作证（记录模块）")
    checked_in: bool = Field(default=False, description="已到场签到（监护人开工前必须签到）")


class PersonRef(InputSchema):
    person_id: uuid.UUID


class MeasureIn(InputSchema):
    code: Annotated[
        ParamStr,
        Field(pattern=r"^[A-Za-z0-9.\-]{1,16}$", description="措施清单中的编号，如 H-5.2.1a"),
    ]
    text: Annotated[LongText, Field(min_length=1, max_length=1000)] | None = Field(
        default=None, description="省略时取措施清单的文字；保存的总是清单文字"
    )
    involved: bool = Field(description="是否涉及")
    confirmed_by: PersonName | None = None


class PermitCreate(InputSchema):
    id: uuid.UUID | None = Field(default=None, description="客户端生成的 id（离线创建）")
    enterprise_id: uuid.UUID
    type: PermitType
    location: Annotated[ShortText, Field(min_length=1)]
    work_content: Annotated[LongText, Field(min_length=1)]
    planned_start: When
    planned_end: When | None = Field(default=None, description="省略时取有效期上限")
    method: ShortText | None = None
    work_unit: ShortText | None = None
    risk_identification: LongText | None = None
    confined_space_id: uuid.UUID | None = Field(
        default=None, description="有限空间台账（必填于有限空间作业）"
    )
    predecessor_id: uuid.UUID | None = Field(default=None, description="重新办理时的原作业票")
    related_permit_id: uuid.UUID | None = Field(
        default=None, description="关联作业票（如有限空间内动火关联有限空间作业票）"
    )
    outdoor: bool = Field(default=False, description="露天作业（五级风以上停止露天动火）")
    hot_work: HotWorkInputs | None = None
    height: HeightInputs | None = None
    grade_override: Annotated[ParamStr, Field(max_length=8)] | None = Field(
        default=None, description="只能调高计算所得的级别"
    )
    grade_override_reason: LongText | None = None


class PermitUpdate(InputSchema):
    """Only a draft or rejected permit changes; after approval a change is a new permit."""

    location: Annotated[ShortText, Field(min_length=1)] | None = None
    work_content: Annotated[LongText, Field(min_length=1)] | None = None
    method: ShortText | None = None
    work_unit: ShortText | None = None
    risk_identification: LongText | None = None


class SignStepName(StrEnum):
    """GB 30871-2022 B.1 sign-off steps (the opinions of tables A.1/A.4, then approval)."""

    unit_opinion = "unit_opinion"  # 所在单位意见
    safety_dept_opinion = "safety_dept_opinion"  # 安全管理部门意见
    audit_dept_opinion = "audit_dept_opinion"  # 审核部门意见
    approval = "approval"  # 审批


class SignBody(InputSchema):
    on_site: bool = Field(description="审批人在作业现场（GB 30871-2022 4.11）")
    comment: LongText | None = None
    step: SignStepName | None = Field(default=None, description="签署的环节（须按顺序）")


Beaufort = Annotated[Int32, Field(ge=0, le=17, description="现场风力（蒲福风级）")]


class StartBody(InputSchema):
    note: LongText | None = None
    wind_force: Beaufort | None = None
    video_ref: Annotated[ShortText, Field(min_length=1)] | None = Field(
        default=None, description="特级动火作业视频监控记录编号（GB 30871-2022 5.2.11）"
    )


class ResumeBody(InputSchema):
    note: LongText | None = None
    wind_force: Beaufort | None = None


class CompleteBody(InputSchema):
    note: LongText | None = None
    residual_checked_by: uuid.UUID | None = Field(
        default=None, description="确认无残留火种的监火人（动火作业必填，GB 30871-2022 5.2.14）"
    )


class ReasonBody(InputSchema):
    reason: Reason


class OptionalNote(InputSchema):
    note: LongText | None = None


class PermitFinding(StrEnum):
    """What the street office found on site (permits.md §9), each one hazard."""

    space_unlisted = "space_unlisted"  # 有限空间未辨识、未建立台账
    uncertified_worker = "uncertified_worker"  # 特种作业人员无证上岗
    contractor_uncoordinated = "contractor_uncoordinated"  # 承包单位作业未统一协调、检查
    silo_clearing_unprotected = "silo_clearing_unprotected"  # 人工清库未落实防坠落、坍塌措施
    equipment_entry_unprotected = "equipment_entry_unprotected"  # 进入设备内部未隔离、防坠落


class OrderStopBody(InputSchema):
    reason: Reason
    create_hazard: bool = Field(default=False, description="同时登记隐患")
    findings: list[PermitFinding] = Field(
        default_factory=list, max_length=5, description="现场发现的问题（各登记一条隐患）"
    )


class GasReadingIn(InputSchema):
    gas: Annotated[
        ParamStr, Field(pattern=r"^[A-Za-z0-9]{1,8}$", description="气体代码，如 O2、CH4、H2S")
    ]
    value: float = Field(ge=0, le=1_000_000)
    unit: GasUnit


class GasPhase(StrEnum):
    pre_start = "pre_start"
    periodic = "periodic"
    after_interruption = "after_interruption"
    daily = "daily"
    alarm_recheck = "alarm_recheck"


class GasTestIn(InputSchema):
    id: uuid.UUID | None = None
    phase: GasPhase = GasPhase.pre_start
    sampled_at: When = Field(description="设备采样时间")
    point: ShortText | None = None
    analyst: PersonName
    instrument: ShortText | None = None
    readings: list[GasReadingIn] = Field(min_length=1, max_length=20)


class VentMethod(StrEnum):
    natural = "natural"
    mechanical = "mechanical"


class VentilationIn(InputSchema):
    id: uuid.UUID | None = None
    method: VentMethod
    started_at: When
    ended_at: When | None = None


class InterruptionIn(InputSchema):
    id: uuid.UUID | None = None
    reason: Reason


class EntryDirection(StrEnum):
    in_ = "in"
    out = "out"


class EntryIn(InputSchema):
    id: uuid.UUID | None = None
    person: PersonName
    direction: EntryDirection
    at: When
    tools: int = Field(default=0, ge=0, le=1000, description="随身携带工具件数")


class ViolationRead(Schema):
    code: str
    citation: str
    hazard_id: uuid.UUID


class PersonRead(Schema):
    id: uuid.UUID
    permit_id: uuid.UUID
    role: str
    name: str
    certificate_id: uuid.UUID | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    violations: list[ViolationRead] = Field(default_factory=list)


class MeasureRead(Schema):
    id: uuid.UUID
    permit_id: uuid.UUID
    code: str
    text: str
    involved: bool
    confirmed_by: str | None
    confirmed_at: datetime


class GasTestRead(Schema):
    id: uuid.UUID
    permit_id: uuid.UUID
    phase: str
    sampled_at: datetime
    received_at: datetime
    point: str | None
    analyst: str
    readings: list[dict[str, Any]]
    judgements: list[dict[str, Any]]
    passed: bool
    rules_version: str


class VentilationRead(Schema):
    id: uuid.UUID
    permit_id: uuid.UUID
    method: str
    started_at: datetime
    ended_at: datetime | None


class InterruptionRead(Schema):
    id: uuid.UUID
    permit_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None
    reason: str
    order_stop: bool


class EntryRead(Schema):
    id: uuid.UUID
    permit_id: uuid.UUID
    person: str
    direction: str
    at: datetime
    tools: int
    violations: list[ViolationRead] = Field(default_factory=list)


class PermitRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    permit_no: str
    type: str
    grade: str | None
    grade_computed: str | None
    grade_reasons: list[str]
    location: str
    work_content: str
    confined_space_id: uuid.UUID | None
    predecessor_id: uuid.UUID | None
    related_permit_id: uuid.UUID | None = None
    outdoor: bool = False
    video_ref: str | None = None
    residual_checked_at: datetime | None = None
    planned_start: datetime
    planned_end: datetime
    valid_from: datetime
    valid_to: datetime
    status: PermitStatus
    status_reason: str | None
    requires_review: bool
    approval: dict[str, Any]
    rules_version: str
    submitted_at: datetime | None
    approved_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None
    version: int
    allowed_actions: list[str] = Field(default_factory=list)


class LiveEnterprise(Schema):
    id: uuid.UUID
    name: str
    grid_id: uuid.UUID
    latitude: float | None
    longitude: float | None


class LivePermit(Schema):
    id: uuid.UUID
    permit_no: str
    type: str
    grade: str | None
    status: str
    valid_to: datetime
    past_validity: bool
    requires_review: bool
    started_at: datetime | None
    enterprise: LiveEnterprise


class PermitHistoryRead(Schema):
    seq: int
    action: str
    from_status: str | None
    to_status: str
    actor_role: str | None
    at: datetime
    note: str | None

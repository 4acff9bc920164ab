"""The year's priority tasks (§三(三)5), 五带头 records (§四(二)) and disclosures (§四(四))."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field

from app.models.disclosure import DisclosureKind
from app.models.priority_task import FocusKind
from app.rules.five_lead import FiveLead
from app.schemas.common import InputSchema, LongText, Name, ParamStr, Schema, ShortText

Code = Annotated[ParamStr, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9_.]+$")]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
PersonName = Annotated[Name, Field(max_length=100)]


class PriorityTaskCreate(InputSchema):
    id: uuid.UUID | None = None
    year: int = Field(ge=2000, le=2100)
    title: Name
    focus_kind: FocusKind
    focus_values: list[Code] = Field(min_length=1, max_length=50)
    target_inspected: int | None = Field(
        default=None, ge=0, le=100_000, description="目标：当年检查的重点企业数"
    )
    target_note: LongText | None = None


class TaskProgress(Schema):
    enterprises: int = Field(description="属于该重点任务范围的企业数")
    inspected: int = Field(description="当年已检查（执法、帮扶、巡查）的企业数")
    hazards_found: int = Field(description="当年发现的相关隐患")
    hazards_closed: int = Field(description="当年发现且已销号的相关隐患")
    major_open: int = Field(description="相关的未销号重大事故隐患")


class PriorityTaskRead(Schema):
    id: uuid.UUID
    year: int
    title: str
    focus_kind: FocusKind
    focus_values: list[str]
    target_inspected: int | None
    target_note: str | None
    citation: str
    progress: TaskProgress
    met: bool | None = Field(description="有目标时是否已达成")


class PrincipalActionCreate(InputSchema):
    id: uuid.UUID | None = None
    action: FiveLead = Field(description="五带头事项（标签见 /api/v1/meta/enums 的 five_lead）")
    principal_name: PersonName | None = Field(
        default=None, description="主要负责人；缺省为企业档案登记的主要负责人"
    )
    acted_on: Day
    description: LongText = Field(min_length=1)


class PrincipalActionRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    action: FiveLead
    label: str
    principal_name: str
    acted_on: date
    description: str
    created_at: datetime


class DisclosureCreate(InputSchema):
    id: uuid.UUID | None = None
    kind: DisclosureKind
    hazard_id: uuid.UUID | None = Field(default=None, description="挂牌督办重大事故隐患时必填")
    enterprise_id: uuid.UUID | None = Field(default=None, description="典型执法案例时必填")
    item: LongText | None = Field(default=None, description="公布事项；缺省取隐患描述")
    basis: LongText | None = Field(default=None, description="依据；缺省取隐患判定依据")
    deadline: Day | None = None
    case_status: ShortText | None = Field(default=None, description="执法案例办理情况")


class DisclosureRead(Schema):
    id: uuid.UUID
    kind: DisclosureKind
    enterprise_id: uuid.UUID
    hazard_id: uuid.UUID | None
    enterprise_name: str
    item: str
    basis: str
    deadline: date | None
    status: str
    published_at: datetime | None
    unpublished_at: datetime | None


class PublicDisclosure(Schema):
    """What the mini-program shows: no person's name, phone or internal id of a person."""

    id: uuid.UUID
    kind: DisclosureKind
    enterprise_name: str
    item: str
    basis: str
    deadline: date | None
    status: str
    published_at: datetime


class DisclosureAction(InputSchema):
    action: Literal["publish", "unpublish"]

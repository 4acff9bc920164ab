"""Drills, trainings and certificates (brief §7 Records)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from app.models.records import DrillKind, PersonRole, TrainingTopic
from app.rules.certificates import CertificateCategory, CertificateStatus
from app.schemas.common import InputSchema, LongText, ParamStr, Schema, ShortText, _no_nul

PersonName = Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=100)]
RecordDate = Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]


class DrillCreate(InputSchema):
    id: uuid.UUID | None = None
    held_on: RecordDate
    kind: DrillKind
    scenario: Annotated[ShortText, Field(min_length=1)]
    participants: int = Field(ge=1, le=100_000, description="参演人数")
    observed_by_street_office: bool = Field(default=False, description="街道现场观摩")
    findings: LongText | None = Field(default=None, description="演练发现的问题")
    plan_revised: bool = Field(default=False, description="演练后已修订预案")
    photo_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class DrillRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    held_on: date
    kind: DrillKind
    scenario: str
    participants: int
    observed_by_street_office: bool
    findings: str | None
    plan_revised: bool
    photo_ids: list[uuid.UUID]
    created_at: datetime


class TrainingCreate(InputSchema):
    id: uuid.UUID | None = None
    person_name: PersonName
    person_role: PersonRole
    topic: TrainingTopic
    hours: float = Field(gt=0, le=1000, description="学时")
    completed_on: RecordDate
    passed: bool | None = None


class TrainingRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    person_name: str
    person_role: PersonRole
    topic: TrainingTopic
    hours: float
    completed_on: date
    passed: bool | None
    created_at: datetime


class CertificateCreate(InputSchema):
    id: uuid.UUID | None = None
    holder_name: PersonName
    id_number: ParamStr | None = Field(
        default=None,
        min_length=18,
        max_length=18,
        description="居民身份证号码（GB 11643 校验）；仅街道安委办可见全文",
    )
    category: CertificateCategory
    operation: Annotated[str, AfterValidator(_no_nul)] | None = Field(
        default=None, min_length=1, max_length=100, description="操作项目，如 低压电工作业"
    )
    certificate_no: Annotated[str, AfterValidator(_no_nul)] = Field(min_length=1, max_length=64)
    issued_on: RecordDate
    expires_on: RecordDate
    next_review_on: RecordDate | None = Field(
        default=None, description="下次复审日期；缺省为发证日期 + 3 年（30号令 第二十一条）"
    )


class CertificateRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    holder_name: str
    id_number: str | None
    category: CertificateCategory
    operation: str | None
    certificate_no: str
    issued_on: date
    expires_on: date
    next_review_on: date
    status: CertificateStatus
    created_at: datetime

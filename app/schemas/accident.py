"""Accidents and warning interviews (brief §2; plan §三(三)6)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

from app.rules.accidents import AccidentGrade
from app.schemas.common import BoundedDateTime, InputSchema, LongText, Schema, _no_nul

PersonName = Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=100)]


class AccidentCreate(InputSchema):
    id: uuid.UUID | None = None
    enterprise_id: uuid.UUID
    occurred_at: BoundedDateTime
    description: Annotated[LongText, Field(min_length=1)]
    deaths: int = Field(default=0, ge=0, le=100_000)
    serious_injuries: int = Field(default=0, ge=0, le=100_000)
    direct_loss_yuan: Decimal = Field(
        default=Decimal(0), ge=0, le=Decimal("99999999999999"), decimal_places=2
    )
    major_risk_event: bool = Field(default=False, description="重大涉险事故（方案 三(三)6）")


class AccidentRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    occurred_at: datetime
    description: str
    deaths: int
    serious_injuries: int
    direct_loss_yuan: Decimal
    grade: AccidentGrade
    major_risk_event: bool
    created_at: datetime


class InterviewCreate(InputSchema):
    id: uuid.UUID | None = None
    enterprise_id: uuid.UUID
    person_name: PersonName = Field(description="被约谈人")
    person_title: PersonName | None = Field(default=None, description="职务，如 主要负责人")
    reason: Annotated[LongText, Field(min_length=1)]
    accident_id: uuid.UUID | None = None
    hazard_id: uuid.UUID | None = None
    held_on: Annotated[date, Field(ge=date(1990, 1, 1), le=date(2100, 12, 31))]
    reported_to_district: bool = Field(default=False, description="已上报区应急局")


class InterviewRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    person_name: str
    person_title: str | None
    reason: str
    accident_id: uuid.UUID | None
    hazard_id: uuid.UUID | None
    held_on: date
    reported_to_district: bool
    created_at: datetime


class AccidentUpdate(InputSchema):
    """Late figures (补报): deaths within 30 days, revised injuries or loss; re-grades."""

    description: Annotated[LongText, Field(min_length=1)] | None = None
    deaths: int | None = Field(default=None, ge=0, le=100_000)
    serious_injuries: int | None = Field(default=None, ge=0, le=100_000)
    direct_loss_yuan: Decimal | None = Field(
        default=None, ge=0, le=Decimal("99999999999999"), decimal_places=2
    )
    major_risk_event: bool | None = Field(default=None, description="重大涉险事故（方案 三(三)6）")

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from app.models.enterprise import Designation
from app.rules.enterprise_kinds import Feature, Sector, Tier
from app.schemas.common import (
    BoundedDate,
    InputSchema,
    Latitude,
    Longitude,
    Name,
    ParamStr,
    Schema,
    ShortText,
    _no_nul,
)

Phone = Annotated[
    str, AfterValidator(_no_nul), Field(max_length=32, pattern=r"^[0-9+\-() ]{3,32}$")
]
PersonName = Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=100)]
Uscc = Annotated[
    ParamStr, Field(min_length=18, max_length=18, description="统一社会信用代码 (GB 32100)")
]


class EnterpriseContactFields(InputSchema):
    """The fields an enterprise head may change on its own enterprise (brief §7)."""

    address: ShortText | None = None
    employee_count: int | None = Field(default=None, ge=0, le=1_000_000)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    principal_name: PersonName | None = None
    principal_phone: Phone | None = None
    safety_manager_name: PersonName | None = None
    safety_manager_phone: Phone | None = None


HEAD_EDITABLE_FIELDS = frozenset(EnterpriseContactFields.model_fields)


class EnterpriseUpdate(EnterpriseContactFields):
    name: Name | None = None
    uscc: Uscc | None = None
    grid_id: uuid.UUID | None = None
    tier: Tier | None = None
    sector: Sector | None = None
    features: list[Feature] | None = Field(default=None, max_length=len(Feature))
    standardization_grade: int | None = Field(default=None, ge=1, le=3)
    standardization_certified_on: BoundedDate | None = None
    standardization_expires_on: BoundedDate | None = None
    designation: Designation | None = None
    designation_year: int | None = Field(default=None, ge=2000, le=2100)
    standardization_benchmark_year: int | None = Field(
        default=None, ge=2000, le=2100, description="安全生产标准化标杆企业选树年度（方案 三(四)8）"
    )
    standardization_required: bool | None = Field(
        default=None, description="须取得安全生产标准化等级（未取得时合规检查记为未达标）"
    )
    landlord_id: uuid.UUID | None = None


class EnterpriseCreate(EnterpriseUpdate):
    id: uuid.UUID | None = None
    name: Name
    grid_id: uuid.UUID
    tier: Tier
    sector: Sector
    features: list[Feature] = Field(default_factory=list, max_length=len(Feature))


class EnterpriseRead(Schema):
    id: uuid.UUID
    name: str
    uscc: str | None
    address: str | None
    grid_id: uuid.UUID
    tier: Tier
    sector: Sector
    features: list[Feature]
    employee_count: int | None
    latitude: float | None
    longitude: float | None
    principal_name: str | None
    principal_phone: str | None
    safety_manager_name: str | None
    safety_manager_phone: str | None
    standardization_grade: int | None
    standardization_certified_on: date | None
    standardization_expires_on: date | None
    designation: Designation | None
    designation_year: int | None
    standardization_benchmark_year: int | None
    standardization_required: bool
    landlord_id: uuid.UUID | None
    is_demo: bool
    version: int
    created_at: datetime
    updated_at: datetime

"""The confined-space ledger (13号令 art. 6) and approval delegations (art. 7)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from app.models.permit import Duty
from app.rules.permits.kinds import PermitType
from app.schemas.common import InputSchema, LongText, Name, ParamStr, Schema, ShortText
from app.schemas.inspection import When


class PoisonGas(StrEnum):
    """13号令 art. 7 / 第10号令 第十三条: the gases that make a space's work need the principal."""

    H2S = "H2S"
    CO = "CO"
    CO2 = "CO2"


class ConfinedSpaceCreate(InputSchema):
    id: uuid.UUID | None = None
    code: Annotated[ParamStr, Field(pattern=r"^[A-Za-z0-9\-_.]{1,32}$")] | None = Field(
        default=None, description="台账编号；省略时按顺序编号"
    )
    name: Name
    location: Annotated[ShortText, Field(min_length=1)]
    medium: ShortText | None = Field(default=None, description="原有介质")
    poisoning_gases: list[PoisonGas] = Field(default_factory=list, max_length=3)
    signs_posted: bool = Field(default=False, description="已设置明显的安全警示标志（第十一条）")


class ConfinedSpaceRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    code: str
    name: str
    location: str
    medium: str | None
    poisoning_gases: list[str]
    poisoning_risk: bool
    signs_posted: bool
    is_active: bool
    created_at: datetime


class DelegationCreate(InputSchema):
    id: uuid.UUID | None = None
    enterprise_id: uuid.UUID
    grantee_id: uuid.UUID = Field(description="被授权的企业账号")
    duty: Duty
    permit_types: list[PermitType] = Field(default_factory=list, max_length=3)
    valid_from: When
    valid_to: When
    document_upload_id: uuid.UUID | None = Field(default=None, description="书面委托书扫描件")
    note: LongText | None = None


class DelegationRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    grantee_id: uuid.UUID
    duty: str
    permit_types: list[str]
    valid_from: datetime
    valid_to: datetime
    document_upload_id: uuid.UUID | None
    revoked_at: datetime | None
    revoke_reason: str | None
    active: bool = False

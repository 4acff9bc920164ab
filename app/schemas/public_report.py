"""Public report payloads (brief §7): the anonymous mini-program side and the staff side."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from app.models.hazard import HazardCategory
from app.models.public_report import ReportOutcome, ReportStatus
from app.schemas.common import BoundedDate, InputSchema, ParamStr, Schema, Text

# Bidi overrides/isolates can make a description display differently from what is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MULTILINE_OK = frozenset("\t\n\r")


def _clean(value: str, *, multiline: bool) -> str:
    """Refuse what no honest reporter types: control characters, lone surrogates (which
    PostgreSQL cannot store), bidi overrides. Everything else — SQL, HTML — is kept verbatim."""
    for ch in value:
        cat = unicodedata.category(ch)
        if cat == "Cc" and not (multiline and ch in _MULTILINE_OK):
            raise ValueError("不允许包含控制字符")
        if cat == "Cs":
            raise ValueError("包含无效的 Unicode 字符")
        if ch in _BIDI_CONTROLS:
            raise ValueError("不允许包含文字方向控制字符")
    return value.strip()


def _clean_multiline(value: str) -> str:
    return _clean(value, multiline=True)


def _clean_line(value: str) -> str:
    return _clean(value, multiline=False)


DESCRIPTION_MIN = 10


def _description(value: str) -> str:
    # Length counts after trimming, so ten spaces are not a description.
    value = _clean_multiline(value)
    if len(value) < DESCRIPTION_MIN:
        raise ValueError(f"至少 {DESCRIPTION_MIN} 个字（不计首尾空白）")
    return value


Description = Annotated[
    str,
    AfterValidator(_description),
    Field(min_length=DESCRIPTION_MIN, max_length=2000, description="隐患描述，10–2000 字"),
]
LineText = Annotated[str, AfterValidator(_clean_line), Field(max_length=300)]
EnterpriseName = Annotated[str, AfterValidator(_clean_line), Field(max_length=200)]
PhoneInput = Annotated[str, AfterValidator(_clean_line), Field(max_length=32)]
NoteText = Annotated[str, AfterValidator(_clean_multiline), Field(max_length=2000)]

MAX_PHOTOS = 6


class PublicReportCreate(InputSchema):
    description: Description
    location_text: LineText | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90, description="纬度 (GCJ-02)")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="经度 (GCJ-02)")
    enterprise_name: EnterpriseName | None = None
    photo_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_PHOTOS)
    contact_phone: PhoneInput | None = Field(
        default=None, description="中国大陆手机号，仅街道安委办可见"
    )
    wants_reward: bool = False

    @model_validator(mode="after")
    def _check(self) -> PublicReportCreate:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude 与 longitude 须同时提供")
        if len(set(self.photo_ids)) != len(self.photo_ids):
            raise ValueError("photo_ids 不能重复")
        return self


class PublicReportReceipt(Schema):
    receipt_code: str
    status: Literal["received"] = "received"


class PublicReportStatus(Schema):
    """Everything a reporter learns, and nothing else (brief §7)."""

    receipt_code: str
    status: ReportStatus
    received_at: datetime
    outcome: ReportOutcome
    hazard_status: str | None
    reward_decided: bool


class PublicUploadRead(Schema):
    id: uuid.UUID
    content_type: str
    size: int
    width: int
    height: int


class TriageDecision(StrEnum):
    accept = "accept"
    duplicate = "duplicate"
    invalid = "invalid"


class TriageRequest(InputSchema):
    decision: TriageDecision
    enterprise_id: uuid.UUID | None = None
    note: NoteText | None = None
    duplicate_of: uuid.UUID | None = Field(default=None, description="重复的举报或隐患 id")
    # For `accept`: how the hazard is registered; the level follows the rules (brief §7).
    category: HazardCategory = HazardCategory.other
    item_codes: list[Annotated[ParamStr, Field(max_length=16)]] = Field(
        default_factory=list, max_length=50
    )
    level: Literal["general", "major"] | None = None
    level_reason: Annotated[Text, Field(max_length=2000)] | None = None


class RewardRequest(InputSchema):
    eligible: bool
    amount: Decimal | None = Field(default=None, ge=0, le=1_000_000, decimal_places=2)
    paid_on: BoundedDate | None = None
    note: NoteText | None = None


class Reward(Schema):
    eligible: bool | None
    amount: Decimal | None
    paid_on: date | None
    decided_at: datetime | None


class Triage(Schema):
    decided_by: uuid.UUID | None
    decided_at: datetime | None
    note: str | None
    duplicate_of_report_id: uuid.UUID | None
    duplicate_of_hazard_id: uuid.UUID | None


class PossibleDuplicate(Schema):
    kind: Literal["hazard", "report"]
    id: uuid.UUID
    enterprise_id: uuid.UUID | None
    at: datetime
    status: str
    description: str
    distance_m: float | None


class ReportRead(Schema):
    """A report as staff see it; `contact_phone` is full for the street office, masked for
    grid staff, and null in POST answers (which the idempotency store keeps)."""

    id: uuid.UUID
    receipt_code: str
    description: str
    location_text: str | None
    latitude: float | None
    longitude: float | None
    enterprise_name: str | None
    enterprise_id: uuid.UUID | None
    has_contact: bool
    contact_phone: str | None
    wants_reward: bool
    status: ReportStatus
    outcome: ReportOutcome
    received_at: datetime
    photo_ids: list[uuid.UUID]
    hazard_id: uuid.UUID | None
    triage: Triage | None
    reward: Reward | None
    possible_duplicates: list[PossibleDuplicate] | None = Field(
        default=None, description="仅在单条查询中给出"
    )

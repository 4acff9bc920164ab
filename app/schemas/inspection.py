"""Inspections (检查) with responses per checklist item and quiz records (brief §7)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from app.models.hazard import HazardCategory
from app.models.inspection import InspectionKind, ResponseResult
from app.models.inspection_plan import InspectionTrigger
from app.schemas.common import (
    BoundedDateTime,
    InputSchema,
    Latitude,
    Longitude,
    LongText,
    Schema,
    _no_nul,
    _single_line,
)

PersonName = Annotated[
    str,
    AfterValidator(_no_nul),
    AfterValidator(str.strip),
    Field(min_length=1, max_length=100),
]
Question = Annotated[str, AfterValidator(_no_nul), Field(min_length=1, max_length=2000)]
ItemCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,3}\.[0-9]{1,3}$",
        max_length=7,
        description='判定标准条目 "<条>.<项>"，例如 3.2',
    ),
    AfterValidator(_single_line),
]


def _utc(value: datetime) -> datetime:
    # One representation per instant, so a re-sent body hashes the same however it was written.
    return value.astimezone(UTC)


When = Annotated[BoundedDateTime, AfterValidator(_utc)]


class ResponseIn(InputSchema):
    item_code: ItemCode
    result: ResponseResult = Field(
        description="pass 符合 | fail 不符合（判定为重大事故隐患） | na 不涉及"
    )
    note: LongText | None = None
    photo_ids: list[uuid.UUID] = Field(default_factory=list, max_length=9)
    device_failed: bool = Field(
        default=False,
        description="第十四条：该条目所依赖的监控、报警、防护设施失效或无效（仅 fail 时）",
    )
    category: HazardCategory | None = Field(
        default=None, description="fail 生成隐患时的类别；省略时按条目推定"
    )


class QuizIn(InputSchema):
    """逢查必考、逢查必问 (plan §三(三)4)."""

    person: PersonName = Field(description="被考问人员")
    question: Question
    passed: bool


class CheckinIn(InputSchema):
    """Where the inspector checked in. GCJ-02 (火星坐标), as WeChat and Chinese map SDKs give."""

    latitude: Latitude
    longitude: Longitude
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class InspectionCreate(InputSchema):
    id: uuid.UUID | None = Field(default=None, description="离线创建时由客户端生成")
    enterprise_id: uuid.UUID
    kind: InspectionKind
    started_at: When
    finished_at: When | None = None
    led_by: PersonName | None = Field(
        default=None,
        description="带队人；街道安委办登记主要负责人带队检查时必填，须为企业主要负责人",
    )
    inspectors: list[PersonName] = Field(default_factory=list, max_length=20)
    responses: list[ResponseIn] = Field(default_factory=list, max_length=200)
    quiz: list[QuizIn] = Field(default_factory=list, max_length=200)
    checkin: CheckinIn | None = None
    note: LongText | None = None
    plan_item_id: uuid.UUID | None = Field(default=None, description="所履行的检查计划事项")
    draw_id: uuid.UUID | None = Field(default=None, description="所履行的双随机抽取")
    trigger: InspectionTrigger = Field(
        default=InspectionTrigger.routine,
        description="routine 计划内；complaint 投诉举报；referral 转办交办"
        "（后两者不受年度上限约束）",
    )

    @model_validator(mode="after")
    def _finished_after_start(self) -> InspectionCreate:
        if self.finished_at is not None and self.finished_at < self.started_at:
            raise ValueError("finished_at 不能早于 started_at")
        return self


class ResponseRead(Schema):
    item_code: str
    result: ResponseResult
    note: str | None
    device_failed: bool
    photo_ids: list[uuid.UUID]
    hazard_id: uuid.UUID | None


class QuizRead(Schema):
    person: str
    question: str
    passed: bool


class CheckinRead(Schema):
    """GCJ-02 coordinates."""

    latitude: float
    longitude: float
    accuracy_m: float | None


class Coverage(Schema):
    answered: int = Field(description="已作答的适用条目数")
    applicable: int = Field(description="登记时适用于该企业的条目数")


class InspectionRead(Schema):
    id: uuid.UUID
    enterprise_id: uuid.UUID
    kind: InspectionKind
    started_at: datetime
    finished_at: datetime | None
    led_by: str | None
    inspectors: list[str]
    filed_by: uuid.UUID
    filed_by_role: str
    standard_version: str
    responses: list[ResponseRead]
    quiz: list[QuizRead]
    quiz_pass_rate: float | None = Field(description="考问通过率 0–1；无考问记录时为 null")
    checkin: CheckinRead | None
    checkin_distance_m: float | None = Field(description="签到点到企业坐标的距离（米）")
    far_from_site: bool | None = Field(description="签到距离超出允许半径；无法计算时为 null")
    hazard_ids: list[uuid.UUID]
    coverage: Coverage
    note: str | None
    plan_item_id: uuid.UUID | None = None
    draw_id: uuid.UUID | None = None
    trigger: InspectionTrigger = InspectionTrigger.routine
    created_at: datetime

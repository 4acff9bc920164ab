"""Validation messages a person can read, in Chinese and English (issue 12 item 6).

Pydantic writes English messages and machine paths (`body.responsible_person: Field
required`). Here each error type has a Chinese and an English template, each field name its
Chinese label, so the Chinese answer reads `整改责任人：必填` while `errors[].loc` keeps the
machine path for the client. Unknown types fall back to a generic message in the caller's
language — never to the other language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Field and parameter names → their Chinese labels (as on the forms and in the ledger).
LABELS: dict[str, str] = {
    "Idempotency-Key": "幂等键", "If-Match": "版本条件", "id": "编号", "version": "版本",
    "record_id": "记录编号",
    "accident_id": "事故编号", "accuracy_m": "定位精度（米）", "actor_id": "操作人",
    "address": "地址", "amount": "金额", "category": "类别", "certificate_id": "证书编号",
    "certificate_no": "证书号", "checkin": "签到位置", "client_id": "客户端标识",
    "client_secret": "客户端密钥", "completed_on": "完成日期", "contact_phone": "联系电话",
    "cursor": "分页游标", "deadline": "整改期限", "deaths": "死亡人数", "decision": "处理决定",
    "description": "描述", "designation": "示范/标杆称号", "designation_year": "称号年度",
    "device_failed": "设备是否失效", "direct_loss_yuan": "直接经济损失（元）",
    "display_name": "姓名", "drill_id": "演练编号", "due": "督办期限",
    "duplicate_of": "重复的举报", "eligible": "是否符合条件", "emergency_plan": "应急预案",
    "employee_count": "从业人数", "enterprise_id": "企业", "enterprise_name": "企业名称",
    "evidence": "整改情况", "expires_on": "有效期至", "feature": "风险特征",
    "features": "风险特征", "file": "文件", "findings": "发现的问题", "finished_at": "结束时间",
    "fixed_on_spot": "当场整改", "format": "格式", "found_from": "发现日期起",
    "found_to": "发现日期止", "from": "起始", "funds": "整改资金（元）", "goal": "整改目标",
    "grade": "等级", "grant_type": "授权类型", "grid_id": "网格", "grid_ids": "网格",
    "group_by": "分组方式", "hazard_id": "隐患编号", "hazard_type": "隐患类型",
    "held_on": "演练日期", "holder_name": "持证人", "hours": "学时", "id_number": "身份证号",
    "include": "附带内容",
    "inspection_id": "检查编号", "inspectors": "检查人员", "interim_measures": "临时安全措施",
    "interview_id": "约谈编号", "is_active": "是否启用", "issued_on": "发证日期",
    "item_code": "检查项", "item_codes": "检查项", "kind": "类型", "landlord_id": "出租方企业",
    "latitude": "纬度", "led_by": "带队人", "level": "隐患等级", "level_reason": "定级理由",
    "limit": "每页条数", "location": "位置", "location_text": "位置描述", "longitude": "经度",
    "measures": "整改措施", "name": "名称", "new_deadline": "新整改期限",
    "next_review_on": "下次复审日期",
    "note": "备注", "observed_by_street_office": "街道是否观摩", "wants_reward": "是否申请奖励",
    "webhook_id": "订阅编号",
    "object_id": "对象编号", "object_type": "对象类型", "occurred_at": "发生时间",
    "operation": "操作", "outcome": "处理结果", "overdue": "是否逾期", "paid_on": "发放日期",
    "participants": "参加人数", "passed": "是否通过", "password": "密码", "person": "被问人员",
    "person_name": "姓名", "person_role": "人员类别", "person_title": "职务",
    "photo_ids": "照片", "plan_revised": "是否修订预案", "principal_name": "主要负责人",
    "principal_phone": "主要负责人电话", "production_suspended": "是否停产",
    "q": "关键词", "question": "问题", "quiz": "逢查必考记录", "reason": "理由",
    "receipt_code": "回执码", "refresh_token": "刷新令牌", "report_id": "举报编号",
    "reported_to_district": "是否已报区", "responses": "检查结果",
    "responsible_person": "整改责任人",
    "result": "结果", "role": "角色", "safety_manager_name": "安全管理人员",
    "safety_manager_phone": "安全管理人员电话", "scenario": "演练情景", "scope": "范围",
    "sector": "行业", "serious_injuries": "重伤人数", "since": "起点",
    "source": "隐患来源", "standardization_certified_on": "标准化评定日期",
    "standardization_expires_on": "标准化有效期至", "standardization_grade": "标准化等级",
    "started_at": "开始时间", "status": "状态", "supervised": "是否挂牌督办", "tier": "企业分级",
    "to": "截止", "topic": "培训内容", "topics": "订阅主题", "training_id": "培训编号",
    "unit": "督办单位", "unmatched": "是否未匹配", "upload_id": "照片编号", "url": "地址",
    "uscc": "统一社会信用代码", "user_id": "用户编号", "username": "用户名", "year": "年度",
    # Permits, inspection plans, bulletins, disclosures, jobs (issues 13-15).
    "acted_on": "履职日期",
    "action": "五带头事项",
    "active": "是否有效",
    "analyst": "气体分析人",
    "at": "时间",
    "basis": "依据",
    "bulletin_id": "通报编号",
    "case_status": "执法案例办理情况",
    "checked_in": "已到场签到",
    "code": "代码",
    "comment": "意见",
    "confined_space_id": "有限空间",
    "confirmed_by": "确认人",
    "count": "抽取企业数",
    "create_hazard": "同时登记隐患",
    "delegation_id": "委托编号",
    "delivery_id": "投递记录编号",
    "direction": "方向（进/出）",
    "disclosure_id": "公布编号",
    "document_upload_id": "书面委托书",
    "draw_id": "双随机抽取",
    "duty": "职责",
    "end": "结束日期",
    "ended_at": "结束时间",
    "entries": "进出记录",
    "exclusions": "排除对象",
    "export_id": "导出任务编号",
    "fire_explosion_area": "在火灾爆炸危险场所内",
    "focus_kind": "重点类型",
    "focus_values": "重点内容",
    "frequency": "检查频次",
    "gas": "气体",
    "grade_override": "调高的级别",
    "grade_override_reason": "调高级别的理由",
    "grantee_id": "被授权人",
    "hazard_factors": "危险因素",
    "height": "高处作业信息",
    "height_m": "作业高度（米）",
    "holiday_or_night": "节假日或夜间",
    "hot_work": "动火作业信息",
    "inspector_ids": "检查人员",
    "inspectors_per_enterprise": "每家企业检查人员数",
    "instrument": "发布文号",
    "involved": "是否涉及",
    "item": "公布事项",
    "items": "事项",
    "jurisdiction": "辖区",
    "legal_basis": "检查依据",
    "major_hazard_dyke": "在重大危险源罐区防火堤内",
    "major_risk_event": "重大涉险事故",
    "medium": "原有介质",
    "method": "检查方式",
    "month": "月份",
    "notification_id": "通知编号",
    "on_site": "审批人在作业现场",
    "outdoor": "露天作业",
    "step": "签署环节",
    "related_permit_id": "关联作业票",
    "residual_checked_by": "确认无残留火种的监火人",
    "video_ref": "视频监控记录编号",
    "wind_force": "现场风力",
    "permit_id": "作业票编号",
    "permit_types": "作业类型",
    "person_id": "人员编号",
    "phase": "阶段",
    "pipe_rack": "在管廊上",
    "plan_id": "检查计划编号",
    "plan_item_id": "检查计划事项",
    "planned_end": "计划结束时间",
    "planned_start": "计划开始时间",
    "point": "检测点",
    "poisoning_gases": "中毒风险气体",
    "poisoning_risk": "是否存在中毒风险",
    "predecessor_id": "原作业票",
    "ratio_percent": "抽取比例（%）",
    "readings": "检测读数",
    "risk_identification": "危险辨识",
    "running_equipment": "在生产运行的设备上",
    "sampled_at": "采样时间",
    "seed": "随机种子",
    "signs_posted": "已设置安全警示标志",
    "situations": "特殊情形",
    "space_id": "有限空间编号",
    "standardization_benchmark_year": "标准化标杆选树年度",
    "standardization_required": "须取得标准化等级",
    "start": "起始日期",
    "target_inspected": "目标检查企业数",
    "target_note": "目标说明",
    "text": "条文原文",
    "title": "标题",
    "tools": "工具件数",
    "trigger": "检查起因",
    "type": "类型",
    "unread": "是否未读",
    "valid_from": "生效时间",
    "valid_to": "失效时间",
    "value": "数值",
    "witnesses": "见证人",
    "work_content": "作业内容",
    "work_unit": "作业单位",
    "yearly_cap": "年度检查上限",
}  # fmt: skip

# Pydantic error type → (Chinese, English) template; `{…}` names come from the error's ctx.
TEMPLATES: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    "extra_forbidden": ("不允许的字段", "unknown field"),
    "json_invalid": ("不是有效的 JSON", "invalid JSON"),
    "json_type": ("须为 JSON 文本", "must be JSON text"),
    "model_type": ("须为对象", "must be an object"),
    "model_attributes_type": ("须为对象", "must be an object"),
    "dict_type": ("须为对象", "must be an object"),
    "list_type": ("须为数组", "must be an array"),
    "set_type": ("须为数组", "must be an array"),
    "tuple_type": ("须为数组", "must be an array"),
    "iterable_type": ("须为数组", "must be an array"),
    "too_short": ("至少 {min_length} 项", "at least {min_length} items"),
    "too_long": ("至多 {max_length} 项", "at most {max_length} items"),
    "string_type": ("须为文本", "must be a string"),
    "string_unicode": ("须为有效的 Unicode 文本", "must be valid Unicode text"),
    "string_too_short": ("至少 {min_length} 个字符", "at least {min_length} characters"),
    "string_too_long": ("至多 {max_length} 个字符", "at most {max_length} characters"),
    "string_pattern_mismatch": ("格式不正确", "does not match the required format"),
    "string_not_ascii": ("只能包含 ASCII 字符", "must be ASCII"),
    "enum": ("须为以下之一：{expected}", "must be one of {expected}"),
    "literal_error": ("须为以下之一：{expected}", "must be one of {expected}"),
    "bool_type": ("须为 true 或 false", "must be true or false"),
    "bool_parsing": ("须为 true 或 false", "must be true or false"),
    "int_type": ("须为整数", "must be an integer"),
    "int_parsing": ("须为整数", "must be an integer"),
    "int_parsing_size": ("整数超出范围", "integer out of range"),
    "int_from_float": ("须为整数，不能有小数", "must be a whole number"),
    "float_type": ("须为数字", "must be a number"),
    "float_parsing": ("须为数字", "must be a number"),
    "finite_number": ("须为有限的数字", "must be a finite number"),
    "decimal_type": ("须为数字", "must be a number"),
    "decimal_parsing": ("须为数字", "must be a number"),
    "decimal_max_digits": ("至多 {max_digits} 位数字", "at most {max_digits} digits"),
    "decimal_max_places": ("至多 {decimal_places} 位小数", "at most {decimal_places} decimals"),
    "decimal_whole_digits": ("整数部分位数过多", "too many digits before the point"),
    "multiple_of": ("须为 {multiple_of} 的整数倍", "must be a multiple of {multiple_of}"),
    "greater_than": ("须大于 {gt}", "must be greater than {gt}"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than": ("须小于 {lt}", "must be less than {lt}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "uuid_type": ("须为 UUID", "must be a UUID"),
    "uuid_parsing": ("须为 UUID", "must be a UUID"),
    "uuid_version": ("UUID 版本不符", "wrong UUID version"),
    "date_type": ("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_parsing": ("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": ("须为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": ("须为日期，不能带时刻", "must be a date without a time"),
    "date_past": ("须为过去的日期", "must be in the past"),
    "date_future": ("须为将来的日期", "must be in the future"),
    "time_type": ("须为时刻", "must be a time"),
    "time_parsing": ("须为时刻", "must be a time"),
    "datetime_type": ("须为带时区的时间", "must be a date-time with offset"),
    "datetime_parsing": ("须为带时区的时间", "must be a date-time with offset"),
    "datetime_from_date_parsing": ("须为带时区的时间", "must be a date-time with offset"),
    "datetime_object_invalid": ("时间无效", "invalid date-time"),
    "datetime_past": ("须为过去的时间", "must be in the past"),
    "datetime_future": ("须为将来的时间", "must be in the future"),
    "timezone_aware": ("须带时区（如 +08:00）", "must carry a UTC offset (e.g. +08:00)"),
    "timezone_naive": ("不能带时区", "must not carry a UTC offset"),
    "timezone_offset": ("时区不符", "wrong UTC offset"),
    "url_type": ("须为网址", "must be a URL"),
    "url_parsing": ("须为有效的网址", "must be a valid URL"),
    "url_syntax_violation": ("须为有效的网址", "must be a valid URL"),
    "url_too_long": ("网址过长", "URL too long"),
    "url_scheme": ("网址协议不允许", "URL scheme not allowed"),
    "bytes_type": ("须为文件或字节", "must be bytes"),
    "bytes_too_short": ("内容过短", "too short"),
    "bytes_too_long": ("内容过长", "too long"),
    "is_instance_of": ("须为上传的文件", "must be an uploaded file"),
    "none_required": ("须为空", "must be null"),
    "union_tag_invalid": ("类型不正确", "wrong kind"),
    "union_tag_not_found": ("缺少类型字段", "kind missing"),
    "assertion_error": ("不符合要求", "invalid value"),
    "value_error": ("不符合要求", "invalid value"),
}
FALLBACK = ("输入无效", "invalid value")

# Our own validators raise ValueError with a Chinese message (schemas, shared types): their
# English versions. A message missing here answers English callers with the generic text.
VALUE_ERRORS_EN: dict[str, str] = {
    "不允许包含空字符 (NUL)": "NUL characters are not allowed",
    "不允许包含空字符 (NUL)、控制字符或无效的 Unicode 字符": (
        "NUL bytes, control characters and invalid Unicode characters are not allowed"
    ),
    "不允许包含控制字符": "control characters are not allowed",
    "时间须在 1990-01-01 至 2100-01-01 之间": "must lie between 1990-01-01 and 2100-01-01",
    "须且只须提供 month，或同时提供 start 与 end": "give either month, or both start and end",
    "end 不能早于 start": "end must not be before start",
    "count 与 ratio_percent 须且只须提供一项": "give exactly one of count and ratio_percent",
    "包含无效的 Unicode 字符": "contains invalid Unicode characters",
    "不允许包含文字方向控制字符": "bidirectional control characters are not allowed",
    "latitude 与 longitude 须同时提供": "latitude and longitude must be given together",
    "photo_ids 不能重复": "photo_ids must not repeat",
    "finished_at 不能早于 started_at": "finished_at must not be before started_at",
    "enterprise_head 账号必须指定 enterprise_id": "an enterprise_head needs enterprise_id",
    "grid_staff 账号必须指定 grid_ids": "a grid_staff account needs grid_ids",
    "只有 enterprise_head 账号可以指定 enterprise_id": "only enterprise_head takes enterprise_id",
    "只有 grid_staff 账号可以指定 grid_ids": "only grid_staff takes grid_ids",
}
VALUE_ERROR_PREFIXES_EN: dict[str, str] = {"至少 ": "too short"}

_COLLECTIONS = {"List", "Set", "Tuple", "Frozenset", "Dictionary", "Iterable", "Generator"}

# Where a parameter comes from: not a field, so not labelled.
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def label(loc: Sequence[str | int], en: bool) -> str:
    """The field an error is about: its Chinese label, else the machine path."""
    names = [p for p in loc if isinstance(p, str) and p not in _LOCATIONS]
    if not names:
        return "请求体" if not en else "body"
    if en:
        return ".".join(str(p) for p in loc if p not in _LOCATIONS)
    return LABELS.get(names[-1], names[-1])


def _value_error(err: Mapping[str, Any], en: bool) -> str:
    ctx = err.get("ctx") or {}
    raw = str(ctx.get("error", "")) or str(err.get("msg", "")).removeprefix("Value error, ")
    if not en:
        return raw or TEMPLATES["value_error"][0]
    if raw in VALUE_ERRORS_EN:
        return VALUE_ERRORS_EN[raw]
    for prefix, text in VALUE_ERROR_PREFIXES_EN.items():
        if raw.startswith(prefix):
            return text
    return raw if raw.isascii() and raw else TEMPLATES["value_error"][1]


def message(err: Mapping[str, Any], en: bool) -> str:
    """One error's message in the caller's language (without the field)."""
    kind = str(err.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        return _value_error(err, en)
    ctx = dict(err.get("ctx") or {})
    if kind in ("too_short", "too_long") and ctx.get("field_type") not in _COLLECTIONS:
        kind = "string_" + kind  # a constrained str (e.g. with a validator) reports too_long
    if not en and isinstance(ctx.get("expected"), str):
        ctx["expected"] = ctx["expected"].replace(" or ", ", ")
    zh, english = TEMPLATES.get(kind, FALLBACK)
    template = english if en else zh
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return (FALLBACK[1] if en else FALLBACK[0]) if "{" in template else template


def field_errors(errors: Iterable[Mapping[str, Any]], en: bool) -> list[dict[str, Any]]:
    """`errors[]` of a 422: the machine path, the readable message, the pydantic type.
    The rejected input itself is never echoed (it may be a password or a huge body)."""
    out = []
    for err in errors:
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        sep = ": " if en else "："
        out.append(
            {"loc": loc, "msg": f"{label(loc, en)}{sep}{message(err, en)}", "type": err["type"]}
        )
    return out


def summary(errors: Sequence[Mapping[str, Any]], en: bool) -> str:
    """The 422's `detail`: every bad field's message, joined."""
    joined = ("; " if en else "；").join(str(e["msg"]) for e in errors[:20])
    more = len(errors) - 20
    if more > 0:
        joined += f" (+{more} more)" if en else f"（另有 {more} 项）"
    return joined

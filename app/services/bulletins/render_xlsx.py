"""The bulletin as a workbook: one sheet per part (总览, 网格, 企业, 目标, 排名, 重点任务)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

HAZARD_HEADERS = ["名称", "新发现隐患", "其中重大", "未销号", "已销号", "超期", "整改率%"]


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for col, width in zip("ABCDEFGHIJ", (28, 14, 12, 12, 12, 12, 12, 40, 14, 14), strict=False):
        ws.column_dimensions[col].width = width


def _hazard_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            i["label"],
            i["found"],
            i["major"],
            i["open"],
            i["closed"],
            i["overdue"],
            i["rectification_rate"],
        ]
        for i in items
    ]


def _overview(wb: Workbook, data: dict[str, Any], title: str) -> None:
    ws = wb.active
    ws.title = "总览"
    t, p = data["totals"], data["period"]
    for row in (
        [title],
        ["统计期间", f"{p['start']} 至 {p['end']}"],
        ["目标评价日期", str(data["evaluated_on"])],
        ["新发现隐患", t["found"]],
        ["其中重大事故隐患", t["major"]],
        ["未销号", t["open"]],
        ["已销号", t["closed"]],
        ["超期未整改", t["overdue"]],
        ["整改率%", t["rectification_rate"]],
    ):
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 30


def _targets(data: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            x["title"],
            x["target_value"],
            x["actual"],
            x["unit"],
            "是" if x["met"] else "否",
            str(x["due"]),
            x["detail"],
            x["citation"],
        ]
        for x in data["targets"]
    ]


def _ranked(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["rank"],
            r["enterprise_name"],
            r["unmet_count"],
            "、".join(r["unmet_codes"]),
            r["overdue_hazards"],
            r["major_open"],
        ]
        for r in rows
    ]


def _tasks(data: dict[str, Any]) -> list[list[Any]]:
    keys = ("enterprises", "inspected", "hazards_found", "hazards_closed", "major_open")
    return [
        [x["title"], x["target_inspected"], *(x["progress"][k] for k in keys)]
        for x in data["priority_tasks"]
    ]


def render(data: dict[str, Any], title: str) -> bytes:
    wb = Workbook()
    _overview(wb, data, title)
    _sheet(wb, "网格", HAZARD_HEADERS, _hazard_rows(data["by_grid"]))
    _sheet(wb, "企业", HAZARD_HEADERS, _hazard_rows(data["by_enterprise"]))
    target_headers = ["目标", "目标值", "完成值", "单位", "是否达成", "截止日期", "说明", "依据"]
    _sheet(wb, "目标", target_headers, _targets(data))
    rank_headers = ["名次", "企业", "未达标项数", "未达标项", "超期隐患", "未销号重大隐患"]
    _sheet(wb, "排名（后十）", rank_headers, _ranked(data["worst"]))
    _sheet(wb, "排名（前十）", rank_headers, _ranked(data["best"]))
    task_headers = [
        "任务",
        "目标（检查企业数）",
        "范围内企业",
        "已检查企业",
        "发现隐患",
        "已销号",
        "未销号重大隐患",
    ]
    _sheet(wb, "重点任务", task_headers, _tasks(data))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

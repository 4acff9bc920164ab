"""The bulletin as a PDF: reportlab for the pages (embeds a TrueType subset of the CJK font,
see fonts.py), matplotlib for the charts (PNG at 150 dpi, drawn with the same font).

reportlab rather than weasyprint: pure Python wheels, no Pango/Cairo system libraries to
install on a fresh machine, and it embeds exactly the font we hand it.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: charts are rendered to PNG in memory

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table  # noqa: E402

from app.services.bulletins.fonts import font_path, truetype_subset  # noqa: E402


def _chart(items: list[dict[str, Any]], title: str) -> bytes:
    prop = font_manager.FontProperties(fname=str(font_path()))
    labels = [i["label"] for i in items] or ["—"]
    found = [i["found"] for i in items] or [0]
    closed = [i["closed"] for i in items] or [0]
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=150)
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], found, width=0.4, label="新发现", color="#c0392b")
    ax.bar([x + 0.2 for x in xs], closed, width=0.4, label="已销号", color="#27ae60")
    ax.set_xticks(list(xs), labels, fontproperties=prop)
    ax.set_title(title, fontproperties=prop)
    ax.legend(prop=prop)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0, top=max([*found, *closed, 1]) * 1.15)
    if not items:
        ax.text(0, 0.5, "本期无新发现隐患", ha="center", fontproperties=prop)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _table(font: str, rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table([["" if v is None else str(v) for v in r] for r in rows], colWidths=widths)
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ]
    )
    return table


def _hazard_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    head = ["名称", "新发现", "重大", "未销号", "已销号", "超期", "整改率%"]
    keys = ("label", "found", "major", "open", "closed", "overdue", "rectification_rate")
    return [head] + [[i[k] for k in keys] for i in items]


def _ranked(rows: list[dict[str, Any]]) -> list[list[Any]]:
    keys = ("rank", "enterprise_name", "unmet_count", "overdue_hazards", "major_open")
    return [["名次", "企业", "未达标项数", "超期隐患", "未销号重大隐患"]] + [
        [r[k] for k in keys] for r in rows
    ]


def _targets(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [["目标", "目标值", "完成值", "达成"]] + [
        [
            x["title"],
            f"{x['target_value']}{x['unit']}",
            f"{x['actual']}{x['unit']}",
            "是" if x["met"] else "否",
        ]
        for x in rows
    ]


def _tasks(rows: list[dict[str, Any]]) -> list[list[Any]]:
    keys = ("enterprises", "inspected", "hazards_found", "hazards_closed", "major_open")
    return [["重点任务", "范围内企业", "已检查", "发现隐患", "已销号", "未销号重大"]] + [
        [x["title"], *(x["progress"][k] for k in keys)] for x in rows
    ]


def _summary(data: dict[str, Any]) -> str:
    t, p = data["totals"], data["period"]
    rate = "—" if t["rectification_rate"] is None else t["rectification_rate"]
    return (
        f"统计期间 {p['start']} 至 {p['end']}：新发现隐患 {t['found']} 项，其中重大事故隐患 "
        f"{t['major']} 项；已销号 {t['closed']} 项，未销号 {t['open']} 项，"
        f"超期未整改 {t['overdue']} 项；整改率 {rate}%。目标评价日期 {data['evaluated_on']}。"
    )


def _story(font: str, data: dict[str, Any], title: str, chart: bytes) -> list[Any]:
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=14)
    wide, rank_w = [50 * mm] + [18 * mm] * 6, [15 * mm, 70 * mm, 25 * mm, 25 * mm, 30 * mm]
    sections = (
        ("一、各网格隐患情况", _hazard_rows(data["by_grid"]), wide),
        ("二、目标完成情况", _targets(data["targets"]), [90 * mm, 30 * mm, 30 * mm, 15 * mm]),
        ("三、排名靠后企业（晾晒）", _ranked(data["worst"]), rank_w),
        ("四、排名靠前企业", _ranked(data["best"]), rank_w),
        ("五、年度整治重点任务", _tasks(data["priority_tasks"]), [55 * mm] + [22 * mm] * 5),
        ("六、各企业隐患情况", _hazard_rows(data["by_enterprise"]), wide),
    )
    story: list[Any] = [
        Paragraph(title, h1),
        Paragraph(_summary(data), body),
        Spacer(1, 4 * mm),
        Image(io.BytesIO(chart), width=170 * mm, height=78 * mm),
    ]
    for heading, rows, widths in sections:
        story += [Paragraph(heading, h2), _table(font, rows, widths)]
    return story


def _text_of(story: list[Any]) -> str:
    parts = []
    for flow in story:
        if isinstance(flow, Paragraph):
            parts.append(flow.getPlainText())
        elif isinstance(flow, Table):
            parts.extend(str(c) for row in flow._cellvalues for c in row)
    return "".join(parts)


def render(data: dict[str, Any], title: str) -> bytes:
    # A name per document: reportlab's font registry is process-wide, and each document
    # embeds its own subset.
    font = f"ZhibenCJK-{uuid.uuid4().hex[:12]}"
    chart = _chart(data["by_grid"], "各网格新发现与已销号隐患")
    # The text decides the subset; paragraphs can only be built once their font exists, so
    # the text is collected from a draft set in a built-in font.
    text = _text_of(_story("Helvetica", data, title, chart))
    pdfmetrics.registerFont(TTFont(font, io.BytesIO(truetype_subset(text))))
    story = _story(font, data, title, chart)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=title,
        author="友谊路街道安委办",
    )
    doc.build(story)
    return out.getvalue()

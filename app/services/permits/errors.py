"""Every refusal of a permit rule is a problem naming the rule and its citation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.core.errors import AppError, Conflict, Unprocessable
from app.rules.permits import RuleViolation


def as_problem(v: RuleViolation) -> AppError:
    extra = {"rule": v.code, "citation": v.citation}
    detail_zh, detail_en = f"{v.zh}（依据：{v.citation}）", f"{v.en} ({v.citation})"
    if v.kind == "invalid":
        return Unprocessable(detail_zh, detail_en, code=v.code, extra=extra)
    return Conflict(detail_zh, detail_en, code=v.code, extra=extra)


def refuse(code: str, zh: str, en: str, citation: str, *, invalid: bool = False) -> AppError:
    return as_problem(
        RuleViolation(code, zh, en, citation=citation, kind="invalid" if invalid else "conflict")
    )


@contextmanager
def rules_as_problems() -> Iterator[None]:
    try:
        yield
    except RuleViolation as v:
        raise as_problem(v) from v

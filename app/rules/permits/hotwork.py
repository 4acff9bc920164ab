"""Hot-work extras and the weather/interruption rules of GB 30871-2022 as pure functions:
who watches the work, the wind stop, and when resuming needs a new gas test."""

from __future__ import annotations

from datetime import date, timedelta

from app.rules.permits.errors import RuleViolation
from app.rules.permits.kinds import PermitType
from app.rules.permits.settings import PermitRules

# The person who watches the work throughout: the hot-work 监火人 (GB 30871-2022 5.2.1 专人
# 监护; 消防法 第二十一条), the guardian (监护人) for the others (GB 4.10; 13号令 第十五条).
FIRE_WATCH = "fire_watch"
GUARDIAN = "guardian"


def watch_role(permit_type: str) -> str:
    return FIRE_WATCH if permit_type == PermitType.hot_work else GUARDIAN


def check_wind(*, permit_type: str, outdoor: bool, force: int | None, rules: PermitRules) -> None:
    """Force ≥ 5 stops outdoor hot work (5.2.15) and work at height (8.2.6). GB 5.2.15 lets
    production needs go on at a raised grade: that is a new, upgraded permit (4.16)."""
    if force is None or force < rules.wind_stop_force:
        return
    if permit_type == PermitType.work_at_height:
        cite = "GB 30871-2022 8.2.6"
    elif permit_type == PermitType.hot_work and outdoor:
        cite = "GB 30871-2022 5.2.15"
    else:
        return
    raise RuleViolation(
        "wind_stop",
        f"风力 {force} 级（≥{rules.wind_stop_force} 级）应停止露天动火和高处作业",
        f"Wind force {force} (≥ {rules.wind_stop_force}) stops outdoor hot work and work at height",
        citation=cite,
    )


def retest_reason(
    *,
    permit_type: str,
    grade: str | None,
    gap: timedelta | None,
    last_test_day: date | None,
    today: date,
    rules: PermitRules,
) -> str | None:
    """Why resuming needs a new passing test, or None. `gap`: how long the work stood still.

    - confined: after any interruption (13号令 第十五条; GB 6.3f says > 60 min);
    - hot work: after more than 30 min (特级/一级) or 60 min (二级) (GB 5.3.1d), and every
      new day (GB 5.3.1d 每日动火前), when the last test was taken on an earlier day.
    """
    if permit_type not in (PermitType.hot_work, PermitType.confined_space):
        return None
    if gap is not None:
        limit = rules.retest_gap.get((permit_type, grade or ""))
        if limit is None or gap > limit:
            return "interruption"
    if (
        permit_type == PermitType.hot_work
        and rules.hot_work_daily_test
        and (last_test_day is None or last_test_day < today)
    ):
        return "new_day"
    return None

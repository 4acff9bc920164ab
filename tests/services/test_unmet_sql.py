"""Issue 11: the ranking's first key — the number of unmet compliance checks — exists twice,
as Python `evaluate` (app/rules/compliance_checks.py) and as SQL
(app/services/compliance/unmet.py). Each enterprise below sits on one side of one check's
boundary; for each, the unmet checks are written here, and both copies must say exactly
those (per check, and the count) on the database under test.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.enterprise import Enterprise
from app.rules.calendar import today_in_shanghai
from app.services.compliance.unmet import WHITESPACE
from tests.conftest import World
from tests.services.unmet_world import (
    MONTHLY,
    QUARTERLY,
    Ent,
    closed_year,
    python_unmet,
    sql_terms,
    store,
)

FIF = ["factory_in_factory"]
SMELT = ["metal_smelting"]
TRAINED = ("张三", "principal", "principal_special", "2024-06-01", True)
STD_2025 = ("李四", "employee", "hazard_standard", "2025-02-01", None)
MAJOR = {"level": "major", "status": "rectifying", "found_at": "2025-05-01T10:00:00+08:00"}
BARE: dict[str, Any] = {"principal": None, "drills": [], "checks": [], "trainings": []}

# key: (the enterprise, the checks it leaves unmet on 2025-12-31, year 2025)
CASES: dict[str, tuple[Ent, set[str]]] = {
    "clean": (Ent(), set()),
    "bare": (
        Ent(**BARE),
        {
            "evacuation_drill",
            "principal_checks",
            "principal_quiz",
            "principal_training",
            "hazard_standard_training",
        },
    ),  # fmt: skip
    # 方案 三(六)12: once a year; 厂中厂 every half-year.
    "drill_last_day_of_year": (Ent(drills=["2025-12-31"]), set()),
    "drill_last_day_of_previous_year": (Ent(drills=["2024-12-31"]), {"evacuation_drill"}),
    "drill_not_evacuation": (Ent(drill_kind="tabletop"), {"evacuation_drill"}),
    "fif_last_day_of_h1_only": (Ent(features=FIF, drills=["2025-06-30"]), {"evacuation_drill"}),
    "fif_first_day_of_h2_only": (Ent(features=FIF, drills=["2025-07-01"]), {"evacuation_drill"}),
    "fif_h1_last_and_h2_first": (Ent(features=FIF, drills=["2025-06-30", "2025-07-01"]), set()),
    "ordinary_h1_last_only": (Ent(drills=["2025-06-30"]), set()),
    # 方案 三(三)4: a principal check each quarter (Shanghai days), each month for 金属冶炼.
    "smelting_every_month": (Ent(features=SMELT), set()),
    "smelting_july_missing": (
        Ent(features=SMELT, checks=[(t, True) for t in MONTHLY if "-07-" not in t]),
        {"principal_checks"},
    ),
    "smelting_quarterly_is_not_enough": (
        Ent(features=SMELT, checks=[(t, True) for t in QUARTERLY]),
        {"principal_checks"},
    ),
    "q2_check_at_shanghai_midnight": (
        Ent(
            checks=[
                (QUARTERLY[0], True),
                ("2025-03-31T16:00:00+00:00", True),
                (QUARTERLY[2], True),
                (QUARTERLY[3], True),
            ]
        ),
        set(),
    ),  # fmt: skip
    "q2_check_a_second_before": (
        Ent(
            checks=[
                (QUARTERLY[0], True),
                ("2025-03-31T15:59:59+00:00", True),
                (QUARTERLY[2], True),
                (QUARTERLY[3], True),
            ]
        ),
        {"principal_checks"},
    ),  # fmt: skip
    "check_without_quiz": (
        Ent(checks=[(t, i != 1) for i, t in enumerate(QUARTERLY)]),
        {"principal_quiz"},
    ),
    # 方案 三(六)11: the registered principal head (stripped names) trained 2024–2026.
    "principal_name_padded": (
        Ent(principal=" 张三\u3000", trainings=[("\t张三 ", *TRAINED[1:]), STD_2025]),
        set(),
    ),
    "other_person_trained": (
        Ent(principal="李四", trainings=[TRAINED, STD_2025]),
        {"principal_training"},
    ),
    "no_head_registered_someone_trained": (Ent(principal=None), set()),
    "no_head_registered_nobody_trained": (
        Ent(principal=None, trainings=[STD_2025]),
        {"principal_training"},
    ),
    "empty_head_name": (Ent(principal=""), set()),
    "training_failed": (
        Ent(trainings=[("张三", "principal", "principal_special", "2024-06-01", False), STD_2025]),
        {"principal_training"},
    ),
    "training_before_plan": (
        Ent(trainings=[("张三", "principal", "principal_special", "2023-12-31", True), STD_2025]),
        {"principal_training"},
    ),
    "training_on_plan_start": (
        Ent(trainings=[("张三", "principal", "principal_special", "2024-01-01", None), STD_2025]),
        set(),
    ),
    # 30号令 第十九条、第二十一条 on the evaluation date (2025-12-31); the warning window is
    # information only.
    "certificate_expires_on_the_day": (
        Ent(certificates=[("2020-01-01", "2025-12-31", "2026-06-01")]),
        set(),
    ),
    "certificate_expired_the_day_before": (
        Ent(certificates=[("2020-01-01", "2025-12-30", "2026-06-01")]),
        {"certificates_valid"},
    ),
    "certificate_expires_the_day_after": (
        Ent(certificates=[("2020-01-01", "2026-01-01", "2026-01-01")]),
        set(),
    ),
    "certificate_review_overdue": (
        Ent(certificates=[("2020-01-01", "2027-01-01", "2025-12-30")]),
        {"certificates_valid"},
    ),
    "certificate_issued_after_the_day": (
        Ent(certificates=[("2026-01-01", "2025-12-30", "2025-12-30")]),
        set(),
    ),
    # 方案 三(三)5, a closed year: the ledger as it stood at the end of 2025-12-31.
    "major_deadline_on_the_day": (
        Ent(hazards=[{**MAJOR, "deadline": date(2025, 12, 31)}]),
        {"major_zero"},
    ),
    "major_deadline_the_day_before": (
        Ent(hazards=[{**MAJOR, "deadline": date(2025, 12, 30)}]),
        {"major_zero", "major_overdue"},
    ),
    "major_closed_on_the_last_day": (
        Ent(
            hazards=[
                {
                    **MAJOR,
                    "status": "closed",
                    "deadline": date(2025, 6, 1),
                    "closed_at": "2025-12-31T23:59:59+08:00",
                }
            ]
        ),
        set(),
    ),  # fmt: skip
    "major_closed_the_next_day": (
        Ent(
            hazards=[
                {
                    **MAJOR,
                    "status": "closed",
                    "deadline": date(2025, 6, 1),
                    "closed_at": "2026-01-01T00:00:00+08:00",
                }
            ]
        ),
        {"major_zero", "major_overdue"},
    ),  # fmt: skip
    "general_overdue_counts_nothing": (
        Ent(hazards=[{**MAJOR, "level": "general", "deadline": date(2025, 1, 1)}]),
        set(),
    ),
    # 方案 三(四)8: a grade in force, 一票否决 by an open major hazard; none required → info.
    "grade_certified_on_the_day": (
        Ent(
            standardization={
                "standardization_grade": 2,
                "standardization_certified_on": date(2025, 12, 31),
            }
        ),
        set(),
    ),  # fmt: skip
    "grade_certified_the_day_after": (
        Ent(
            standardization={
                "standardization_grade": 2,
                "standardization_certified_on": date(2026, 1, 1),
            }
        ),
        {"standardization"},
    ),  # fmt: skip
    "grade_expires_on_the_day": (
        Ent(
            standardization={
                "standardization_grade": 3,
                "standardization_expires_on": date(2025, 12, 31),
            }
        ),
        set(),
    ),  # fmt: skip
    "grade_expired_the_day_before": (
        Ent(
            standardization={
                "standardization_grade": 3,
                "standardization_expires_on": date(2025, 12, 30),
            }
        ),
        {"standardization"},
    ),  # fmt: skip
    "grade_vetoed_by_open_major": (
        Ent(
            standardization={"standardization_grade": 1},
            hazards=[{**MAJOR, "deadline": date(2026, 3, 1)}],
        ),
        {"standardization", "major_zero"},
    ),  # fmt: skip
    "no_grade_required": (
        Ent(standardization={"standardization_required": True}),
        {"standardization"},
    ),
    # 方案 三(三)4: the 判定标准 in the year's training.
    "hazard_standard_on_the_last_day": (
        Ent(trainings=[TRAINED, ("李四", "employee", "hazard_standard", "2025-12-31", False)]),
        set(),
    ),
    "hazard_standard_the_year_before": (
        Ent(trainings=[TRAINED, ("李四", "employee", "hazard_standard", "2024-12-31", True)]),
        {"hazard_standard_training"},
    ),
    # 方案 三(三)6: each 较大及以上 accident or 重大涉险 event: 约谈, reported to the district.
    "larger_accident_no_interview": (
        Ent(accidents=[("2025-08-01T10:00:00+08:00", "larger", False, None)]),
        {"accident_followup"},
    ),
    "larger_accident_interview_not_reported": (
        Ent(accidents=[("2025-08-01T10:00:00+08:00", "larger", False, "held")]),
        {"accident_followup"},
    ),
    "larger_accident_interviewed_and_reported": (
        Ent(accidents=[("2025-08-01T10:00:00+08:00", "larger", False, "reported")]),
        set(),
    ),
    "general_accident_no_interview": (
        Ent(accidents=[("2025-08-01T10:00:00+08:00", "general", False, None)]),
        set(),
    ),
    "risk_event_no_interview": (
        Ent(accidents=[("2025-12-31T23:59:59+08:00", "general", True, None)]),
        {"accident_followup"},
    ),
    "accident_of_the_next_year": (
        Ent(accidents=[("2026-01-01T00:00:00+08:00", "major", False, None)]),
        set(),
    ),
}


@pytest.fixture
async def cases(db: AsyncSession, world: World) -> dict[str, Any]:
    for key, (ent, _) in CASES.items():
        await store(db, world, key, ent)
    return {key: world.enterprises[key] for key in CASES}


def _agree(sql: dict[Any, Any], py: dict[Any, Any]) -> None:
    assert set(sql) == set(py)
    for eid in sql:
        assert sql[eid]["unmet"] == set(py[eid]["unmet"]), eid
        assert sql[eid]["n"] == len(py[eid]["unmet"]), eid
        assert sql[eid]["overdue"] == py[eid]["overdue"], eid


async def test_each_boundary_in_both_copies(
    db: AsyncSession, world: World, cases: dict[str, Any]
) -> None:
    on, live = closed_year(2025)
    assert (on, live) == (date(2025, 12, 31), False)
    s = world.settings
    sql = await sql_terms(db, year=2025, on=on, live=live, settings=s)
    py = await python_unmet(db, year=2025, on=on, live=live, settings=s)
    for key, (_, want) in CASES.items():
        eid = cases[key]
        assert sql[eid]["unmet"] == want, key
        assert sql[eid]["n"] == len(want), key
        assert set(py[eid]["unmet"]) == want, key
    assert sql[cases["general_overdue_counts_nothing"]]["overdue"] == 1
    assert sql[cases["major_deadline_the_day_before"]]["overdue"] == 1
    assert sql[cases["major_deadline_on_the_day"]]["overdue"] == 0
    _agree(sql, py)


# (evaluation date, enterprise, unmet count): the periods begun by the date are judged.
ON_DATES = [
    # A begun period counts its records whenever in the period (the drill of 30 June, the
    # check of 10 February); the hazard-standard training (1 February) only up to the date.
    (date(2025, 1, 1), "clean", 1),
    (date(2025, 6, 30), "fif_last_day_of_h1_only", 0),
    (date(2025, 7, 1), "fif_last_day_of_h1_only", 1),
    (date(2025, 6, 30), "fif_first_day_of_h2_only", 1),
    (date(2025, 3, 31), "q2_check_at_shanghai_midnight", 0),
    (date(2025, 4, 1), "q2_check_a_second_before", 1),
    (date(2025, 6, 30), "smelting_july_missing", 0),
    (date(2025, 7, 1), "smelting_july_missing", 1),
    (date(2025, 12, 30), "certificate_expired_the_day_before", 0),
    (date(2025, 12, 31), "certificate_expired_the_day_before", 1),
    (date(2025, 8, 1), "larger_accident_no_interview", 1),
    (date(2025, 7, 31), "larger_accident_no_interview", 0),
]


@pytest.mark.parametrize(("on", "key", "want"), ON_DATES)
async def test_periods_depend_on_the_evaluation_date(
    db: AsyncSession, world: World, cases: dict[str, Any], on: date, key: str, want: int
) -> None:
    s = world.settings
    sql = await sql_terms(db, year=2025, on=on, live=False, settings=s)
    py = await python_unmet(db, year=2025, on=on, live=False, settings=s)
    assert sql[cases[key]]["n"] == want, sql[cases[key]]
    _agree(sql, py)


async def test_years_not_begun_and_before_the_plan(
    db: AsyncSession, world: World, cases: dict[str, Any]
) -> None:
    s = world.settings
    # 2026 judged on 2025-12-31: no period has begun, so the periodic checks are unmet.
    sql = await sql_terms(db, year=2026, on=date(2025, 12, 31), live=False, settings=s)
    py = await python_unmet(db, year=2026, on=date(2025, 12, 31), live=False, settings=s)
    assert sql[cases["clean"]]["unmet"] == {
        "evacuation_drill", "principal_checks", "principal_quiz", "hazard_standard_training",
    }  # fmt: skip
    _agree(sql, py)
    # 2023: the three-year action has not begun (training unmet whatever the records).
    sql = await sql_terms(db, year=2023, on=date(2023, 12, 31), live=False, settings=s)
    py = await python_unmet(db, year=2023, on=date(2023, 12, 31), live=False, settings=s)
    assert sql[cases["no_head_registered_someone_trained"]]["n"] == 5
    _agree(sql, py)


async def test_other_cadences_from_settings(
    db: AsyncSession, world: World, cases: dict[str, Any]
) -> None:
    s = world.settings.model_copy(
        update={
            "drills_per_year": 2,
            "drills_per_year_factory_in_factory": 4,
            "principal_checks_per_year": 12,
            "principal_checks_per_year_metal_smelting": 4,
            "half_yearly_drill_features": ["metal_smelting"],
        }
    )
    on, live = closed_year(2025)
    sql = await sql_terms(db, year=2025, on=on, live=live, settings=s)
    py = await python_unmet(db, year=2025, on=on, live=live, settings=s)
    # Quarterly checks are now too few for an ordinary enterprise, enough for a smelter,
    # whose drills (twice a year) no longer cover every quarter.
    assert sql[cases["clean"]]["unmet"] == {"principal_checks"}
    assert sql[cases["smelting_quarterly_is_not_enough"]]["unmet"] == {"evacuation_drill"}
    assert sql[cases["fif_h1_last_and_h2_first"]]["unmet"] == {"principal_checks"}
    assert sql[cases["ordinary_h1_last_only"]]["unmet"] == {
        "evacuation_drill",
        "principal_checks",
    }
    _agree(sql, py)


async def test_live_hazards_on_today(db: AsyncSession, world: World) -> None:
    """The current year reads the ledger's own states: a hazard awaiting verification is
    open but not overdue; the deadline day is in time."""
    today = today_in_shanghai()
    found = f"{today.year}-01-01T00:00:00+08:00"
    hazards = {
        "H_ON_DEADLINE": ({"deadline": today}, {"major_zero"}, 0),
        "H_PAST": ({"deadline": date.fromordinal(today.toordinal() - 1)},
                   {"major_zero", "major_overdue"}, 1),
        "H_PENDING": ({"status": "pending_verification", "deadline": date(2000, 1, 1)},
                      {"major_zero"}, 0),
        "H_REPORTED_NO_DEADLINE": ({"status": "reported", "deadline": None}, {"major_zero"}, 0),
        "H_CLOSED": ({"status": "closed", "deadline": date(2000, 1, 1)}, set(), 0),
    }  # fmt: skip
    for key, (extra, _, _) in hazards.items():
        hazard = {**MAJOR, "found_at": found, **extra}
        await store(db, world, key, Ent(**BARE, hazards=[hazard]))
    s = world.settings
    sql = await sql_terms(db, year=today.year, on=today, live=True, settings=s)
    py = await python_unmet(db, year=today.year, on=today, live=True, settings=s)
    periodic = {"evacuation_drill", "principal_checks", "principal_quiz", "principal_training"}
    for key, (_, want, overdue) in hazards.items():
        got = sql[world.enterprises[key]]
        assert got["unmet"] - periodic - {"hazard_standard_training"} == want, key
        assert got["overdue"] == overdue, key
    _agree(sql, py)


def test_whitespace_is_what_python_strips() -> None:
    import sys

    assert {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()} == set(WHITESPACE)
    assert f"{WHITESPACE}张三{WHITESPACE}".strip() == "张三"


async def test_scoped_terms_cover_only_the_scope(
    db: AsyncSession, world: World, cases: dict[str, Any]
) -> None:
    await store(db, world, "clean_g2", Ent(), grid="G2")
    ents = select(Enterprise.id).where(Enterprise.grid_id == world.grids["G2"])
    s = world.settings
    on, live = closed_year(2025)
    sql = await sql_terms(db, year=2025, on=on, live=live, settings=s, ents=ents)
    # Outside the scope the facts are not read: a clean G1 enterprise shows as bare.
    assert sql[cases["clean"]]["n"] == 5
    assert sql[world.enterprises["clean_g2"]]["n"] == 0

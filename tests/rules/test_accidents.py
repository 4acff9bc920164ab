from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.accidents import GRADE_LABELS, AccidentGrade, accident_grade

G, L, M, E = (
    AccidentGrade.GENERAL,
    AccidentGrade.LARGER,
    AccidentGrade.MAJOR,
    AccidentGrade.ESPECIALLY_MAJOR,
)
ZERO = Decimal("0")


@pytest.mark.parametrize(
    ("deaths", "expected"),
    [(0, G), (2, G), (3, L), (9, L), (10, M), (29, M), (30, E), (300, E)],
)
def test_deaths_boundaries(deaths: int, expected: AccidentGrade) -> None:
    assert accident_grade(deaths=deaths, serious_injuries=0, direct_loss_yuan=ZERO) == expected


@pytest.mark.parametrize(
    ("injuries", "expected"),
    [(0, G), (9, G), (10, L), (49, L), (50, M), (99, M), (100, E)],
)
def test_injury_boundaries(injuries: int, expected: AccidentGrade) -> None:
    got = accident_grade(deaths=0, serious_injuries=injuries, direct_loss_yuan=ZERO)
    assert got == expected


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        ("0", G),
        ("9999999.99", G),
        ("10000000", L),
        ("10000000.00", L),
        ("49999999.99", L),
        ("50000000", M),
        ("99999999.99", M),
        ("100000000", E),
        ("100000000.01", E),
    ],
)
def test_loss_boundaries(loss: str, expected: AccidentGrade) -> None:
    got = accident_grade(deaths=0, serious_injuries=0, direct_loss_yuan=Decimal(loss))
    assert got == expected


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "expected"),
    [
        (2, 9, "9999999.99", G),  # just under on every axis
        (3, 0, "0", L),
        (0, 50, "10000000", M),  # highest axis wins
        (1, 10, "100000000", E),
        (29, 99, "99999999.99", M),
        (10, 100, "0", E),
    ],
)
def test_highest_axis_wins(deaths: int, injuries: int, loss: str, expected: AccidentGrade) -> None:
    got = accident_grade(deaths=deaths, serious_injuries=injuries, direct_loss_yuan=Decimal(loss))
    assert got == expected


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss"),
    [(-1, 0, "0"), (0, -1, "0"), (0, 0, "-0.01"), (0, 0, "NaN"), (0, 0, "Infinity")],
)
def test_invalid_inputs(deaths: int, injuries: int, loss: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        accident_grade(deaths=deaths, serious_injuries=injuries, direct_loss_yuan=Decimal(loss))


def test_labels_cover_every_grade() -> None:
    assert set(GRADE_LABELS) == set(AccidentGrade)
    assert GRADE_LABELS[AccidentGrade.LARGER] == "较大事故"

from __future__ import annotations

from datetime import date

import pytest

from app.rules.certificates import (
    CATEGORY_LABELS,
    CATEGORY_SUBTYPES,
    STATUS_LABELS,
    CertificateCategory,
    CertificateStatus,
    add_years,
    certificate_status,
    default_expiry,
    default_next_review,
)

S = CertificateStatus


@pytest.mark.parametrize(
    ("issued", "review", "expiry"),
    [
        (date(2024, 5, 10), date(2027, 5, 10), date(2030, 5, 10)),
        (date(2020, 2, 29), date(2023, 2, 28), date(2026, 2, 28)),  # leap day → 28 Feb
        (date(2021, 2, 28), date(2024, 2, 28), date(2027, 2, 28)),
        (date(2022, 12, 31), date(2025, 12, 31), date(2028, 12, 31)),
    ],
)
def test_default_dates(issued: date, review: date, expiry: date) -> None:
    assert default_next_review(issued) == review
    assert default_expiry(issued) == expiry


def test_extended_review_is_six_years() -> None:
    assert default_next_review(date(2024, 2, 29), extended_review=True) == date(2030, 2, 28)


@pytest.mark.parametrize(
    ("d", "years", "expected"),
    [
        (date(2024, 2, 29), 4, date(2028, 2, 29)),  # leap to leap keeps the 29th
        (date(2024, 2, 29), 1, date(2025, 2, 28)),
        (date(2024, 3, 1), 1, date(2025, 3, 1)),
    ],
)
def test_add_years(d: date, years: int, expected: date) -> None:
    assert add_years(d, years) == expected


TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("expires_on", "next_review_on", "expected"),
    [
        # expiry boundary: still good on the expiry day, lapsed the day after
        (date(2025, 5, 31), None, S.EXPIRED),
        (date(2025, 6, 1), None, S.EXPIRING),
        # expiring window: today + 60 days = 2025-07-31 (inclusive)
        (date(2025, 7, 31), None, S.EXPIRING),
        (date(2025, 8, 1), None, S.VALID),
        # review boundary
        (date(2030, 1, 1), date(2025, 5, 31), S.REVIEW_DUE),
        (date(2030, 1, 1), date(2025, 6, 1), S.EXPIRING),
        (date(2030, 1, 1), date(2025, 7, 31), S.EXPIRING),
        (date(2030, 1, 1), date(2025, 8, 1), S.VALID),
        # precedence: expired beats review_due beats expiring
        (date(2025, 5, 31), date(2025, 5, 1), S.EXPIRED),
        (date(2025, 7, 1), date(2025, 5, 1), S.REVIEW_DUE),
        (date(2025, 7, 1), date(2028, 1, 1), S.EXPIRING),
    ],
)
def test_status(expires_on: date, next_review_on: date | None, expected: S) -> None:
    got = certificate_status(expires_on=expires_on, next_review_on=next_review_on, today=TODAY)
    assert got == expected


@pytest.mark.parametrize(
    ("warning_days", "expires_on", "expected"),
    [
        (0, date(2025, 6, 1), S.EXPIRING),
        (0, date(2025, 6, 2), S.VALID),
        (30, date(2025, 7, 1), S.EXPIRING),
        (30, date(2025, 7, 2), S.VALID),
    ],
)
def test_custom_warning_window(warning_days: int, expires_on: date, expected: S) -> None:
    got = certificate_status(
        expires_on=expires_on, next_review_on=None, today=TODAY, warning_days=warning_days
    )
    assert got == expected


def test_negative_warning_days_rejected() -> None:
    with pytest.raises(ValueError, match="warning_days"):
        certificate_status(expires_on=TODAY, next_review_on=None, today=TODAY, warning_days=-1)


def test_fresh_certificate_lifecycle() -> None:
    issued = date(2022, 6, 1)
    review, expiry = default_next_review(issued), default_expiry(issued)

    def at(today: date) -> S:
        return certificate_status(expires_on=expiry, next_review_on=review, today=today)

    assert at(date(2025, 4, 1)) == S.VALID
    assert at(date(2025, 4, 2)) == S.EXPIRING  # 60 days before 2025-06-01
    assert at(date(2025, 6, 1)) == S.EXPIRING
    assert at(date(2025, 6, 2)) == S.REVIEW_DUE


def test_catalogue_data_complete() -> None:
    assert len(CertificateCategory) == 11
    assert set(CATEGORY_LABELS) == set(CertificateCategory)
    assert set(CATEGORY_SUBTYPES) == set(CertificateCategory)
    assert set(STATUS_LABELS) == set(CertificateStatus)
    assert len(CATEGORY_SUBTYPES[CertificateCategory.COAL_MINE]) == 10
    assert len(CATEGORY_SUBTYPES[CertificateCategory.METAL_NONMETAL_MINE]) == 8
    assert len(CATEGORY_SUBTYPES[CertificateCategory.HAZARDOUS_CHEMICALS]) == 16
    assert len(CATEGORY_SUBTYPES[CertificateCategory.FIREWORKS]) == 5
    assert CATEGORY_SUBTYPES[CertificateCategory.OTHER] == ()
    all_subtypes = [s for subs in CATEGORY_SUBTYPES.values() for s in subs]
    assert len(all_subtypes) == len(set(all_subtypes))

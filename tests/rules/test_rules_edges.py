"""Edges of the pure rules that `make mutate` found unguarded: the exact refusals, the
receipt code's bit layout, masks at their length limits, time zones of the host."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.rules import receipts
from app.rules.accidents import accident_grade
from app.rules.calendar import shanghai_date, utc_bounds
from app.rules.certificates import certificate_status
from app.rules.idcard import id_check_char, mask_id_number
from app.rules.phone import normalize_mobile
from app.rules.receipts import new_receipt_code, normalize_receipt_code
from app.rules.uscc import uscc_check_char


def _raises(message: str) -> pytest.RaisesContext[ValueError]:
    return pytest.raises(ValueError, match=f"^{re.escape(message)}$")


def test_refusals_say_what_is_wrong() -> None:
    with _raises("shanghai_date needs a timezone-aware datetime"):
        shanghai_date(datetime(2025, 1, 1))
    with _raises("end_inclusive must not be before start"):
        utc_bounds(date(2025, 1, 2), date(2025, 1, 1))
    with _raises("first17 must be 17 characters from the USCC charset"):
        uscc_check_char("9131000013221052I")
    with _raises("first17 must be 17 ASCII digits"):
        id_check_char("1101011990010112")
    with _raises("direct_loss_yuan must be a finite amount"):
        accident_grade(deaths=0, serious_injuries=0, direct_loss_yuan=Decimal("NaN"))
    with _raises("deaths, serious_injuries and direct_loss_yuan must be >= 0"):
        accident_grade(deaths=-1, serious_injuries=0, direct_loss_yuan=Decimal(0))
    with _raises("warning_days must be >= 0"):
        certificate_status(
            expires_on=date(2030, 1, 1),
            next_review_on=None,
            today=date(2025, 1, 1),
            warning_days=-1,
        )


def test_id_check_char_refuses_non_ascii_digits() -> None:
    # Full-width digits are str.isdigit() and int() reads them: only isascii() refuses them.
    with _raises("first17 must be 17 ASCII digits"):
        id_check_char("１１０１０１１９９００１０１１２３")


@pytest.mark.parametrize(
    ("n", "code"),
    [
        (0, "0000-0000-0000-0000"),
        (1, "0000-0000-0000-0001"),
        (2**80 - 1, "ZZZZ-ZZZZ-ZZZZ-ZZZZ"),
        (7 * 32**15 + 31 * 32**8 + 10, "7000-000Z-0000-000A"),
    ],
)
def test_receipt_code_is_the_80_bits_in_base32(
    monkeypatch: pytest.MonkeyPatch, n: int, code: str
) -> None:
    monkeypatch.setattr(receipts.secrets, "randbits", lambda bits: n if bits == 80 else -1)
    assert new_receipt_code() == code


def test_receipt_input_length_limit() -> None:
    code = "7K3M-Q9X2-0ABD-TW5R"
    assert normalize_receipt_code(code + " " * (64 - len(code))) == code
    assert normalize_receipt_code(code + " " * (65 - len(code))) is None


def test_masks_at_their_limits() -> None:
    assert mask_id_number("1234567890") == "**********"
    assert mask_id_number("12345678901") == "123456*8901"
    # "86" is a country prefix only when eleven digits follow it, never two other digits.
    assert normalize_mobile("00 139 1234 5678") is None
    assert normalize_mobile("86 139 1234 5678") == "13912345678"


@pytest.fixture
def tokyo_host(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_utc_bounds_are_utc_whatever_the_host_zone(tokyo_host: None) -> None:
    lo, hi = utc_bounds(date(2025, 1, 1), date(2025, 1, 1))
    assert (lo, hi) == (
        datetime(2024, 12, 31, 16, tzinfo=UTC),
        datetime(2025, 1, 1, 16, tzinfo=UTC),
    )
    assert lo.utcoffset() == hi.utcoffset() == timedelta(0)

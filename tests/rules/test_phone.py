from __future__ import annotations

import pytest

from app.rules.phone import mask_mobile, normalize_mobile


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("86-138-1234-5678", "13812345678"),
        (" 19912345678 ", "19912345678"),
        ("13012345678", "13012345678"),
    ],
)
def test_normalize_valid(raw: str, expected: str) -> None:
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12812345678",  # 12x is not a mobile prefix
        "10012345678",
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "+8712345678901",
        "+85213812345678",
        "+861381234567",  # prefix + 10 digits
        "021-12345678",  # landline
        "１３８１２３４５６７８",  # full-width digits
        "138123456７8",
        "1381234567a",
        "(138)12345678",
    ],
)
def test_normalize_invalid(raw: str) -> None:
    assert normalize_mobile(raw) is None


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask(raw: str, masked: str) -> None:
    assert mask_mobile(raw) == masked

"""居民身份证号码 (citizen ID number) validation per GB 11643-1999, and masking for display."""

from __future__ import annotations

import re
from datetime import date

# GB 11643-1999 §8.2: weights W_i = 2^(i-1) mod 11 for positions 1..17 (read right to left).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# GB 11643-1999 §8.2: check char for (Σ a_i·W_i) mod 11 = 0..10; "X" stands for 10.
ID_CHECK_MAP = "10X98765432"

_ID_RE = re.compile(r"[0-9]{17}[0-9X]")


def id_check_char(first17: str) -> str:
    """Return the 校验码 for the first 17 digits. Raises ValueError on non-digits/wrong length."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_MAP[total % 11]


def _birth_date_ok(digits: str) -> bool:
    # GB 11643-1999 §5.2: positions 7-14 are 出生日期码 YYYYMMDD and must be a real date.
    try:
        date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return True


def is_valid_id_number(s: str) -> bool:
    """True for an 18-character 居民身份证号码 with a real birth date and a correct check char.

    A lower-case "x" is accepted (people type it that way); the old 15-digit format is not
    accepted because it has no check digit and has not been issued since 2004.
    The 6-digit 地址码 is not checked against the GB/T 2260 division table (it changes yearly).
    """
    value = s.upper()
    if _ID_RE.fullmatch(value) is None:
        return False
    return _birth_date_ok(value[6:14]) and id_check_char(value[:17]) == value[17]


def mask_id_number(s: str) -> str:
    """Mask for display: keep the first 6 and last 4 characters ("110101********123X").

    Strings of 10 characters or fewer are masked completely, so nothing identifying leaks.
    """
    value = s.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]

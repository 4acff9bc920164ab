"""Mainland China mobile numbers: normalisation and masking."""

from __future__ import annotations

import re

# 11 digits, network prefix 13x-19x (numbering plan of 工业和信息化部); 10x-12x are not mobiles.
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = re.compile(r"[\s\-]")
_COUNTRY_PREFIXES = ("+86", "86")


def normalize_mobile(s: str) -> str | None:
    """Return the bare 11-digit number, or None if `s` is not a mainland mobile number.

    Accepts spaces and dashes anywhere and an optional "+86" / "86" country prefix.
    """
    value = _SEPARATORS.sub("", s)
    for prefix in _COUNTRY_PREFIXES:
        # Only strip "86" when 11 digits remain, so a bare number is never mangled.
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
            break
    return value if _MOBILE_RE.fullmatch(value) else None


def mask_mobile(s: str) -> str:
    """Mask for display: "138****5678". Input that is not a mobile number is masked entirely."""
    number = normalize_mobile(s)
    if number is None:
        return "*" * len(s.strip())
    return number[:3] + "****" + number[7:]

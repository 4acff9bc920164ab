"""统一社会信用代码 (Unified Social Credit Code, USCC) validation per GB 32100-2015.

Layout (GB 32100-2015 §4): 登记管理部门代码 (1) + 机构类别代码 (1) + 登记管理机关行政区划码 (6)
+ 主体标识码 (9, the old 组织机构代码 incl. its own check char) + 校验码 (1).

Only length, charset and the position-18 check character are enforced here. The standard's
code tables for positions 1-2 (登记管理部门 / 机构类别) have been extended by authorities since
2015 and we could not confirm the current full table, so rejecting on them could refuse a real
code; the checksum already catches nearly all typing errors.
"""

from __future__ import annotations

# GB 32100-2015 §5: the 31 allowed characters; I, O, Z, S, V are excluded to avoid confusion.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015 §5.2: weight of position i (1..17) is 3^(i-1) mod 31.
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18

_VALUE = {ch: i for i, ch in enumerate(USCC_CHARSET)}


def uscc_check_char(first17: str) -> str:
    """Return the 校验码 for the first 17 characters (GB 32100-2015 §5.2).

    check = 31 - (Σ value·weight mod 31); a result of 31 is written as "0".
    Raises ValueError when `first17` is not 17 characters of the USCC charset.
    """
    if len(first17) != USCC_LENGTH - 1 or any(ch not in _VALUE for ch in first17):
        raise ValueError("first17 must be 17 characters from the USCC charset")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    """True when `value` is a well-formed 统一社会信用代码 with a correct check character.

    Case-sensitive by design: the standard uses upper case only, and callers should store the
    code as printed on the 营业执照. Surrounding whitespace is not accepted either.
    """
    if len(value) != USCC_LENGTH or any(ch not in _VALUE for ch in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


# GB 11714-1997 §4 组织机构代码: 8 body characters (digits or upper-case letters, a letter
# counting 10 + its place after A) weighted 3,7,9,10,5,8,4,2; check = 11 - (Σ mod 11),
# written "X" for 10 and "0" for 11.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(body8: str) -> str:
    """The 9th character of a 组织机构代码 (positions 9–17 of a USCC) for its 8-char body."""
    if len(body8) != 8 or not all(ch.isdigit() or "A" <= ch <= "Z" for ch in body8):
        raise ValueError("body8 must be 8 digits or upper-case letters")
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) * w
        for ch, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def compose_uscc(*, department: str, category: str, region: str, body8: str) -> str:
    """A well-formed USCC from its parts (GB 32100-2015 §4), both check characters computed."""
    first17 = department + category + region + body8 + org_code_check_char(body8)
    return first17 + uscc_check_char(first17)

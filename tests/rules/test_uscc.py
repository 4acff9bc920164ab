from __future__ import annotations

import pytest

from app.rules.uscc import (
    USCC_CHARSET,
    compose_uscc,
    is_valid_uscc,
    org_code_check_char,
    uscc_check_char,
)

# Publicly printed codes whose check characters were verified by hand computation.
VALID = [
    "91350100M000100Y43",  # the example commonly cited for GB 32100-2015
    "91110000600037341L",
    "914403001922038216",
]


@pytest.mark.parametrize("code", VALID)
def test_known_valid_codes(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


def test_check_char_result_31_is_written_as_zero() -> None:
    # Brute-force a prefix whose weighted sum is ≡ 0 (mod 31): check value 31 → "0".
    base = "9135010000000000"
    for ch in USCC_CHARSET:
        if uscc_check_char(base + ch) == "0":
            assert is_valid_uscc(base + ch + "0")
            return
    pytest.fail("no prefix with check char 0 found")


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check char
        "91350100M000100Y4",  # 17 chars
        "91350100M000100Y433",  # 19 chars
        "",
        "91350100m000100Y43",  # lower case
        "91350100M000100Y43 ",  # trailing space
        "9135O100M000100Y43",  # letter O is not in the charset
        "91350100I000100Y43",  # I excluded
        "91350100Z000100Y43",  # Z excluded
        "91350100S000100Y43",  # S excluded
        "91350100V000100Y43",  # V excluded
        "１1350100M000100Y43",  # full-width digit
    ],
)
def test_invalid_codes(code: str) -> None:
    assert not is_valid_uscc(code)


@pytest.mark.parametrize("code", VALID)
def test_every_single_char_substitution_is_caught(code: str) -> None:
    # Mod-31 with weights coprime to 31 detects every single-character error.
    for pos in range(18):
        for ch in USCC_CHARSET:
            if ch != code[pos]:
                assert not is_valid_uscc(code[:pos] + ch + code[pos + 1 :]), (pos, ch)


@pytest.mark.parametrize("code", VALID)
def test_adjacent_transpositions_are_caught(code: str) -> None:
    for pos in range(17):
        swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2 :]
        if swapped != code:
            assert not is_valid_uscc(swapped), pos


@pytest.mark.parametrize("bad", ["", "91350100M000100Y", "91350100M000100Y4X", "9135010OM000100Y4"])
def test_check_char_rejects_bad_prefix(bad: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_char(bad)


@pytest.mark.parametrize("code", VALID)
def test_org_code_check_char_of_known_codes(code: str) -> None:
    # Positions 9–17 are the old 组织机构代码 with its own GB 11714 check character.
    assert org_code_check_char(code[8:16]) == code[16]


@pytest.mark.parametrize(("body", "check"), [("10000018", "X"), ("10000020", "0")])
def test_org_code_check_char_ten_and_eleven(body: str, check: str) -> None:
    assert org_code_check_char(body) == check


def test_compose_uscc_is_valid() -> None:
    code = compose_uscc(department="9", category="1", region="310113", body8="DEM00001")
    assert code.startswith("91310113DEM00001")
    assert is_valid_uscc(code)


def test_org_code_body_is_checked() -> None:
    with pytest.raises(ValueError, match="body8"):
        org_code_check_char("abc")

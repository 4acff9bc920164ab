from __future__ import annotations

import pytest

from app.rules.idcard import id_check_char, is_valid_id_number, mask_id_number

# 11010519491231002X and 440524188001010014 are the worked examples of GB 11643-1999.
VALID = ["11010519491231002X", "440524188001010014"]


def _with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers(number: str) -> None:
    assert is_valid_id_number(number)


def test_lowercase_x_accepted() -> None:
    assert is_valid_id_number("11010519491231002x")


@pytest.mark.parametrize(
    ("first17", "expected"),
    [("11010519491231002", "X"), ("44052418800101001", "4")],
)
def test_check_char(first17: str, expected: str) -> None:
    assert id_check_char(first17) == expected


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check digit
        "11010519491231002",  # 17
        "11010519491231002X1",  # 19
        "110105491231002",  # old 15-digit format
        "",
        "1101051949123100XX",
        "11010519491231002Y",
        " 11010519491231002X",
    ],
)
def test_invalid_numbers(number: str) -> None:
    assert not is_valid_id_number(number)


@pytest.mark.parametrize(
    "birth",
    ["19490230", "20010229", "19491301", "19490001", "19491200", "19000229", "00000101"],
)
def test_impossible_birth_dates_rejected_even_with_right_check(birth: str) -> None:
    assert not is_valid_id_number(_with_check("110105" + birth + "002"))


@pytest.mark.parametrize("birth", ["20000229", "19491231", "20240101"])
def test_real_birth_dates_accepted(birth: str) -> None:
    assert is_valid_id_number(_with_check("110105" + birth + "002"))


def test_check_char_rejects_non_digits() -> None:
    with pytest.raises(ValueError, match="17 ASCII digits"):
        id_check_char("1101051949123100X")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("11010519491231123X", "110105********123X"),
        ("110105491231002", "110105*****1002"),
        ("1234567890", "**********"),
        ("", ""),
        ("  11010519491231002X ", "110105********002X"),
    ],
)
def test_mask(raw: str, masked: str) -> None:
    assert mask_id_number(raw) == masked

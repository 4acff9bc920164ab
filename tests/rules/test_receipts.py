from __future__ import annotations

import re

import pytest

from app.rules.receipts import CROCKFORD_ALPHABET, new_receipt_code, normalize_receipt_code

FORMAT = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")


def test_alphabet_is_crockford() -> None:
    assert len(CROCKFORD_ALPHABET) == 32
    assert not set("ILOU") & set(CROCKFORD_ALPHABET)


def test_generated_codes_unique_and_canonical() -> None:
    codes = [new_receipt_code() for _ in range(10_000)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert FORMAT.fullmatch(code), code
        assert normalize_receipt_code(code) == code


def test_all_characters_appear() -> None:
    # 10k codes x 16 chars: a missing character would mean a broken encoder.
    seen = set("".join(new_receipt_code() for _ in range(2_000)).replace("-", ""))
    assert seen == set(CROCKFORD_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7K3M-Q9X2-0ABD-TW5R", "7K3M-Q9X2-0ABD-TW5R"),
        ("7k3mq9x20abdtw5r", "7K3M-Q9X2-0ABD-TW5R"),
        (" 7K3M Q9X2 0ABD TW5R ", "7K3M-Q9X2-0ABD-TW5R"),
        ("7K3M--Q9X2-0ABD-TW5R", "7K3M-Q9X2-0ABD-TW5R"),
        ("7K3M-Q9X2-OABD-TW5R", "7K3M-Q9X2-0ABD-TW5R"),  # O → 0
        ("IK3M-Q9X2-0ABD-TW5R", "1K3M-Q9X2-0ABD-TW5R"),  # I → 1
        ("lK3M-Q9X2-0ABD-TW5R", "1K3M-Q9X2-0ABD-TW5R"),  # l → 1
        ("7K3M\tQ9X2\n0ABD-TW5R", "7K3M-Q9X2-0ABD-TW5R"),
    ],
)
def test_normalize(typed: str, expected: str) -> None:
    assert normalize_receipt_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "----",
        "7K3M-Q9X2-0ABD-TW5",  # 15
        "7K3M-Q9X2-0ABD-TW5RR",  # 17
        "7K3M-Q9X2-0ABD-TW5U",  # U is not Crockford
        "7K3M-Q9X2-0ABD-TW5*",
        "7K3M_Q9X2_0ABD_TW5R",
        "7K3M-Q9X2-0ABD-TW5Ｒ",  # full-width
        "7K3M-Q9X2-0ABD-TW5ı",  # dotless i upper-cases to I; must not be accepted
        "7" * 10_000,
        "' OR 1=1 --",
        "\x00" * 16,
    ],
)
def test_malformed_is_none(typed: str) -> None:
    assert normalize_receipt_code(typed) is None


def test_non_string_is_none_not_error() -> None:
    assert normalize_receipt_code(None) is None  # type: ignore[arg-type]
    assert normalize_receipt_code(1234) is None  # type: ignore[arg-type]

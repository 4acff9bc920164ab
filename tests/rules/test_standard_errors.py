"""A corrupted copy of the standard names exactly where it is wrong: the whole message is
written here (the loader's messages are what a maintainer editing the YAML reads)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from app.rules.standard import DEFAULT_STANDARD_PATH, parse_standard


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    with DEFAULT_STANDARD_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def _article(d: dict[str, Any], n: int) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in d["non_item_articles"] if a["article"] == n)
    return found


def _set(path: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Any:
    def corrupt(d: dict[str, Any]) -> None:
        if value is KeyError:
            del path(d)[key]
        else:
            path(d)[key] = value

    return corrupt


def _article_at(index: int, value: Any) -> Any:
    def corrupt(d: dict[str, Any]) -> None:
        d["non_item_articles"][index] = value

    return corrupt


def _dup(d: dict[str, Any]) -> None:
    d["items"].append(copy.deepcopy(d["items"][0]))


def _one_less(d: dict[str, Any]) -> None:
    d["standard"]["items"] -= 1


def _article_1(d: dict[str, Any]) -> dict[str, Any]:
    return _article(d, 1)


def _head(d: dict[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = d["standard"]
    return head


def _counts(d: dict[str, Any]) -> dict[str, Any]:
    counts: dict[str, Any] = d["standard"]["counts"]
    return counts


CASES = [
    (_article_at(0, ["x"]), "non_item_articles[0]: must be a mapping"),
    (_article_at(1, "x"), "non_item_articles[1]: must be a mapping"),
    (_set(_article_1, "article", "一"), "article 一: 'article' must be an integer, got '一'"),
    (_set(_article_1, "article", KeyError), "article #0: 'article' must be an integer, got None"),
    (_set(_article_1, "article_label", ""), "article 1: 'article_label' must be a non-empty"),
    (_set(_article_1, "text", None), "article 1: 'text' must be a non-empty string, got None"),
    (_set(_article_1, "summary_en", 3), "article 1: 'summary_en' must be a non-empty"),
    (_set(_article_1, "text_verified", True), "article 1: 'text_verified' must be a non-empty"),
    (_set(_article_1, "source", KeyError), "article 1: 'source' must be a non-empty"),
    (_dup, "items: duplicate codes ['3.1']"),
    (_one_less, "items: declares 63 items but lists 64"),
    (_set(_head, "items", "64"), "standard: 'items' must be an integer, got '64'"),
    (_set(_head, "counts", [3]), "standard: 'counts' must be a mapping"),
    (_set(_counts, "general", 4), "counts: declared {'general': 4, 'metallurgy': 8,"),
    (
        _set(_head, "effective", "15 May 2023"),
        "standard: 'effective' is not an ISO date: '15 May 2023'",
    ),
]


@pytest.mark.parametrize(("corrupt", "message"), CASES)
def test_message_names_the_place(raw: dict[str, Any], corrupt: Any, message: str) -> None:
    data = copy.deepcopy(raw)
    corrupt(data)
    with pytest.raises(ValueError, match=re.escape(f"hazard standard {message}")):
        parse_standard(data)

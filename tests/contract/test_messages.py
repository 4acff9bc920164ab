"""Every message in both languages (issue 12 item 6)."""

from __future__ import annotations

import ast
import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core import errors
from app.core.messages import LABELS, TEMPLATES, VALUE_ERRORS_EN
from tests.api.hazard_helpers import API, act, new_hazard, yesterday
from tests.conftest import ROOT, World, assert_problem

CJK = re.compile(r"[\u4e00-\u9fff]")
EN = {"Accept-Language": "en"}

# JSON-schema keyword → the pydantic error types a value breaking it raises.
RAISES: dict[str, tuple[str, ...]] = {
    "minLength": ("string_too_short",),
    "maxLength": ("string_too_long",),
    "pattern": ("string_pattern_mismatch",),
    "minimum": ("greater_than_equal",),
    "exclusiveMinimum": ("greater_than",),
    "maximum": ("less_than_equal",),
    "exclusiveMaximum": ("less_than",),
    "enum": ("enum", "literal_error"),
    "const": ("literal_error",),
    "minItems": ("too_short",),
    "maxItems": ("too_long",),
    "multipleOf": ("multiple_of",),
}
BY_TYPE: dict[str, tuple[str, ...]] = {
    "string": ("string_type", "string_unicode"),
    "integer": ("int_type", "int_parsing", "int_from_float", "int_parsing_size"),
    "number": ("float_type", "float_parsing", "finite_number"),
    "boolean": ("bool_type", "bool_parsing"),
    "array": ("list_type",),
    "object": ("model_attributes_type", "dict_type", "model_type"),
}
BY_FORMAT: dict[str, tuple[str, ...]] = {
    "uuid": ("uuid_parsing", "uuid_type"),
    "date": ("date_from_datetime_parsing", "date_from_datetime_inexact", "date_type"),
    "date-time": ("datetime_from_date_parsing", "timezone_aware", "datetime_type"),
    "binary": ("is_instance_of",),
}


def _walk(node: Any, found: set[str], names: set[str]) -> None:
    if isinstance(node, dict):
        for key, kinds in RAISES.items():
            if key in node:
                found.update(kinds)
        found.update(BY_TYPE.get(str(node.get("type")), ()))
        found.update(BY_FORMAT.get(str(node.get("format")), ()))
        if node.get("required"):
            found.add("missing")
        if node.get("additionalProperties") is False:
            found.add("extra_forbidden")
        names.update(node.get("properties", {}))
        for value in node.values():
            _walk(value, found, names)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found, names)


def _request_side(spec: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Error types and field names reachable from any request (bodies and parameters)."""
    schemas = spec["components"]["schemas"]
    found: set[str] = {"json_invalid", "value_error"}
    names: set[str] = set()
    refs: list[str] = []
    for item in spec["paths"].values():
        for op in item.values():
            for param in op.get("parameters", []):
                names.add(param["name"])
                _walk(param["schema"], found, set())
            for content in op.get("requestBody", {}).get("content", {}).values():
                refs.append(content["schema"].get("$ref", ""))
    seen: set[str] = set()
    while refs:
        name = refs.pop().rsplit("/", 1)[-1]
        if not name or name in seen:
            continue
        seen.add(name)
        _walk(schemas[name], found, names)
        refs.extend(re.findall(r"'\$ref': '([^']+)'", str(schemas[name])))
    return found, names


@pytest.fixture(scope="module")
def spec(app_instance: FastAPI) -> dict[str, Any]:
    return app_instance.openapi()


def test_every_error_type_a_request_can_raise_has_both_languages(spec: dict[str, Any]) -> None:
    found, _ = _request_side(spec)
    assert {"missing", "string_too_long", "uuid_parsing", "timezone_aware"} <= found
    missing = sorted(found - set(TEMPLATES))
    assert missing == []
    for kind in found:
        zh, en = TEMPLATES[kind]
        assert CJK.search(zh), kind
        assert en.isascii(), kind


def test_every_request_field_has_a_chinese_label(spec: dict[str, Any]) -> None:
    _, names = _request_side(spec)
    assert len(names) > 100
    assert sorted(names - set(LABELS)) == []
    assert all(CJK.search(label) for label in LABELS.values())


def _app_error_classes() -> set[str]:
    names = {n for n, c in vars(errors).items() if isinstance(c, type)}
    return {n for n in names if issubclass(getattr(errors, n), errors.AppError)}


def test_every_error_class_has_titles_in_both_languages() -> None:
    for name in _app_error_classes():
        cls = getattr(errors, name)
        assert CJK.search(cls.title_zh), name
        assert cls.title_en.isascii(), name


def test_every_raised_error_gives_an_english_detail_with_its_chinese_one() -> None:
    """A raise with a Chinese detail but no English one answered English callers in Chinese."""
    classes = _app_error_classes()
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in classes:
                continue
            texts = [a for a in node.args if isinstance(a, ast.Constant | ast.JoinedStr)]
            has_en = any(k.arg == "detail_en" for k in node.keywords) or len(texts) >= 2
            if texts and not has_en:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_chinese_value_error_in_the_schemas_has_an_english_version() -> None:
    for path in (ROOT / "app" / "schemas").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "ValueError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                text = str(node.args[0].value)
                assert text in VALUE_ERRORS_EN, f"{path.name}: {text}"


async def test_missing_field_reads_with_its_chinese_label(
    client: httpx.AsyncClient, world: World
) -> None:
    hazard = await new_hazard(client, world, "head1")
    body = {"deadline": "2099-01-01", "measures": "更换柜门"}
    zh = assert_problem(await act(client, world, "head1", hazard["id"], "plan", body), 422)
    assert zh["errors"] == [
        {"loc": ["body", "responsible_person"], "msg": "整改责任人：必填", "type": "missing"}
    ]
    assert zh["detail"] == "整改责任人：必填"
    en = assert_problem(await act(client, world, "head1", hazard["id"], "plan", body, **EN), 422)
    assert en["errors"][0]["msg"] == "responsible_person: required"  # type: ignore[index]
    assert en["title"] == "Invalid input"


async def test_constraint_messages_in_both_languages(
    client: httpx.AsyncClient, world: World
) -> None:
    body = {
        "enterprise_id": "not-a-uuid",
        "description": "x" * 5000,
        "category": "nope",
        "extra": 1,
    }
    headers = world.headers("office")
    zh = assert_problem(await client.post(API, json=body, headers=headers), 422)
    en = assert_problem(await client.post(API, json=body, headers={**headers, **EN}), 422)
    zh_msgs = {e["type"]: e["msg"] for e in zh["errors"]}  # type: ignore[attr-defined]
    en_msgs = {e["type"]: e["msg"] for e in en["errors"]}  # type: ignore[attr-defined]
    assert zh_msgs["uuid_parsing"] == "企业：须为 UUID"
    assert en_msgs["uuid_parsing"] == "enterprise_id: must be a UUID"
    assert zh_msgs["too_long"] == "描述：至多 4000 个字符"
    assert en_msgs["too_long"] == "description: at most 4000 characters"
    assert zh_msgs["enum"].startswith("类别：须为以下之一：'confined_space', ")
    assert " or " not in zh_msgs["enum"]
    assert zh_msgs["extra_forbidden"] == "extra：不允许的字段"
    assert all(m.isascii() for m in en_msgs.values())
    assert not CJK.search(str(en["detail"]))


async def test_a_domain_422_names_its_field_in_the_callers_language(
    client: httpx.AsyncClient, world: World
) -> None:
    hazard = await new_hazard(client, world, "head1")
    body = {"responsible_person": "张三", "measures": "更换柜门", "deadline": yesterday()}
    en = assert_problem(
        await act(client, world, "head1", hazard["id"], "plan", body, **EN), 422, "date_in_past"
    )
    assert en["errors"] == [
        {
            "loc": ["body", "deadline"],
            "msg": "The date may not lie in the past",
            "type": "date_in_past",
        }
    ]
    zh = assert_problem(await act(client, world, "head1", hazard["id"], "plan", body), 422)
    assert zh["errors"][0]["msg"] == "期限不能早于今天"  # type: ignore[index]


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "zh", "en"),
    [
        ("GET", "/api/v1/nope", 404, "not_found", "接口路径不存在", "No such API path"),
        ("DELETE", "/healthz", 405, "method_not_allowed", "不支持该请求方法", "Method not allowed"),
    ],
)
async def test_router_errors_in_both_languages(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str, zh: str, en: str
) -> None:
    got_zh = assert_problem(await client.request(method, path), status, code)
    got_en = assert_problem(await client.request(method, path, headers=EN), status, code)
    assert (got_zh["title"], got_zh["detail"]) == (zh, zh)
    assert (got_en["title"], got_en["detail"]) == (en, en)


async def test_rate_limited_body_says_how_long_to_wait(
    client: httpx.AsyncClient, world: World
) -> None:
    form = {"username": "u_head1", "password": "wrong-password"}
    for _ in range(5):
        await client.post("/api/v1/auth/token", data=form)
    resp = await client.post("/api/v1/auth/token", data=form, headers=EN)
    body = assert_problem(resp, 429, "rate_limited")
    assert body["retry_after"] == int(resp.headers["Retry-After"])
    assert body["detail"] == "Too many failed logins, please try again later"

"""A hostile-input walk over the live route table (issue 10, "prove it").

For every operation and every parameter location (path, query, header, JSON body field, form
field) the walk sends what an attacker or a broken client sends — NUL and control
characters, over-long strings, integers past int64, naive and out-of-range timestamps,
forged cursors — plus, to every operation taking a body, floods of unknown keys. Every
answer must be a 4xx problem+json document of a bounded size, never a 5xx nor a dropped
connection. The expected status of each case depends only on the request (422 for a refused
value, 413 for an oversized body, 404 for a malformed path id the contract hides, 403 for a
role refused before parsing), so one run on SQLite and one on PostgreSQL give the same table:
set `ZHIBEN_WALK_RECORD=/path.json` to write it and compare the two files.

New routes are walked without editing this file: payloads are chosen from each parameter's
declared type (route dependants and the OpenAPI document).
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
from fastapi import FastAPI

from app.core.errors import PROBLEM_JSON
from tests.conftest import World
from tests.security.payloads import minimal_body, request_schema, resolve
from tests.security.routes import Endpoint, endpoints, fill_path
from tests.security.test_boundary_types import _dependant_params, _leaves


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


STRINGS = {"nul": "a\x00b", "control": "a\x1b[2Jb", "overlong": "x" * 5000}
INTEGERS = {"int64_overflow": 2**63, "int64_underflow": -(2**63) - 1, "huge": 10**30}
DATETIMES = {
    "naive": "2024-01-01T00:00:00",
    "year_9999": "9999-12-31T23:59:59-12:00",
    "year_1": "0001-01-01T00:00:00+14:00",
}
DATES = {"year_9999": "9999-12-31", "year_1": "0001-01-01"}
CURSORS = {
    "forged_naive": _b64(["2024-01-01T00:00:00", str(uuid.uuid4())]),
    "forged_int": _b64([10**30, 0]),
    "forged_signed": _b64([1]) + ".AAAAAAAAAAAAAAAAAAAAAA",
}
CURSOR_PARAMS = {"cursor", "since"}
MAX_ANSWER = 16_000
# Status a refused value may get, by location; 403 = the caller's role is refused first.
ALLOWED = {
    "path": {403, 404, 422},
    "query": {403, 422},
    "header": {403, 412, 422},
    "body": {403, 413, 422},
    "form": {403, 413, 415, 422},
}
CALLERS = ("office", "dashboard", "head1", "grid1")


def _allowed(case: Case) -> set[int]:
    allowed = set(ALLOWED[case.location])
    if case.name in CURSOR_PARAMS and "{" in case.endpoint.path:
        # A cursor is checked against the list it pages: an unknown parent object (a random
        # id, absent on either database) is a 404 first.
        allowed.add(404)
    return allowed


@dataclass(frozen=True)
class Case:
    endpoint: Endpoint
    location: str
    name: str
    payload: str
    value: Any


def _kind(annotation: Any, name: str) -> str:
    if name in CURSOR_PARAMS:
        return "cursor"
    for leaf, _ in _leaves(annotation, []):
        if leaf is int:
            return "int"
        if leaf is datetime or getattr(leaf, "__name__", "") == "AwareDatetime":
            return "datetime"
        if leaf is date:
            return "date"
    return "str"


def _payloads(kind: str, *, json_body: bool) -> dict[str, Any]:
    # In a query string an integer is text; in JSON it is a number.
    table: dict[str, dict[str, Any]] = {
        "int": INTEGERS if json_body else {k: str(v) for k, v in INTEGERS.items()},
        "datetime": DATETIMES,
        "date": DATES,
        "cursor": {**CURSORS, **STRINGS},
    }
    return {**table.get(kind, {}), **({} if kind == "cursor" else STRINGS)}


def _param_cases(ep: Endpoint) -> list[Case]:
    cases = []
    for loc, param in _dependant_params(ep.route.dependant):
        if loc == "body":
            continue
        name = param.alias or param.name
        for payload, value in _payloads(
            _kind(param.field_info.annotation, name), json_body=False
        ).items():
            cases.append(Case(ep, loc, name, payload, value))
    return cases


def _schema_kind(spec: dict[str, Any], schema: dict[str, Any], name: str) -> str:
    schema = resolve(spec, schema)
    for option in schema.get("anyOf", [schema]):
        option = resolve(spec, option)
        if option.get("type") == "integer":
            return "int"
        if option.get("format") in ("date-time", "date"):
            return "datetime" if option["format"] == "date-time" else "date"
    return _kind(str, name)


def _body_cases(spec: dict[str, Any], ep: Endpoint) -> list[Case]:
    schema = request_schema(spec, ep.path, ep.method)
    if schema is None:
        return _form_cases(spec, ep)
    cases = []
    for name, prop in schema.get("properties", {}).items():
        for payload, value in _payloads(_schema_kind(spec, prop, name), json_body=True).items():
            cases.append(Case(ep, "body", name, payload, value))
    return cases


def _form_cases(spec: dict[str, Any], ep: Endpoint) -> list[Case]:
    op = spec["paths"].get(ep.path, {}).get(ep.method.lower(), {})
    content = op.get("requestBody", {}).get("content", {})
    cases = []
    for media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        schema = resolve(spec, content.get(media, {}).get("schema", {}))
        for name in schema.get("properties", {}):
            for payload, value in STRINGS.items():
                cases.append(Case(ep, "form", f"{media}:{name}", payload, value))
    return cases


async def _send(
    client: httpx.AsyncClient, case: Case, base: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    ep, value = case.endpoint, case.value
    path, params, body = fill_path(ep, base["ids"]), {}, base.get("body")
    headers = dict(headers)
    if case.location == "path":
        path = fill_path(ep, {**base["ids"], case.name: _quote(str(value))})
    elif case.location == "query":
        params[case.name] = value
    elif case.location == "header":
        headers[case.name] = value
    elif case.location == "body":
        body = {**(body or {}), case.name: value}
    elif case.location == "form":
        media, field = case.name.split(":")
        if media == "multipart/form-data":
            return await client.request(
                ep.method, path, headers=headers, files={field: (None, str(value))}
            )
        return await client.request(ep.method, path, headers=headers, data={field: value})
    if body is not None and ep.method in {"POST", "PUT", "PATCH"}:
        return await client.request(ep.method, path, params=params, headers=headers, json=body)
    return await client.request(ep.method, path, params=params, headers=headers)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _verdict(resp: httpx.Response, allowed: set[int]) -> str | None:
    if resp.status_code not in allowed:
        return f"status {resp.status_code}: {resp.text[:160]}"
    if not resp.headers.get("content-type", "").startswith(PROBLEM_JSON):
        return f"not problem+json: {resp.headers.get('content-type')}"
    if len(resp.content) > MAX_ANSWER:
        return f"answer of {len(resp.content)} bytes"
    if resp.json().get("status") != resp.status_code:
        return "problem status differs"
    return None


async def _caller(client: httpx.AsyncClient, ep: Endpoint, world: World, base: Any) -> str:
    """The first role the operation does not refuse outright, so values reach validation."""
    for who in CALLERS:
        probe = Case(ep, "none", "", "", None)
        resp = await _send(client, probe, base, world.headers(who))
        if resp.status_code != 403:
            return who
    return CALLERS[0]


async def _flood_problems(
    client: httpx.AsyncClient, ep: Endpoint, headers: dict[str, str], floods: dict[str, bytes]
) -> list[str]:
    out = []
    json_headers = {**headers, "Content-Type": "application/json"}
    for name, content in floods.items():
        try:
            resp = await client.request(
                ep.method, fill_path(ep), content=content, headers=json_headers
            )
        except Exception as exc:  # noqa: BLE001 - a dropped connection is a finding
            out.append(f"{ep.id} body:{name}: dropped ({type(exc).__name__})")
            continue
        problem = _verdict(resp, {403, 413, 422})
        if problem:
            out.append(f"{ep.id} body:{name}: {problem}")
    return out


async def test_hostile_inputs_get_a_bounded_4xx_everywhere(
    client: httpx.AsyncClient, app_instance: FastAPI, world: World
) -> None:
    spec = app_instance.openapi()
    floods = {
        "unknown_keys_100k": json.dumps({f"k{i}": 1 for i in range(100_000)}).encode(),
        "unknown_keys_15k": json.dumps({f"k{i}": 1 for i in range(15_000)}).encode(),
    }
    failures: list[str] = []
    record: dict[str, int] = {}
    ops = [ep for ep in endpoints(app_instance) if ep.path.startswith("/api/")]
    # Real objects where the world has them, so a value reaches the code behind the lookup.
    ids = {"enterprise_id": str(world.enterprises["E1"]), "version": "2023"}
    for ep in ops:
        base = {"body": minimal_body(spec, ep.path, ep.method), "ids": ids}
        headers = world.headers(await _caller(client, ep, world, base))
        cases = _param_cases(ep) + _body_cases(spec, ep)
        for case in cases:
            key = f"{ep.id} {case.location}:{case.name}:{case.payload}"
            try:
                resp = await _send(client, case, base, headers)
            except Exception as exc:  # noqa: BLE001 - a dropped connection is a finding
                failures.append(f"{key}: dropped ({type(exc).__name__}: {exc})"[:300])
                continue
            record[key] = resp.status_code
            problem = _verdict(resp, _allowed(case))
            if problem:
                failures.append(f"{key}: {problem}")
        if request_schema(spec, ep.path, ep.method) is not None:
            failures += await _flood_problems(client, ep, headers, floods)
    _write_record(record, len(ops))
    assert len(ops) >= 40, "the route table looks empty"
    assert not failures, f"{len(failures)} hostile inputs not refused cleanly:\n" + "\n".join(
        failures[:80]
    )


def _write_record(record: dict[str, int], ops: int) -> None:
    target = os.environ.get("ZHIBEN_WALK_RECORD")
    summary = Counter(record.values())
    print(f"hostile walk: {ops} operations, {len(record)} cases, statuses {dict(summary)}")  # noqa: T201
    if target:
        with open(target, "w", encoding="utf-8") as fh:
            json.dump(dict(sorted(record.items())), fh, ensure_ascii=False, indent=0)

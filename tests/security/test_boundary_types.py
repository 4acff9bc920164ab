"""Every input of every route uses a boundary type (issue 10, "fix as a class").

Walks the live route table: each query, path, header, cookie and form parameter and each
field of each JSON body model, recursively. A string must refuse control characters and
have a maximum length; an integer must lie within int64; a datetime must be aware and
bounded; a date bounded. A route added later with a bare `str` or `datetime` fails here,
naming the route and the field, before any client can send it a NUL byte.
"""

from __future__ import annotations

import enum
import types
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi import FastAPI
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from app.schemas import common, public_report
from tests.security.routes import api_routes

INT64_MAX = 9_223_372_036_854_775_807
STRING_GUARDS = {
    common._no_nul,
    common._single_line,
    # The anonymous report's own, stricter cleaning (also refuses bidi overrides).
    public_report._clean_line,
    public_report._clean_multiline,
    public_report._description,
}
# Types that cannot carry a hostile value past their own parser.
SAFE_LEAVES = (bool, uuid.UUID, enum.Enum, float, Decimal, bytes)


def _metadata(field: FieldInfo) -> list[Any]:
    return list(field.metadata)


def _leaves(annotation: Any, meta: list[Any]) -> Iterator[tuple[Any, list[Any]]]:
    """(leaf type, every constraint on the way to it), through Optional, Annotated, list."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        yield from _leaves(base, meta + extra)
    elif origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            if arg is not type(None):
                yield from _leaves(arg, meta)
    elif origin in (list, set, tuple, frozenset):
        for arg in get_args(annotation):
            if arg is not Ellipsis:
                yield from _leaves(arg, [])
    elif origin is dict:
        yield from _leaves(get_args(annotation)[1], [])
    elif origin is Literal:
        return
    else:
        yield annotation, meta


def _bound(meta: list[Any], name: str) -> Any:
    values = [getattr(m, name) for m in meta if getattr(m, name, None) is not None]
    for m in meta:  # FieldInfo carries its own metadata list
        if isinstance(m, FieldInfo):
            values += [getattr(x, name) for x in m.metadata if getattr(x, name, None) is not None]
    return values[0] if values else None


def _validators(meta: list[Any]) -> set[Any]:
    return {m.func for m in meta if isinstance(m, AfterValidator)}


def _leaf_problem(leaf: Any, meta: list[Any], str_cap: int | None) -> str | None:
    if isinstance(leaf, type) and issubclass(leaf, BaseModel | FieldInfo):
        return None
    if leaf is str:
        if not _validators(meta) & STRING_GUARDS:
            return "str without a boundary type (NUL/control characters reach the database)"
        if _bound(meta, "max_length") is None and _bound(meta, "pattern") is None and not str_cap:
            return "str without max_length"
        return None
    if isinstance(leaf, type) and issubclass(leaf, bool):
        return None
    if leaf is int:
        low, high = _bound(meta, "ge"), _bound(meta, "le")
        if low is None or high is None or high > INT64_MAX or low < -INT64_MAX - 1:
            return "int not bounded within int64"
        return None
    if leaf is datetime or getattr(leaf, "__name__", "") == "AwareDatetime":
        if common._datetime_in_range not in _validators(meta):
            return "datetime not a BoundedDateTime"
        return None
    if leaf is date:
        if _bound(meta, "ge") is None or _bound(meta, "le") is None:
            return "date without bounds"
        return None
    if isinstance(leaf, type) and issubclass(leaf, SAFE_LEAVES):
        return None
    if leaf is Any or leaf is object:
        return "untyped input"
    return None


def _model_problems(model: type[BaseModel], where: str, seen: set[type]) -> Iterator[str]:
    if model in seen:
        return
    seen.add(model)
    cap = model.model_config.get("str_max_length")
    for name, field in model.model_fields.items():
        for leaf, meta in _leaves(field.annotation, _metadata(field)):
            if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                yield from _model_problems(leaf, f"{where}.{name}", seen)
                continue
            problem = _leaf_problem(leaf, meta, cap)
            if problem:
                yield f"{where}.{name}: {problem}"


def _dependant_params(dependant: Any) -> Iterator[tuple[str, Any]]:
    for loc in ("query_params", "path_params", "header_params", "cookie_params", "body_params"):
        for param in getattr(dependant, loc):
            yield loc.removesuffix("_params"), param
    for sub in dependant.dependencies:
        yield from _dependant_params(sub)


def route_input_problems(app: FastAPI) -> list[str]:
    problems: list[str] = []
    for path, route in api_routes(app):
        for loc, param in _dependant_params(route.dependant):
            where = f"{sorted(route.methods)[0]} {path} {loc}:{param.name}"
            info = param.field_info
            for leaf, meta in _leaves(info.annotation, _metadata(info)):
                if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                    problems += _model_problems(leaf, where, set())
                    continue
                problem = _leaf_problem(leaf, meta, None)
                if problem:
                    problems.append(f"{where}: {problem}")
    return sorted(set(problems))


def test_every_route_input_uses_a_boundary_type(app_instance: FastAPI) -> None:
    problems = route_input_problems(app_instance)
    assert not problems, "inputs without a boundary type:\n" + "\n".join(problems)


def test_the_walk_sees_a_bare_string() -> None:
    """The walk itself must notice the defect it is there for."""

    class Bare(BaseModel):
        note: str
        count: int
        at: datetime

    found = list(_model_problems(Bare, "Bare", set()))
    assert len(found) == 3, found

"""Schemathesis with hostile values where plain generation rarely goes (issue 10).

Schema-driven generation may emit NUL (`allow_x00` is on) but seldom puts one in a query,
path or form string, and never an integer past int64 — the PostgreSQL fuzz pass missed
findings 1–3 that way. Here every generated valid case gets one parameter replaced by a
NUL-bearing or control-character string, an over-long string, or a boundary number, and the
usual checks apply: no 5xx, only declared statuses, problem+json errors. Runs on whichever
database the suite runs on (SQLite, then PostgreSQL in `make test`). Named to run after
test_regressions.py, whose function-scoped world would collide with the package's fuzz world.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as hst
from schemathesis.generation import GenerationMode

from tests.fuzz.schema import CHECKS, EXAMPLES, hypothesis_settings
from tests.fuzz.test_schemathesis import OPERATIONS
from tests.fuzz.world import FuzzWorld

HOSTILE_TEXT = ["a\x00b", "\x00", "a\x1b[0mb", "\x7f", "x" * 5000]
BOUNDARY_NUMBERS = [2**63, -(2**63) - 1, 10**30, 2**31]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _names(params: Any) -> list[str]:
    return [str(getattr(p, "name", p)) for p in params or ()]


def _targets(op: Any, case: Any) -> list[tuple[str, str]]:
    """Every (location, name) of the operation a value can be put in."""
    out = [("path", n) for n in _names(op.path_parameters)]
    out += [("query", n) for n in _names(op.query)]
    if isinstance(case.body, dict):
        location = "form" if (case.media_type or "").startswith(FORM_TYPES) else "body"
        out += [(location, str(n)) for n in case.body]
    return out


def _inject(case: Any, location: str, name: str, value: Any) -> None:
    if location == "path":
        case.path_parameters = {**(case.path_parameters or {}), name: str(value)}
    elif location == "query":
        case.query = {**(case.query or {}), name: str(value)}
    elif location == "form":
        case.body = {**case.body, name: str(value)}
    else:  # JSON: numbers stay numbers
        case.body = {**case.body, name: value}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_with_hostile_values(fuzz_world: FuzzWorld, label: str) -> None:
    op = OPERATIONS[label]
    headers = fuzz_world.headers("office")
    real = {n: v for n, v in fuzz_world.known_ids.items() if n in _names(op.path_parameters)}

    @hypothesis_settings(EXAMPLES)
    @given(
        case=op.as_strategy(GenerationMode.POSITIVE, path_parameters=real or None),
        data=hst.data(),
    )
    def run(case: Any, data: Any) -> None:
        targets = _targets(op, case)
        if targets:
            location, name = data.draw(hst.sampled_from(targets), label="target")
            value = data.draw(hst.sampled_from(HOSTILE_TEXT + BOUNDARY_NUMBERS), label="value")
            _inject(case, location, name, value)
        case.headers = {**(case.headers or {}), **headers}
        case.call_and_validate(app=fuzz_world.app, checks=CHECKS)

    run()

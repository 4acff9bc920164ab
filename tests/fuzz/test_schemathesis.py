"""Schema fuzzing (issue 7; quality-notes §2): every operation of /openapi.json × every role
(street_office, enterprise_head, grid_staff, dashboard, anonymous), in-process on a seeded world.

Checks on every response: no 5xx, the status code is declared, the content type is declared,
the body and headers conform to the declared schema, and every error is problem+json.
Inputs are both schema-valid and schema-violating (schemathesis' negative mode), with path ids
either random or real (E1, G1, seeded hazards…) so calls reach existing objects too.

Bounded and reproducible: `ZHIBEN_FUZZ_EXAMPLES` examples per operation × role (default 10),
derandomized (the same inputs on every run). A failure prints a curl reproducer; once found it
becomes a plain regression test next to its endpoint's tests.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as hst
from schemathesis.generation import GenerationMode

from tests.fuzz.schema import CHECKS, EXAMPLES, hypothesis_settings, load_schema
from tests.fuzz.world import ROLES, FuzzWorld

SCHEMA = load_schema()
OPERATIONS = {
    op.label: op for result in SCHEMA.get_all_operations() if (op := result.ok()) is not None
}


def _strategy(op: Any, known_ids: dict[str, str]) -> Any:
    real = {name: v for name, v in known_ids.items() if name in (op.path_parameters or {})}
    options = [op.as_strategy(GenerationMode.POSITIVE)]
    if real:
        options.append(op.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
    # An operation with nothing to negate (no parameters, no body) has no negative strategy.
    with contextlib.suppress(Exception):
        options.append(op.as_strategy(GenerationMode.NEGATIVE))
    return hst.one_of(options)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation(fuzz_world: FuzzWorld, label: str, role: str | None) -> None:
    op = OPERATIONS[label]
    headers = fuzz_world.headers(role)

    @hypothesis_settings(EXAMPLES)
    @given(case=_strategy(op, fuzz_world.known_ids))
    def run(case: Any) -> None:
        case.headers = {**(case.headers or {}), **headers} if role else case.headers
        case.call_and_validate(app=fuzz_world.app, checks=CHECKS)

    run()

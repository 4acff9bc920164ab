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
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import schemathesis.checks as st
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as hst
from schemathesis.generation import GenerationMode

from app.core.config import Settings
from app.core.errors import PROBLEM_JSON
from app.main import create_app
from tests.conftest import TEST_SECRET
from tests.fuzz.world import ROLES, FuzzWorld, build_world, clean_database

EXAMPLES = int(os.environ.get("ZHIBEN_FUZZ_EXAMPLES", "10"))

# The schema is read from an app that never touches a database; calls go to the fuzz world's.
_SPEC_APP = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key=TEST_SECRET))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", _SPEC_APP)
OPERATIONS = {
    op.label: op for result in SCHEMA.get_all_operations() if (op := result.ok()) is not None
}


def problem_json_on_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """RFC 9457: every 4xx/5xx answer is application/problem+json with a stable `code`."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith(PROBLEM_JSON), f"error answered as {content_type!r}"
    body = response.json()
    assert body.get("status") == response.status_code, body
    assert body.get("code"), body
    return True


CHECKS = [
    st.not_a_server_error,
    st.status_code_conformance,
    st.content_type_conformance,
    st.response_schema_conformance,
    st.response_headers_conformance,
    problem_json_on_errors,
]


@pytest.fixture(scope="module")
def fuzz_world(settings: Settings) -> Iterator[FuzzWorld]:
    world = build_world(settings)
    yield world
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()  # disposes the fuzz app's engine on schemathesis' loop
    clean_database(settings)


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

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=_strategy(op, fuzz_world.known_ids))
    def run(case: Any) -> None:
        case.headers = {**(case.headers or {}), **headers} if role else case.headers
        case.call_and_validate(app=fuzz_world.app, checks=CHECKS)

    run()

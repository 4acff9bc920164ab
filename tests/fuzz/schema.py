"""The schema the fuzz tests generate from, and the checks they apply to every response."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
import schemathesis.checks as st
from hypothesis import HealthCheck, Phase, settings

from app.core.config import Settings
from app.core.errors import PROBLEM_JSON
from app.main import create_app
from tests.conftest import TEST_SECRET

EXAMPLES = int(os.environ.get("ZHIBEN_FUZZ_EXAMPLES", "10"))
STATEFUL_EXAMPLES = int(os.environ.get("ZHIBEN_FUZZ_STATEFUL_EXAMPLES", "30"))

# The schema is read from an app that never touches a database; calls go to the fuzz world's.
SPEC_APP = create_app(
    Settings(database_url="sqlite+aiosqlite://", secret_key=TEST_SECRET, log_level="WARNING")
)
SPEC: dict[str, Any] = SPEC_APP.openapi()


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


def hypothesis_settings(examples: int, **extra: Any) -> settings:
    """Bounded and reproducible: derandomized, no example database, no deadline."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        **extra,
    )


def load_schema(spec: dict[str, Any] | None = None) -> Any:
    if spec is None:
        return schemathesis.openapi.from_asgi("/openapi.json", SPEC_APP)
    return schemathesis.openapi.from_dict(spec)

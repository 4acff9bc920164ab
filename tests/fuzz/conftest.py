from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core.config import Settings
from tests.fuzz.world import FuzzWorld, build_world, clean_database


@pytest.fixture(scope="package")
def fuzz_world(settings: Settings) -> Iterator[FuzzWorld]:
    world = build_world(settings)
    yield world
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()  # disposes the fuzz app's engine on schemathesis' loop
    clean_database(settings)

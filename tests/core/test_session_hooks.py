"""Flush hooks are wired where the sessionmaker is built, never attached by an import (#16.5)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.db import make_sessionmaker
from app.services import hazard_counts, inspection_counts
from app.services.session_hooks import SESSION_HOOKS
from app.services.sync import tracking

# (event, listener) pairs each hook attaches; written out here, not read from the code.
LISTENERS = [
    ("before_flush", hazard_counts._before_flush),
    ("after_flush", hazard_counts._after_flush),
    ("before_flush", inspection_counts._before_flush),
    ("after_flush", inspection_counts._after_flush),
    ("after_flush", tracking._log_changes),
]

IMPORT_EVERYTHING = """
import importlib, pkgutil, app
from sqlalchemy import event
from sqlalchemy.orm import Session
for mod in pkgutil.walk_packages(app.__path__, "app."):
    importlib.import_module(mod.name)
import app.main
app.main.create_app()
from app.services import hazard_counts as h
from app.services import inspection_counts as i
from app.services.sync import tracking as t
pairs = [("before_flush", h._before_flush), ("after_flush", h._after_flush),
         ("before_flush", i._before_flush), ("after_flush", i._after_flush),
         ("after_flush", t._log_changes)]
print([event.contains(Session, name, fn) for name, fn in pairs])
"""


def _session_class(maker: Any) -> type[Session]:
    cls: type[Session] = maker.kw["sync_session_class"]
    return cls


def test_importing_the_whole_app_registers_nothing_on_session(tmp_path: Path) -> None:
    env = {**os.environ, "ZHIBEN_DATABASE_URL": f"sqlite:///{tmp_path / 'z.db'}"}
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[False, False, False, False, False]"


def test_the_app_sessions_carry_the_rollup_and_change_capture(app_instance: Any) -> None:
    cls = _session_class(app_instance.state.sessionmaker)
    assert [event.contains(cls, name, fn) for name, fn in LISTENERS] == [True] * len(LISTENERS)
    assert not any(event.contains(Session, name, fn) for name, fn in LISTENERS)


def test_a_factory_without_hooks_has_none(app_instance: Any) -> None:
    bare = _session_class(make_sessionmaker(app_instance.state.engine))
    hooked = _session_class(make_sessionmaker(app_instance.state.engine, hooks=SESSION_HOOKS))
    assert [event.contains(bare, name, fn) for name, fn in LISTENERS] == [False] * len(LISTENERS)
    assert [event.contains(hooked, name, fn) for name, fn in LISTENERS] == [True] * len(LISTENERS)


async def test_the_app_session_class_is_its_own(db: Any) -> None:
    assert type(db.sync_session) is not Session
    assert isinstance(db.sync_session, Session)

"""Schema migrations, found wherever zhiben runs, so `zhiben migrate` works from any directory.

The scripts live in the repository's top-level `alembic/` (plain `alembic upgrade head` works
from the repository root). A source checkout or an editable install finds them beside the
`app` package; an installed wheel carries them as data files under `<prefix>/share/zhiben`
(pyproject's `[tool.setuptools.data-files]`).
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

from alembic import command
from alembic.config import Config

from app.core.db import ensure_sqlite_dir


def migrations_dir() -> Path:
    """The first directory holding our env.py: the source tree, then the installed data."""
    candidates = [
        Path(__file__).resolve().parents[2] / "alembic",
        Path(sysconfig.get_path("data")) / "share" / "zhiben" / "alembic",
        Path(sys.prefix) / "share" / "zhiben" / "alembic",
    ]
    for candidate in candidates:
        if (candidate / "env.py").is_file() and (candidate / "versions").is_dir():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise RuntimeError(f"migration scripts not found (searched {searched})")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    # ConfigParser interpolation: a literal % in a password must be doubled.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database to the newest schema (every branch head)."""
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Autogenerate/compare skip procrastinate's own tables (revision 0014 owns them)."""
    return not (type_ == "table" and (name or "").startswith("procrastinate"))

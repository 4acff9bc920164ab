"""Async engine and sessions: asyncpg on PostgreSQL (production), aiosqlite on SQLite (embedded).

One session per request; services flush, the request commits once before it answers
(`app/dependencies.py`).
"""

from __future__ import annotations

import functools
import re
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession
from sqlalchemy.orm import Session

from app.core.config import Settings


def async_url(url: str) -> str:
    """Accept plain `postgresql://` and `sqlite:///` URLs and pick the async driver."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        u = u.set(drivername="postgresql+asyncpg")
    elif u.drivername in ("sqlite", "sqlite+pysqlite"):
        u = u.set(drivername="sqlite+aiosqlite")
    return u.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers run beside the writer.
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def ensure_sqlite_dir(url: str) -> None:
    """A first start on the embedded default must work: create the SQLite file's folder."""
    u = make_url(url)
    if u.drivername.startswith("sqlite") and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(settings: Settings, url: str | None = None) -> AsyncEngine:
    target = async_url(url or settings.database_url)
    kwargs: dict[str, Any] = {"echo": settings.log_sql}
    if target.startswith("sqlite"):
        ensure_sqlite_dir(target)
    else:
        server = {
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "jit": "on" if settings.db_jit else "off",
        }
        kwargs.update(
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            # No ping per checkout (a round trip on every request, issue 11): a pooled
            # connection found dead on its first statement is reported as such
            # (`is_stale_connection`) and the request is run once more on a fresh one.
            pool_pre_ping=False,
            # A request waiting longer than this for a connection gets a 503, not a hang.
            pool_timeout=settings.db_pool_timeout_s,
            # A hung statement must not hold a worker forever (F3 in quality notes).
            connect_args={
                "server_settings": server,
                "timeout": 5,
            },
        )
    engine = create_async_engine(target, **kwargs)
    if target.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        _watch_stale_connections(engine)
        event.listen(engine.sync_engine, "before_cursor_execute", _read_only_guard)
    return engine


# Attaches flush listeners to a session class (`app/services/session_hooks.py` lists them).
SessionHook = Callable[[type[Session]], None]


_SENT = "zhiben_sent"  # connection-record info: a statement went through since checkout
STALE_ATTR = "zhiben_stale_connection"


def _watch_stale_connections(engine: AsyncEngine) -> None:
    """Marks a disconnect raised before any statement of this checkout went through: the
    server never saw this transaction, so the request may be run again as it is."""

    def checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        record.info[_SENT] = False

    def after_execute(conn: Any, *_args: Any) -> None:
        conn.info[_SENT] = True

    def handle_error(ctx: ExceptionContext) -> None:
        conn = ctx.connection
        unsent = conn is not None and not conn.info.get(_SENT, True)
        if ctx.is_disconnect and unsent and ctx.sqlalchemy_exception is not None:
            setattr(ctx.sqlalchemy_exception, STALE_ATTR, True)

    event.listen(engine.sync_engine.pool, "checkout", checkout)
    event.listen(engine.sync_engine, "after_cursor_execute", after_execute)
    event.listen(engine.sync_engine, "handle_error", handle_error)


def is_stale_connection(exc: BaseException) -> bool:
    """True for a pooled connection that was dead before this request sent anything."""
    return any(getattr(err, STALE_ATTR, False) for err in _causes(exc))


def make_sessionmaker(
    engine: AsyncEngine,
    *,
    info: dict[str, Any] | None = None,
    hooks: Sequence[SessionHook] = (),
) -> async_sessionmaker[AsyncSession]:
    """`info` is copied into every session (the app puts its cursor-signing key there).

    `hooks` are installed on a session class of this factory's own, never on the global
    `Session`: which listeners run is decided by whoever builds the factory (app, CLI,
    worker), not by which packages happen to have been imported. Core may not import
    services, so the composition roots pass them in."""
    session_class = type("AppSession", (Session,), {})
    for install in hooks:
        install(session_class)
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=False,
        info=info or {},
        sync_session_class=session_class,
    )


READ_ONLY_OPTION = "zhiben_read_only"
_LOCKS_OR_WRITES = re.compile(
    r"\bFOR\s+(UPDATE|SHARE|NO\s+KEY|KEY\s+SHARE)\b|\b(INSERT|UPDATE|DELETE|MERGE)\b"
    r"|advisory|nextval|set_config",
    re.IGNORECASE,
)


class NeedsTransaction(BaseException):
    """A request that began without a transaction (a GET on PostgreSQL) is about to write or
    lock. Raised before the statement is sent; `TransactionRetryMiddleware` runs the request
    again inside a transaction. A BaseException so no `except Exception` swallows it."""


def make_read_sessionmaker(
    engine: AsyncEngine, *, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession] | None:
    """Sessions for GET requests on PostgreSQL: autocommit, so no BEGIN and no COMMIT round
    trips (a quarter of `/auth/me`'s time, issue 11). READ COMMITTED already gives every
    statement its own snapshot, so reads see exactly what they saw inside a transaction;
    anything that writes or locks raises `NeedsTransaction` before it is sent."""
    if engine.dialect.name != "postgresql":
        return None
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT", READ_ONLY_OPTION: True}
    reading = engine.execution_options(**options)
    return async_sessionmaker(reading, expire_on_commit=False, autoflush=False, info=info or {})


def _read_only_guard(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    if conn.get_execution_options().get(READ_ONLY_OPTION) and writes_or_locks(statement):
        raise NeedsTransaction


@functools.lru_cache(maxsize=2048)
def writes_or_locks(statement: str) -> bool:
    """Whether a statement may write or take a lock. Remembered per statement text: the text
    comes from SQLAlchemy's compiled cache, so a read path sends the same few strings over
    and over, and the regex over a long one (a hazard read with its photos folded in) was
    ~5 % of a read request's CPU (bench/README.md "Issue 11 — fourth session")."""
    head = statement.lstrip()[:6].upper()
    return not head.startswith(("SELECT", "WITH")) or _LOCKS_OR_WRITES.search(statement) is not None


_UNAVAILABLE_NAMES = {
    "CannotConnectNowError",
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "AdminShutdownError",
    "TooManyConnectionsError",
    "QueryCanceledError",
}
# 57014 statement timeout (query_canceled), 55P03 lock timeout, 53300 too many connections,
# 57P01–57P03 admin/crash shutdown, cannot connect now. Class 08: connection exception.
_UNAVAILABLE_STATES = {"57014", "55P03", "53300", "57P01", "57P02", "57P03"}
# Serialization failure and deadlock: the transaction was aborted and may simply be re-run.
CONFLICT_STATES = {"40001", "40P01"}


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what it wraps: SQLAlchemy puts driver errors (asyncpg's, via the adapter)
    in a plain `DBAPIError`'s `orig` and `__cause__`."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 8:
        err = todo.pop()
        if err is None or any(err is s for s in seen):
            continue
        seen.append(err)
        todo += [getattr(err, "orig", None), err.__cause__]
    return seen


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", "") or getattr(exc, "pgcode", "") or "")


def is_transaction_conflict(exc: BaseException) -> bool:
    """True for a serialization failure or deadlock, retried once by the request."""
    return any(_sqlstate(err) in CONFLICT_STATES for err in _causes(exc))


def is_database_unavailable(exc: BaseException) -> bool:
    """True for errors that mean "the database cannot serve this now", answered 503 with
    `Retry-After` not 500: unreachable, restarting, pool exhausted, statement timed out."""
    return any(_unavailable_itself(err) for err in _causes(exc))


def _unavailable_itself(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, ConnectionError | socket.gaierror | TimeoutError | OSError):
        return True
    state = _sqlstate(exc)
    if state.startswith("08") or state in _UNAVAILABLE_STATES:
        return True
    return type(exc).__name__ in _UNAVAILABLE_NAMES

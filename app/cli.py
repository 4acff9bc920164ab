"""`zhiben` console script: serve, migrate, create-user, seed-demo, worker, remind,
expire-permits (brief §6)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings, get_settings
from app.core.db import make_engine, make_sessionmaker
from app.core.errors import AppError
from app.core.migrate import downgrade, upgrade
from app.models.user import Role

T = TypeVar("T")


def _run_with_session(settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    from app.services.session_hooks import SESSION_HOOKS

    async def runner() -> T:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine, hooks=SESSION_HOOKS)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(runner())


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    print(f"数据库已迁移到最新版本：{_where(settings)}")
    return 0


def _where(settings: Settings) -> str:
    if settings.is_sqlite:
        return settings.database_url.split("///", 1)[-1]
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if settings.is_sqlite:
        # The embedded default migrates itself so a first start just works (brief §6).
        upgrade(settings.database_url)
        if args.workers > 1:
            print("提示：SQLite 仅适合单进程；多进程请使用 PostgreSQL。", file=sys.stderr)
    print(f"数据库：{_where(settings)}")
    print(f"API：http://{args.host}:{args.port}  文档：http://{args.host}:{args.port}/docs")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=False,  # X-Forwarded-For is trusted only from configured proxies
        log_level="warning",
        timeout_graceful_shutdown=10,
    )
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from app.schemas.user import UserCreate
    from app.services.users import create_user

    try:
        data = UserCreate(
            username=args.username,
            password=args.password,
            role=Role(args.role),
            display_name=args.display_name,
            enterprise_id=uuid.UUID(args.enterprise_id) if args.enterprise_id else None,
            grid_ids=[uuid.UUID(g) for g in args.grid_id] or None,
        )
    except (ValidationError, ValueError) as exc:
        print(f"参数有误：{exc}", file=sys.stderr)
        return 2
    try:
        view, created = _run_with_session(settings, lambda s: create_user(s, actor=None, data=data))
    except AppError as exc:
        print(f"创建失败：{exc.detail_zh}", file=sys.stderr)
        return 1
    print(
        f"{'已创建' if created else '已存在'}用户 {view.username}（{view.role.value}）id={view.id}"
    )
    return 0


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from app.services.demo import DemoWorldMismatch
    from app.services.seed import seed_demo

    if args.reset:
        if settings.env != "development":
            print("--reset 会清空整个数据库，只能在开发环境使用。", file=sys.stderr)
            return 2
        # Every migration is reversible: down to nothing and up again empties the database
        # and reloads the migrations' reference data, whatever tables later issues add.
        downgrade(settings.database_url, "base")
        upgrade(settings.database_url)
    elif settings.is_sqlite:
        upgrade(settings.database_url)
    try:
        accounts = _run_with_session(settings, lambda s: seed_demo(s, settings=settings))
    except ModuleNotFoundError as exc:
        if exc.name != "time_machine":
            raise
        print("演示数据需要开发依赖：pip install 'zhiben[demo]'", file=sys.stderr)
        return 2
    except DemoWorldMismatch as exc:
        print(
            f"数据库中的演示账号 {exc} 属于旧版演示数据，请运行 zhiben seed-demo --reset",
            file=sys.stderr,
        )
        return 1
    if settings.env == "development" and accounts:
        print("演示账号（仅开发环境）：")
        for username, password, role in accounts:
            print(f"  {role:<16} {username:<20} 密码 {password}")
    print(f"演示数据已就绪：{_where(settings)}")
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    """Background jobs on PostgreSQL (issue 13): outbox relay + procrastinate worker."""
    if settings.resolved_jobs_mode != "procrastinate":
        print(
            "zhiben worker 用于 PostgreSQL（procrastinate）；"
            "SQLite 下后台任务由 zhiben serve 内置执行。",
            file=sys.stderr,
        )
        return 2
    from app.jobs.worker import run_worker

    print(f"后台任务进程：{_where(settings)}，并发 {args.concurrency}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_worker(
                settings,
                concurrency=args.concurrency,
                queues=args.queues or None,
                relay=not args.no_relay,
            )
        )
    return 0


def cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    """One reminder scan as of a Shanghai date (idempotent: a re-run sends nothing new)."""
    from datetime import date

    from app.models.base import utcnow
    from app.rules.calendar import today_in_shanghai
    from app.services import reminders

    try:
        today = date.fromisoformat(args.today) if args.today else today_in_shanghai()
    except ValueError:
        print(f"日期有误：{args.today}（应为 YYYY-MM-DD）", file=sys.stderr)
        return 2
    if settings.is_sqlite:
        upgrade(settings.database_url)
    result = _run_with_session(
        settings,
        lambda s: reminders.scan(s, today=today, now=utcnow(), settings=settings),
    )
    stages = "，".join(f"{k} {v}" for k, v in result.stages.items())
    print(f"{today.isoformat()} 提醒扫描：新发送阶段 {stages}；通知 {result.notifications} 条")
    return 0


def cmd_purge_uploads(settings: Settings, _args: argparse.Namespace) -> int:
    """Remove public photos no report used within 24 h (run from cron, e.g. hourly)."""
    from app.core.storage import LocalStorage
    from app.services.public_reports.purge import (
        delete_expired_public_uploads,
        remove_orphan_blobs,
    )
    from app.services.session_hooks import SESSION_HOOKS

    assert settings.upload_dir is not None  # filled in by Settings
    storage = LocalStorage(settings.upload_dir)

    async def runner() -> tuple[int, int]:
        engine = make_engine(settings)
        rows = blobs = 0
        try:
            while True:
                async with make_sessionmaker(engine, hooks=SESSION_HOOKS)() as session:
                    count, keys = await delete_expired_public_uploads(session)
                    await session.commit()
                    if not count:
                        return rows, blobs
                    rows += count
                    blobs += await remove_orphan_blobs(session, storage=storage, keys=keys)
        finally:
            await engine.dispose()

    rows, blobs = asyncio.run(runner())
    print(f"已清理过期未使用的群众上传照片 {rows} 张，删除文件 {blobs} 个")
    return 0


def cmd_purge_idempotency(settings: Settings, _args: argparse.Namespace) -> int:
    """Delete idempotency records past their replay window (cron, e.g. hourly)."""
    from app.services.idempotency import purge_expired

    async def work(session: Any) -> int:
        return await purge_expired(session, ttl_hours=settings.idempotency_ttl_hours)

    count = _run_with_session(settings, work)
    print(f"已清理过期的幂等记录 {count} 条")
    return 0


def cmd_expire_permits(settings: Settings, _args: argparse.Namespace) -> int:
    """Expire the permits past their validity once (idempotent; the worker does it every 5 min)."""
    from app.models.base import utcnow
    from app.services.permits.expiry import expire_batch

    total = 0
    while True:
        done = _run_with_session(settings, lambda s: expire_batch(s, now=utcnow()))
        total += len(done)
        if len(done) < 100:
            break
    print(f"已将超过有效期的作业票置为过期 {total} 张")
    return 0


def _month(text: str) -> str:
    if not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError("月份格式为 YYYY-MM，如 2026-11")
    return text


def cmd_bulletin(settings: Settings, args: argparse.Namespace) -> int:
    """Render and store a month's 晾晒通报 (plan §四(一)): xlsx and PDF."""
    from app.services.bulletins.service import generate_month_bulletin

    async def work(session: AsyncSession) -> tuple[str, int, int]:
        row = await generate_month_bulletin(session, month=args.month, settings=settings)
        return row.label, len(row.xlsx), len(row.pdf)

    label, xlsx, pdf = _run_with_session(settings, work)
    print(f"已生成{label}晾晒通报：xlsx {xlsx} 字节，PDF {pdf} 字节")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhiben", description="治本 — 工贸安全生产监管后台")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="启动 API 服务")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="把数据库迁移到最新版本 (alembic upgrade heads)")
    cu = sub.add_parser("create-user", help="创建账号")
    cu.add_argument("--username", required=True)
    cu.add_argument("--password", required=True)
    cu.add_argument("--role", required=True, choices=[r.value for r in Role])
    cu.add_argument("--enterprise-id")
    cu.add_argument("--grid-id", nargs="+", action="extend", default=[], metavar="ID")
    cu.add_argument("--display-name")
    seed = sub.add_parser("seed-demo", help="载入演示数据（幂等）")
    seed.add_argument(
        "--reset", action="store_true", help="先清空整个数据库再重建演示数据（仅开发环境）"
    )
    sub.add_parser("purge-uploads", help="清理 24 小时内未被举报使用的群众上传照片")
    sub.add_parser("purge-idempotency", help="清理超过保留期（默认 24 小时）的幂等记录")
    sub.add_parser("expire-permits", help="将超过有效期的作业票置为过期（幂等）")
    bulletin = sub.add_parser("bulletin", help="生成并保存某月晾晒通报（xlsx 和 PDF）")
    bulletin.add_argument("--month", required=True, type=_month, help="YYYY-MM")
    remind = sub.add_parser("remind", help="按某日执行一次提醒扫描（幂等）")
    remind.add_argument("--today", help="YYYY-MM-DD（上海日期），默认今天")
    worker = sub.add_parser(
        "worker", help="后台任务进程（PostgreSQL：outbox 转交 + procrastinate）"
    )
    worker.add_argument("--concurrency", type=int, default=4, help="同时执行的任务数")
    worker.add_argument("--queues", nargs="+", default=[], metavar="QUEUE", help="只处理这些队列")
    worker.add_argument("--no-relay", action="store_true", help="不转交 outbox（只执行任务）")
    return parser


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "create-user": cmd_create_user,
    "seed-demo": cmd_seed_demo,
    "worker": cmd_worker,
    "remind": cmd_remind,
    "purge-uploads": cmd_purge_uploads,
    "purge-idempotency": cmd_purge_idempotency,
    "bulletin": cmd_bulletin,
    "expire-permits": cmd_expire_permits,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"配置有误：{exc}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](settings, args)


if __name__ == "__main__":
    raise SystemExit(main())

"""The checklist catalogue (《工贸企业重大事故隐患判定标准》) read from the database.

Caching: a loaded version never changes (a revision is a *new* version, written by a
migration), so each version's catalogue is built from its rows once and then kept in this
process (`_CATALOGUES`, keyed by version). Which version is current is one primary-key-sized
query per call, so a newly migrated version is picked up without a restart. A process
serving several databases would share the cache; versions are immutable, so that is safe.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.models.enterprise import Enterprise
from app.models.standard import Standard, StandardItemRecord, sort_key
from app.rules.standard import (
    ApplicabilityRule,
    RuleKind,
    StandardItem,
    StandardVersion,
    applicable_items,
)
from app.services.pagination import keyset_page
from app.services.policy import Actor, Permission, enterprise_scope, require_permission

_CATALOGUES: dict[str, StandardVersion] = {}
_last_current: list[str] = []  # the version `current()` last found, for sync callers


def cached_current() -> StandardVersion | None:
    """The current version as last read from the database in this process, if any."""
    return _CATALOGUES.get(_last_current[-1]) if _last_current else None


def standard_row(version: StandardVersion) -> dict[str, Any]:
    """The `standards` row of a parsed version (used by the data migration)."""
    return {
        "version": version.version,
        "title": version.title,
        "instrument": version.instrument,
        "effective": version.effective,
    }


def item_rows(version: StandardVersion) -> list[dict[str, Any]]:
    """The `standard_items` rows of a parsed version (used by the data migration)."""
    return [
        {
            "version": version.version,
            "code": i.code,
            "article": i.article,
            "item": i.item,
            "sort_key": sort_key(i.article, i.item),
            "article_label": i.article_label,
            "group": i.group,
            "sector": i.sector,
            "sub_sector": i.sub_sector,
            "rule_kind": i.rule.kind,
            "rule_value": i.rule.value,
            "text": i.text,
            "summary_en": i.summary_en,
            "text_verified": i.text_verified,
            "source": i.source,
            "scope_note": i.scope_note,
            "rule_hint": i.rule_hint,
        }
        for i in version.items
    ]


def _item(row: StandardItemRecord) -> StandardItem:
    return StandardItem(
        code=row.code,
        article=row.article,
        item=row.item,
        article_label=row.article_label,
        group=row.group,
        sector=row.sector,
        sub_sector=row.sub_sector,
        rule=ApplicabilityRule(cast(RuleKind, row.rule_kind), row.rule_value),
        text=row.text,
        summary_en=row.summary_en,
        text_verified=row.text_verified,
        source=row.source,
        scope_note=row.scope_note,
        rule_hint=row.rule_hint,
    )


async def catalogue(session: AsyncSession, version: str) -> StandardVersion:
    """One version with all its items (from the process cache after the first load); 404."""
    cached = _CATALOGUES.get(version)
    if cached is not None:
        return cached
    head = await session.get(Standard, version)
    if head is None:
        raise NotFound("判定标准版本不存在", "Standard version not found")
    rows = await session.scalars(
        select(StandardItemRecord)
        .where(StandardItemRecord.version == version)
        .order_by(StandardItemRecord.sort_key)
    )
    built = StandardVersion(
        version=head.version,
        title=head.title,
        instrument=head.instrument,
        effective=head.effective,
        items=tuple(_item(r) for r in rows),
        non_item_articles=(),
    )
    # Two requests racing here both build the same immutable value: no lock needed.
    _CATALOGUES[version] = built
    return built


def _current_version() -> Any:
    """The version new inspections and determinations use, as a scalar subquery."""
    return (
        select(Standard.version)
        .where(Standard.is_current.is_(True))
        .order_by(Standard.effective.desc())
        .limit(1)
        .scalar_subquery()
    )


async def _version_catalogue(session: AsyncSession, version: str | None) -> StandardVersion:
    if version is None:  # only if the data migration did not run
        raise NotFound("尚未加载判定标准", "No standard loaded", code="no_standard")
    found = await catalogue(session, version)
    _last_current[:] = [version]
    return found


async def current(session: AsyncSession) -> StandardVersion:
    """The version new inspections and determinations use."""
    return await _version_catalogue(session, await session.scalar(select(_current_version())))


async def list_standards(
    session: AsyncSession, *, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[Standard], str | None]:
    require_permission(actor, Permission.STANDARD_READ)
    return await keyset_page(
        session, select(Standard), order=[Standard.version], limit=limit, cursor=cursor
    )


async def list_items(
    session: AsyncSession,
    *,
    actor: Actor,
    version: str,
    sector: str | None,
    feature: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[StandardItemRecord], str | None]:
    """Items of one version in code order; `sector` = that sector's article, `feature` = the
    items a risk feature selects, `q` = a code or words of the text."""
    require_permission(actor, Permission.STANDARD_READ)
    if await session.get(Standard, version) is None:
        raise NotFound("判定标准版本不存在", "Standard version not found")
    stmt = select(StandardItemRecord).where(StandardItemRecord.version == version)
    if sector:
        stmt = stmt.where(StandardItemRecord.sector == sector)
    if feature:
        stmt = stmt.where(
            StandardItemRecord.rule_kind == "feature", StandardItemRecord.rule_value == feature
        )
    if q:
        stmt = stmt.where(
            or_(
                StandardItemRecord.code == q,
                StandardItemRecord.text.contains(q, autoescape=True),
                StandardItemRecord.summary_en.contains(q, autoescape=True),
            )
        )
    return await keyset_page(
        session,
        stmt,
        order=[StandardItemRecord.sort_key, StandardItemRecord.code],
        limit=limit,
        cursor=cursor,
    )


async def checklist(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID
) -> tuple[StandardVersion, list[tuple[StandardItem, str]]]:
    """The current version's items that apply to the enterprise, if the actor may see it
    (404 otherwise, as `get_enterprise`). The enterprise's sector and features and the
    current version are one statement: the items are cached in the process by version, so
    a checklist is the actor's statement and this one (issue 11)."""
    require_permission(actor, Permission.ENTERPRISE_READ)
    row = (
        await session.execute(
            select(Enterprise.sector, Enterprise.features, _current_version()).where(
                Enterprise.id == enterprise_id, enterprise_scope(actor)
            )
        )
    ).one_or_none()
    if row is None:
        raise NotFound("企业不存在", "Enterprise not found")
    require_permission(actor, Permission.STANDARD_READ)
    standard = await _version_catalogue(session, row[2])
    return standard, applicable_items(standard, sector=row[0], features=row[1])

"""The effective permit rules (permits.md §8): the GB 30871 defaults, or a jurisdiction's file
(`ZHIBEN_PERMIT_RULES_FILE`, JSON or TOML) validated when the app starts. Each permit stamps
the version it was created under; every later judgement of that permit (gas tests, start,
resume) uses that version's table, kept in `permit_rule_sets`, not today's file."""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings, get_settings
from app.core.errors import NotFound
from app.models.permit import Permit
from app.models.permit_ops import PermitRuleSet
from app.rules.permits.settings import DEFAULT_RULES, PermitRules
from app.rules.permits.table import PermitRulesFile, RuleSet, build, rules_from_table
from app.services.policy import Actor, Permission, require_permission

RULES_INFO = "permit_rules"
# Version → rule set. Safe to share across apps: a file's version carries a hash of its
# values, so one version string never names two tables.
_KNOWN: dict[str, RuleSet] = {}


class PermitRulesFileError(RuntimeError):
    """The rules file is missing or wrong: the app refuses to start."""


def load_file(path: Path) -> PermitRulesFile:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        return PermitRulesFile.model_validate(data)
    except ValidationError as exc:
        wrong = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise PermitRulesFileError(f"ZHIBEN_PERMIT_RULES_FILE {path}: {wrong}") from exc
    except (OSError, ValueError) as exc:
        raise PermitRulesFileError(f"ZHIBEN_PERMIT_RULES_FILE {path}: {exc}") from exc


@lru_cache(maxsize=8)
def _configured(path: Path | None, jurisdiction: str) -> RuleSet:
    ruleset = build(load_file(path) if path else None, jurisdiction)
    _KNOWN[ruleset.rules.version] = ruleset
    return ruleset


def configure(settings: Settings) -> RuleSet:
    """The settings' rule set; raises `PermitRulesFileError` for a wrong file (at start-up)."""
    return _configured(settings.permit_rules_file, settings.jurisdiction_name)


def current(session: AsyncSession) -> RuleSet:
    """The rules new permits use: the app's (see `make_sessionmaker`), else the settings'."""
    found = session.info.get(RULES_INFO)
    return found if isinstance(found, RuleSet) else configure(get_settings())


def current_rules(session: AsyncSession) -> PermitRules:
    return current(session).rules


async def record(session: AsyncSession, ruleset: RuleSet) -> None:
    """Keep the table a new permit is stamped with (once per version)."""
    if await session.get(PermitRuleSet, ruleset.rules.version) is not None:
        return
    row = PermitRuleSet(
        version=ruleset.rules.version, jurisdiction=ruleset.jurisdiction, table=ruleset.table
    )
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent create recorded it first
        pass


async def load_version(session: AsyncSession, version: str) -> None:
    """Make `rules_of` answer for `version` (read from `permit_rule_sets` once per process)."""
    if version in _KNOWN or version == DEFAULT_RULES.version:
        return
    row = await session.get(PermitRuleSet, version)
    if row is not None:
        _KNOWN[version] = rules_from_table(version, row.jurisdiction, row.table)


def rules_of(permit: Permit) -> PermitRules:
    """The rules `permit` was issued under (`load_version` ran when it was read)."""
    known = _KNOWN.get(permit.rules_version)
    if known is not None:
        return known.rules
    if permit.rules_version == DEFAULT_RULES.version:
        return DEFAULT_RULES
    raise RuntimeError(f"permit rules version {permit.rules_version!r} is not recorded")


async def describe(session: AsyncSession, *, actor: Actor, version: str | None) -> RuleSet:
    """The effective rules with their citations, or those of an earlier `version` (the rules a
    permit names in `rules_version`); an unknown version is a 404."""
    require_permission(actor, Permission.PERMIT_READ)
    now = current(session)
    if version is None or version == now.rules.version:
        return now
    if version == DEFAULT_RULES.version:
        return build(None, now.jurisdiction)
    await load_version(session, version)
    found = _KNOWN.get(version)
    if found is None:
        raise NotFound("没有该版本的作业票规则", "No permit rules of that version")
    return found

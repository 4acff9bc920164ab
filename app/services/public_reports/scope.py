"""Which public reports a member of staff may see (brief §1), through `policy` as always."""

from __future__ import annotations

import uuid
from typing import cast

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

from app.models.public_report import PublicReport
from app.services.policy import Actor, scope_by_enterprise


def report_scope(actor: Actor) -> ColumnElement[bool]:
    # For grid staff `enterprise_id IN (their enterprises)` is never true for NULL, so an
    # unmatched report stays with the street office.
    column = cast(InstrumentedAttribute[uuid.UUID], PublicReport.enterprise_id)
    return scope_by_enterprise(actor, column)

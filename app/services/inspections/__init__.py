"""Inspections (检查): filing with responses and quiz records, and scoped reads."""

from app.services.inspections.create import create_inspection
from app.services.inspections.queries import get_inspection, list_inspections

__all__ = ["create_inspection", "get_inspection", "list_inspections"]

"""Permits to work (作业票): pure rules for grades, validity, gas tests and approval routing.

Binding sources for a 工贸 enterprise: 应急管理部令第13号 arts 4–18 (confined space) and
消防法 art. 21 (hot work). GB 30871-2022 binds only chemical enterprises; its numbers are the
*defaults* of `PermitRules`, each cited, so a jurisdiction can change them as data.
"""

from app.rules.permits.errors import RuleViolation

__all__ = ["RuleViolation"]

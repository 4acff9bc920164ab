"""The one error the permit rules raise: which rule refused, and where it is written."""

from __future__ import annotations


class RuleViolation(Exception):
    """A permit rule refused an input or a step. The service maps it to a 409/422 problem."""

    def __init__(self, code: str, zh: str, en: str, *, citation: str, kind: str = "conflict"):
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en
        self.citation = citation
        # "conflict" (409: the permit's state forbids it) or "invalid" (422: the input is bad).
        self.kind = kind

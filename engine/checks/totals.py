"""Totals the reports show: by status, purpose and month, computed once here."""

from __future__ import annotations

from collections import defaultdict

from .result import CheckResult
from ..core.status import STATUSES


def by_purpose(result: CheckResult, lines=None) -> dict[tuple[str, str], dict[str, int]]:
    """(grant, purpose) -> pence by status (a split line counts each part in its status)."""
    out: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for line in lines if lines is not None else result.lines():
        key = (line.values["grant"], line.values["purpose"] or "(none)")
        for status, pence in line.amounts.items():
            out[key][status] += pence
    return dict(sorted(out.items()))


def by_month(result: CheckResult, lines=None) -> dict[str, dict[str, int]]:
    """'2025-09' (or 'undated') -> pence by status."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for line in lines if lines is not None else result.lines():
        day = line.values["date"]
        key = f"{day.year:04d}-{day.month:02d}" if day else "undated"
        for status, pence in line.amounts.items():
            out[key][status] += pence
    return dict(sorted(out.items(), key=lambda item: (item[0] == "undated", item[0])))

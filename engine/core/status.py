"""Statuses, ordered: compliant < at_risk < non_compliant."""

from __future__ import annotations

STATUSES = ("compliant", "at_risk", "non_compliant")
RANK = {status: rank for rank, status in enumerate(STATUSES)}


def worst(statuses) -> str:
    return max(statuses, key=RANK.__getitem__, default="compliant")


def at_or_above(status: str, level: str) -> bool:
    """Whether `status` trips `--fail-on level` (`never` trips on nothing)."""
    if level == "never":
        return False
    return RANK[status] >= RANK[level]

"""Statuses, ordered: compliant < at_risk < non_compliant, and how they read."""

from __future__ import annotations

STATUSES = ("compliant", "at_risk", "non_compliant")
RANK = {status: rank for rank, status in enumerate(STATUSES)}
#: How each status reads in every report (a format may dress it: the terminal shouts
#: NON-COMPLIANT, Markdown adds a sign), and as `--fail-on never` reads.
LABELS = {"compliant": "compliant", "at_risk": "at risk", "non_compliant": "non-compliant"}


def worst(statuses) -> str:
    return max(statuses, key=RANK.__getitem__, default="compliant")


def at_or_above(status: str, level: str) -> bool:
    """Whether `status` trips `--fail-on level` (`never` trips on nothing)."""
    if level == "never":
        return False
    return RANK[status] >= RANK[level]

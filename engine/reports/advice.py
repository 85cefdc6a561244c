"""Funding advice (checks/advice.py) as the reports show it: JSON records and one sentence."""

from __future__ import annotations

from typing import Any

from ..checks.advice import Advice
from ..core.money import format_gbp, format_plain

#: Shown for a line no other pack would take.
NO_OTHER = "no other grant's pack would take it"


def advice_records(advice: tuple[Advice, ...]) -> list[dict[str, Any]]:
    return [{"grant": a.grant, "determination": a.determination, "title": a.title,
             "purposes": list(a.purposes), "any_purpose": a.any_purpose, "awarded": a.awarded,
             "left": None if a.left is None else format_plain(a.left)} for a in advice]


def advice_text(advice: tuple[Advice, ...] | None) -> str:
    """'ffpp-transformation-2025-26 (31/7969) would take it as transformation; the council's
    award has £1,000.00 left', one clause per grant; empty when not advised."""
    if advice is None:
        return ""
    if not advice:
        return NO_OTHER
    return " | ".join(
        f"{a.grant} ({a.determination}) would take it "
        + (f"under any of its purposes ({', '.join(a.purposes)})" if a.any_purpose and
           len(a.purposes) > 1 else f"as {' or '.join(a.purposes)}") + "; "
        + (f"the council's award has {format_gbp(a.left)} left"
           if a.awarded and a.left is not None
           else "the council has no award for it")
        for a in advice)

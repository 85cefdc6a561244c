"""Funding advice (checks/advice.py) as the reports show it: JSON records and one sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

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


def advice_texts(advice: dict[int, tuple[Advice, ...]], seqs: pl.Series,
                 shown: Callable[[tuple[Advice, ...]], str]) -> pl.Series:
    """Per line (`seqs`: the lines' `_seq`, ascending), its advice as `shown` writes it;
    null for a line with none."""
    # Lines share their advice tuples (checks/advice.py): each is written once, found by
    # identity, as hashing a tuple of dataclasses costs more than writing it.
    texts: dict[int, str] = {}

    def text(tuple_: tuple[Advice, ...]) -> str:
        written = texts.get(id(tuple_))
        if written is None:
            written = texts[id(tuple_)] = shown(tuple_)
        return written

    if seqs.len() < len(advice):
        # A slice of a large report (the JSON and HTML reports ask a slice at a time):
        # look its lines up, rather than sort every advised line on each call.
        return pl.Series([None if (found := advice.get(seq)) is None else text(found)
                          for seq in seqs.to_list()], dtype=pl.Utf8)
    column = pl.repeat(None, seqs.len(), dtype=pl.Utf8, eager=True)
    advised = pl.Series(sorted(advice), dtype=pl.Int64)
    advised = advised.filter(advised.is_in(seqs.implode()))
    if not advised.len():
        return column
    return column.scatter(seqs.search_sorted(advised),
                          [text(advice[seq]) for seq in advised.to_list()])

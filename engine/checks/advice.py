"""Funding advice: for a line its own grant refuses, the other grants whose packs would
take it, decided by durable-rules like every other verdict.

A line is advised when its own rules or its award's limit make it at risk or
non-compliant (a line flagged only by a cross-line check, such as a duplicate,
is no better on another grant). Each other pack, in the version in force on
the line's date, decides the line as if charged to it; when the line's purpose
is not one of that pack's purposes (or it has none), the line is decided once
for each of the pack's purposes instead. The pack takes the line under the purposes for
which none of its rules matches. Each answer says whether the council has an
award for that grant and how much of it is left after this check's spending.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..models.lines import LINE_FIELDS
from ..models.table import OVER, RULE_RANK, RULES, SEQ
from ..packs.compiled import CompiledPack
from .awards import RingfenceCheck
from .classify import classify


@dataclass(frozen=True)
class Advice:
    grant: str
    determination: str
    title: str
    #: the purpose codes under which the pack takes the line (the line's own, if it has it)
    purposes: tuple[str, ...]
    #: the line's purpose is not the pack's, and the pack takes it under every one of its own
    any_purpose: bool
    #: the council has an award for this grant in this check
    awarded: bool
    #: pence of that award not yet spent by this check's lines (None: no award)
    left: int | None


def funding_advice(table: pl.DataFrame, packs: dict[str, CompiledPack],
                   ringfences: list[RingfenceCheck]) -> dict[int, tuple[Advice, ...]]:
    """`_seq` -> the other grants that would take the line, for every line its own grant
    refuses (an empty tuple: none would).

    Each other pack decides the refused lines, charged to it, through `classify`: the
    same grouping and the same durable-rules rulesets as the check itself."""
    refused = table.filter((pl.col(RULE_RANK).fill_null(0) > 0) | (pl.col(OVER).fill_null(0) > 0))
    if not refused.height:
        return {}
    refused = refused.select(SEQ, *(name for name in LINE_FIELDS if name in refused.columns))
    left = {c.grant: max(c.allocated - c.spent, 0) for c in ringfences if c.check == "award"}
    found: dict[int, list[Advice]] = {seq: [] for seq in refused[SEQ]}
    for grant in sorted(packs):
        pack = packs[grant]
        codes = list(pack.loaded.purposes)
        others = refused.filter(pl.col("grant") != grant)
        known = pl.col("purpose").is_in(codes).fill_null(False)
        # A line keeps its purpose where the pack has it; otherwise it is tried as each
        # of the pack's purposes.
        tried = pl.concat([
            others.filter(known),
            others.filter(~known).drop("purpose").join(
                pl.DataFrame({"purpose": codes}), how="cross").select(others.columns),
        ]).with_columns(pl.lit(grant).alias("grant")).sort(SEQ, maintain_order=True)
        if not tried.height:
            continue
        decided = classify(tried, {grant: pack})
        taken = (decided.filter(pl.col(RULES).list.len() == 0)
                 .group_by(SEQ, maintain_order=True).agg(pl.col("purpose")))
        own = dict(zip(others[SEQ], others["purpose"]))
        for seq, purposes in taken.iter_rows():
            found[seq].append(Advice(grant, pack.pack.determination, pack.pack.title,
                                     tuple(purposes),
                                     own[seq] not in codes and len(purposes) == len(codes),
                                     grant in left, left.get(grant)))
    return {seq: tuple(advice) for seq, advice in found.items()}


@dataclass(frozen=True)
class AdvisedTotal:
    """What one other grant would take of the lines their own grants refuse."""

    grant: str
    determination: str
    lines: int
    amount: int  # pence
    awarded: bool
    left: int | None


def advised_totals(table: pl.DataFrame, advice: dict[int, tuple[Advice, ...]]
                   ) -> list[AdvisedTotal]:
    """Per other grant, the refused lines its pack would take and their amount (a line
    another pack would take too is counted under each)."""
    amounts = dict(zip(table[SEQ], table["amount"]))
    out: dict[str, list] = {}
    for seq, advised in advice.items():
        for a in advised:
            entry = out.setdefault(a.grant, [a, 0, 0])
            entry[1] += 1
            entry[2] += amounts[seq]
    return [AdvisedTotal(grant, a.determination, lines, amount, a.awarded, a.left)
            for grant, (a, lines, amount) in sorted(out.items())]

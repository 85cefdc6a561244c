"""Funding advice: for a line its own grant refuses, the other grants whose packs would
take it, decided by durable-rules like every other verdict.

A line is advised when its own rules or its award's limit make it at risk or
non-compliant (a line flagged only by a cross-line check, such as a duplicate,
is no better on another grant). Each other pack, in the version in force on
the line's date, decides the line as if charged to it; when the line's purpose
is not one of that pack's purposes (or it has none), the line is decided once
for each of the pack's purposes instead. The pack takes the line under the purposes for
which none of its rules matches. Lines alike in everything the pack reads are
decided once for all of them. Each answer says whether the council has an
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
    # Lines share a handful of answers: each distinct answer is one Advice, numbered in
    # `answers`, and a line's advice is the tuple of its answers' numbers (grant order).
    answers: list[Advice] = []
    numbered: list[pl.DataFrame] = []
    for grant in sorted(packs):
        pack = packs[grant]
        codes = list(pack.loaded.purposes)
        others = refused.filter(pl.col("grant") != grant)
        if not others.height:
            continue
        # Only what the pack reads decides, so lines alike in it share an answer: each
        # case (a distinct set of those values, numbered in the order of its first line)
        # is tried once, under _seq, and its answer given to its lines. Only the cases
        # are crossed with the pack's purposes (a million refused lines would make
        # several million tried ones).
        read = {"purpose", "date"} | {
            test.field for version in pack.versions.values() for test in version.tests}
        fields = [name for name in refused.columns if name in read]
        cases = others.select(fields).unique(maintain_order=True).with_row_index(SEQ)
        lines_case = others.select(SEQ, *fields).join(
            cases.rename({SEQ: "_case"}), on=fields, how="left", nulls_equal=True,
            maintain_order="left").select(SEQ, pl.col("_case").cast(pl.Int64))
        cases = cases.with_columns(pl.col(SEQ).cast(pl.Int64))
        known = pl.col("purpose").is_in(codes).fill_null(False)
        # A case keeps its purpose where the pack has it; otherwise it is tried as each
        # of the pack's purposes.
        tried = pl.concat([
            cases.filter(known),
            cases.filter(~known).drop("purpose").join(
                pl.DataFrame({"purpose": codes}), how="cross").select(cases.columns),
        ]).with_columns(pl.lit(grant).alias("grant")).sort(SEQ, maintain_order=True)
        if not tried.height:
            continue
        decided = classify(tried, {grant: pack})
        taken = (decided.filter(pl.col(RULES).list.len() == 0)
                 .group_by(SEQ, maintain_order=True).agg(pl.col("purpose"))
                 .join(cases.select(SEQ, known.alias("own")), on=SEQ, how="left")
                 .with_columns((~pl.col("own") & (pl.col("purpose").list.len() == len(codes)))
                               .alias("any")))
        # (polars joins on text, not lists: the purposes are keyed by their codes joined)
        taken = taken.with_columns(pl.col("purpose").list.join(",").alias("key"))
        kinds = taken.select("purpose", "any", "key").unique(["key", "any"], maintain_order=True)
        first = len(answers)
        answers += [Advice(grant, pack.pack.determination, pack.pack.title, tuple(purposes),
                           any_purpose, grant in left, left.get(grant))
                    for purposes, any_purpose, _ in kinds.iter_rows()]
        answered = taken.join(
            kinds.drop("purpose").with_row_index("answer", offset=first), on=["key", "any"],
            how="left").select(pl.col(SEQ).alias("_case"), pl.col("answer").cast(pl.Int64))
        numbered.append(lines_case.join(answered, on="_case", how="inner",
                                        maintain_order="left").select(SEQ, "answer"))
    none: tuple[Advice, ...] = ()
    found = dict.fromkeys(refused[SEQ].to_list(), none)
    if numbered:
        lines = (pl.concat(numbered).group_by(SEQ, maintain_order=True)
                 .agg(pl.col("answer")))
        combos = lines.select(pl.col("answer").unique(maintain_order=True))["answer"]
        advice = {tuple(combo): tuple(answers[n] for n in combo) for combo in combos}
        found.update(zip(lines[SEQ].to_list(),
                         (advice[tuple(combo)] for combo in lines["answer"].to_list())))
    return found


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
    # Only the advised lines' amounts are read (the table is in _seq order).
    seqs = pl.Series(sorted(advice), dtype=pl.Int64)
    amounts = dict(zip(seqs.to_list(),
                       table["amount"].gather(table[SEQ].search_sorted(seqs)).to_list()))
    out: dict[str, list] = {}
    for seq, advised in advice.items():
        for a in advised:
            entry = out.setdefault(a.grant, [a, 0, 0])
            entry[1] += 1
            entry[2] += amounts[seq]
    return [AdvisedTotal(grant, a.determination, lines, amount, a.awarded, a.left)
            for grant, (a, lines, amount) in sorted(out.items())]

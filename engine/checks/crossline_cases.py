"""Cross-line suspects as cases: ranked, numbered, and turned into line findings.

A case is one suspect: a duplicate payment (all the payments of one invoice)
or a split purchase (all the invoices of one purchase). Cases are ranked by
strength, then by money (the total of their lines), then by their first line,
and numbered in that order within their kind: D1 is the strongest duplicate,
S1 the strongest split. A case of strength high or medium is at risk and gives
each of its lines a finding naming it; a line in several cases of one kind
gets one finding, naming the strongest. A case of strength low is for review.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ..core import builtin_rules
from ..models.table import ROW, SEQ, SOURCE

DUPLICATE, SPLIT = builtin_rules.DUPLICATE.id, builtin_rules.SPLIT.id
KINDS = {DUPLICATE: ("duplicate", "D"), SPLIT: ("split", "S")}
LOW, MEDIUM, HIGH = 0, 1, 2
STRENGTHS = ("low", "medium", "high")
NAMED = 8  # related lines named in a message; the rest are counted
POS = "_pos"  # a line's position in the table

#: Cases as the checks find them, before ranking: one row each.
EMPTY_CASES = pl.DataFrame(schema={"rule": pl.Utf8, "strength": pl.Int32,
                                   POS: pl.List(pl.Int64), "amount": pl.Int64,
                                   "reason": pl.Utf8})


@dataclass(frozen=True)
class CrossLine:
    """What the cross-line checks found."""

    #: One row per finding of an at-risk case: _seq, rule, message, case.
    findings: pl.DataFrame
    #: One row per case, ranked: id, kind, strength, status, amount (pence), reason, and
    #: _seq (a list: its lines).
    cases: pl.DataFrame


def labels(table: pl.DataFrame, positions: pl.Series) -> pl.Series:
    """'line_id (file:row)' for the lines at `positions`."""
    return table.select("line_id", SOURCE, ROW)[positions].select(
        pl.format("{} ({}:{})", "line_id", SOURCE, ROW))[:, 0]


def named(labels_: pl.Expr, count: pl.Expr) -> pl.Expr:
    """The first NAMED labels, and how many more."""
    more = count.cast(pl.Int64) - NAMED
    return pl.concat_str([labels_.list.head(NAMED).list.join(", "),
                          pl.when(more > 0).then(pl.format(" and {} more", more)).otherwise(
                              pl.lit(""))])


def ranked_cases(table: pl.DataFrame, found: pl.DataFrame) -> CrossLine:
    """The cases found (EMPTY_CASES' columns), ranked and numbered, with the findings
    of those at risk."""
    found = found.with_columns(pl.col("strength").cast(pl.Int32),
                               pl.col(POS).list.sort())
    # A purchase can be a split of two thresholds, or a run of payments both exact and
    # close: the same lines are one case, the strongest.
    found = (found.sort(pl.col("strength"), pl.col("amount"), descending=True,
                        maintain_order=True)
             .unique(subset=["rule", POS], keep="first", maintain_order=True))
    ranked = found.with_columns(pl.col(POS).list.first().alias("_first")).sort(
        ["strength", "amount", "_first", "rule"], descending=[True, True, False, False])
    number = pl.int_range(1, pl.len() + 1).over("rule")
    cases = ranked.select(
        pl.concat_str([pl.col("rule").replace_strict({r: p for r, (_, p) in KINDS.items()}),
                       number.cast(pl.Utf8)]).alias("id"),
        pl.col("rule").replace_strict({r: k for r, (k, _) in KINDS.items()}).alias("kind"),
        "rule",
        pl.col("strength").replace_strict(list(range(3)), list(STRENGTHS),
                                          return_dtype=pl.Utf8).alias("strength"),
        pl.when(pl.col("strength") >= MEDIUM).then(pl.lit("at_risk"))
        .otherwise(pl.lit("review")).alias("status"),
        "amount", "reason", POS)
    seqs = table[SEQ]
    at_risk = (cases.filter(pl.col("status") == "at_risk").explode(POS)
               .unique(subset=[POS, "rule"], keep="first", maintain_order=True))
    findings = at_risk.select(seqs.gather(at_risk[POS]).alias(SEQ), "rule",
                              pl.format("case {}: {}", "id", "reason").alias("message"),
                              pl.col("id").alias("case"))
    exploded = cases.select("id", POS).explode(POS)
    lines = (exploded.with_columns(seqs.gather(exploded[POS]).alias(SEQ))
             .group_by("id", maintain_order=True).agg(SEQ))
    cases = cases.join(lines, on="id", how="left", maintain_order="left").drop(POS, "rule")
    return CrossLine(findings.sort(SEQ, "rule"), cases)

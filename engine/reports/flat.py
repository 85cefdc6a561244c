"""One flat row per line, for the tabular reports (CSV, Excel).

Lines without findings are written straight from the table's columns; only
lines with findings go through Python to render their messages, so a large,
mostly clean ledger stays fast.
"""

from __future__ import annotations

import polars as pl

from ..classify import RULE_RANK, RULES
from ..message_columns import findings_expression
from ..money import format_plain
from ..result import CROSS_RANK, STATUS, CheckResult
from ..ringfence import OVER
from ..table import ROW, SEQ, SOURCE, extra_columns

FINDINGS = "findings"
_FINDINGS = "_findings"  # while joined to the table, which may have a `findings` of its own
FIRST = ["source", "row", "line_id", "status", "amount", "compliant_amount", "at_risk_amount",
         "non_compliant_amount", FINDINGS]
CANONICAL_REST = ["date", "grant", "purpose", "cost_type", "category", "supplier", "reference",
                  "description", "existing_service"]


def _pounds(expr: pl.Expr) -> pl.Expr:
    """Int64 pence -> '-1234.50', exactly."""
    sign = pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    magnitude = expr.abs()
    return pl.concat_str([sign, (magnitude // 100).cast(pl.Utf8), pl.lit("."),
                          (magnitude % 100).cast(pl.Utf8).str.pad_start(2, "0")])


def findings_text(result: CheckResult) -> pl.DataFrame:
    """_seq, _findings: 'rule [status]: message | ...' for the lines that have findings.

    Rule and award findings are rendered per flagged line; cross-line findings
    are already text, joined on whole columns.
    """
    table = result.table
    flagged = table.filter((pl.col(RULES).list.len() > 0) | (pl.col(OVER).fill_null(0) > 0))
    own = pl.concat([
        flagged.filter(pl.col("grant") == grant).select(
            SEQ, findings_expression(pack, result.award_amount(grant)).alias("own"))
        for grant, pack in sorted(result.packs.items())] or [
        pl.DataFrame(schema={SEQ: pl.Int64, "own": pl.Utf8})])
    cross = pl.DataFrame(schema={SEQ: pl.Int64, "cross": pl.Utf8})
    if result.cross is not None and result.cross.height:
        cross = (result.cross.group_by(SEQ, maintain_order=True)
                 .agg(pl.format("{} [at_risk]: {}", pl.col("rule"), pl.col("message"))
                      .str.join(" | ").alias("cross")))
    both = own.join(cross, on=SEQ, how="full", coalesce=True)
    return both.select(SEQ, pl.concat_str(["own", "cross"], separator=" | ", ignore_nulls=True)
                       .alias(_FINDINGS))


def flat_frame(result: CheckResult) -> pl.DataFrame:
    table = result.table.join(findings_text(result), on=SEQ, how="left", maintain_order="left")
    over = pl.col(OVER).fill_null(0)
    amount = pl.col("amount")
    rank = pl.max_horizontal(pl.col(RULE_RANK).fill_null(0), pl.col(CROSS_RANK).fill_null(0))
    within = pl.when(rank == 2).then(0).otherwise(amount - over)
    parts = {
        "compliant_amount": pl.when(rank == 0).then(within).otherwise(0),
        "at_risk_amount": pl.when(rank == 1).then(within).otherwise(0),
        "non_compliant_amount": pl.when(rank == 2).then(amount).otherwise(over),
    }
    return table.select(
        pl.col(SOURCE).alias("source"), pl.col(ROW).alias("row"), "line_id",
        pl.col(STATUS).alias("status"), _pounds(amount).alias("amount"),
        *[_pounds(expr).alias(name) for name, expr in parts.items()],
        pl.col(_FINDINGS).fill_null("").alias(FINDINGS),
        pl.col("date").dt.to_string("%Y-%m-%d"),
        *CANONICAL_REST[1:-1],
        pl.col("existing_service").cast(pl.Utf8).str.to_lowercase(),
        *[pl.col(name).alias(alias) for name, alias in _extra_names(result.table)])


def _extra_names(table: pl.DataFrame) -> list[tuple[str, str]]:
    """Extra columns under names that never clash with the report's own (a ledger may
    have its own `status` or `source` column)."""
    taken = set(FIRST) | set(CANONICAL_REST)
    out = []
    for name in extra_columns(table):
        alias = name
        while alias in taken:
            alias = f"{alias} (input)"
        taken.add(alias)
        out.append((name, alias))
    return out


def text_columns(frame: pl.DataFrame) -> list[str]:
    numeric = {"row", "amount", "compliant_amount", "at_risk_amount", "non_compliant_amount"}
    return [name for name, dtype in frame.schema.items()
            if dtype == pl.Utf8 and name not in numeric]


__all__ = ["flat_frame", "findings_text", "text_columns", "format_plain"]

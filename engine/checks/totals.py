"""Totals the reports show: by status, purpose and month, computed once here.

A line split by the award limit counts each part under its own status (as
LineResult.amounts has it); the sums are taken on the table's columns, so a
report of a million lines never walks them one by one for its charts.
"""

from __future__ import annotations

import polars as pl

from ..core.status import STATUSES
from ..models.table import OVER
from .result import CheckResult, line_rank

NO_PURPOSE = "(none)"  # purpose codes are never in brackets
UNDATED = "undated"


def _by(result: CheckResult, key: pl.Expr) -> list[tuple[str, dict[str, int]]]:
    """(key, pence by status) per distinct key, in key order."""
    over = pl.col(OVER).fill_null(0)
    rank = line_rank()
    amount = pl.col("amount")
    parts = {status: (pl.when(rank == index).then(amount - over).otherwise(0) if index < 2 else
                      pl.when(rank == 2).then(amount).otherwise(over))
             for index, status in enumerate(STATUSES)}
    summed = (result.table.lazy().group_by(key.alias("_key"))
              .agg(expr.sum().alias(status) for status, expr in parts.items())
              .sort("_key").collect())
    return [(row[0], dict(zip(STATUSES, map(int, row[1:])))) for row in summed.iter_rows()]


def by_purpose(result: CheckResult) -> dict[tuple[str, str], dict[str, int]]:
    """(grant, purpose) -> pence by status."""
    key = pl.concat_str([pl.col("grant"), pl.col("purpose").fill_null(NO_PURPOSE)],
                        separator="\x00")
    return {(grant, purpose): amounts for name, amounts in _by(result, key)
            for grant, purpose in [name.split("\x00", 1)]}


def by_month(result: CheckResult) -> dict[str, dict[str, int]]:
    """'2025-09' (or 'undated', last) -> pence by status."""
    out = dict(_by(result, pl.col("date").dt.to_string("%Y-%m").fill_null(UNDATED)))
    if UNDATED in out:
        out[UNDATED] = out.pop(UNDATED)
    return out

"""Group lines that no condition of a pack can tell apart.

Two lines that give the same answer to every leaf test of a pack (the same
side of every date and amount threshold, the same answers to every equality
and word pattern, the same fields present) get the same answer from every
rule, so durable-rules only needs to see one representative of each group.
The grouping never decides a finding; durable-rules does, on a real line.
"""

from __future__ import annotations

import re

import polars as pl

from .conditions import Test, word_pattern
from .facts import words
from .models.lines import LINE_FIELDS

_BITS = 62  # tests per Int64 key column


def test_expression(test: Test, table: pl.DataFrame) -> pl.Expr:
    column = pl.col(test.field)
    op, value = test.op, test.value
    if op == "present":
        return column.is_not_null()
    if op == "absent":
        return column.is_null()
    if op == "matches":
        return column.is_in(_matching_values(table[test.field], value).implode()).fill_null(False)
    kind = LINE_FIELDS[test.field]
    if kind == "date":
        column = (pl.col(test.field).dt.year().cast(pl.Int64) * 10000
                  + pl.col(test.field).dt.month().cast(pl.Int64) * 100
                  + pl.col(test.field).dt.day().cast(pl.Int64))
    if op in ("in", "not_in"):
        found = column.is_in(pl.Series(list(value), dtype=_dtype(kind)).implode())
        result = found if op == "in" else ~found
        return (result & column.is_not_null()).fill_null(False)
    comparisons = {"eq": column.eq, "ne": column.ne, "lt": column.lt, "le": column.le,
                   "gt": column.gt, "ge": column.ge}
    return comparisons[op](pl.lit(value, dtype=_dtype(kind))).fill_null(False)


def _dtype(kind: str) -> pl.DataType:
    return {"date": pl.Int64, "money": pl.Int64, "boolean": pl.Boolean}.get(kind, pl.Utf8)


def _matching_values(column: pl.Series, pattern: str) -> pl.Series:
    regex = re.compile(word_pattern(pattern))
    values = column.drop_nulls().unique()
    keep = [value for value in values.to_list() if regex.fullmatch(words(value))]
    return pl.Series(keep, dtype=pl.Utf8)


def group_ids(table: pl.DataFrame, tests: list[Test]) -> tuple[pl.Series, list[int]]:
    """Per row, the id of its group; and for each group id, the row index of its representative."""
    if table.height == 0:
        return pl.Series("group", [], dtype=pl.UInt32), []
    keys = []
    for start in range(0, len(tests), _BITS):
        chunk = tests[start:start + _BITS]
        key = pl.lit(0, dtype=pl.Int64)
        for bit, test in enumerate(chunk):
            key = key + pl.when(test_expression(test, table)).then(pl.lit(1 << bit, pl.Int64)).otherwise(0)
        keys.append(key.alias(f"k{start // _BITS}"))
    if not keys:
        keys = [pl.lit(0, dtype=pl.Int64).alias("k0")]
    keyed = table.select(keys).with_row_index("row")
    key_names = [k for k in keyed.columns if k != "row"]
    firsts = (keyed.group_by(key_names, maintain_order=True).agg(pl.col("row").first())
              .with_row_index("group"))
    grouped = keyed.join(firsts.select(key_names + ["group"]), on=key_names, how="left",
                         maintain_order="left")
    return grouped["group"], firsts["row"].to_list()

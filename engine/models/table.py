"""The line table: every input's lines as one typed, columnar frame.

Columns are the canonical line fields (dates as Date, amounts as Int64 pence,
text stripped with blanks as null), plus where each line came from
(`_source`, `_row`), its place across all inputs (`_seq`), and any other
columns the input had, kept as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import polars as pl

from .lines import LINE_FIELDS, Line

#: Where each line came from (file, row), and its place across all inputs.
SOURCE, ROW, SEQ = "_source", "_row", "_seq"
#: Added by the checks: the rule ids each line matched (pack order), their worst status's
#: rank, and the version of the pack in force on the line's date (checks/classify.py).
RULES, RULE_RANK, PACK_VERSION = "_rules", "_rule_rank", "_pack_version"
#: The award limit: the running total after the line, and pence of it beyond the award
#: (checks/awards.py).
RUNNING, OVER = "_running", "_over"
#: 1 where a cross-line check (duplicate, split) found something: at risk.
CROSS_RANK = "_cross_rank"
#: The line's final status, every check included (checks/result.py).
STATUS = "_status"
#: The physical line of the file a row starts on, where it differs from the row (a CSV
#: with a quoted cell spanning lines): what editors and code scanning point at.
LINE = "_file_line"

_KIND_DTYPES = {"text": pl.Utf8, "date": pl.Date, "money": pl.Int64, "boolean": pl.Boolean}
CANONICAL_SCHEMA: dict[str, type[pl.DataType]] = {
    name: _KIND_DTYPES[kind] for name, kind in LINE_FIELDS.items()}
META_SCHEMA: dict[str, type[pl.DataType]] = {SOURCE: pl.Utf8, ROW: pl.Int64}


def empty_table() -> pl.DataFrame:
    return pl.DataFrame(schema={**META_SCHEMA, **CANONICAL_SCHEMA})


def _clean_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, dict, bool)):
        # A list or map kept from YAML reads as JSON (Python's repr is no format of ours).
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = str(value).strip()
    return text or None


def from_lines(lines: Iterable[Line], source: str, rows: Iterable[int]) -> pl.DataFrame:
    """A table from validated Line models (proposals, JSON inputs)."""
    records = []
    for line, row in zip(lines, rows):
        record: dict[str, Any] = {SOURCE: source, ROW: row}
        for name, kind in LINE_FIELDS.items():
            value = getattr(line, name)
            record[name] = _clean_text(value) if kind == "text" else value
        for key, value in line.extras().items():
            record[str(key)] = None if value is None else _clean_text(value)
        records.append(record)
    extra_names = sorted({k for r in records for k in r} - set(META_SCHEMA) - set(CANONICAL_SCHEMA))
    schema: dict[str, type[pl.DataType]] = {
        **META_SCHEMA, **CANONICAL_SCHEMA, **{name: pl.Utf8 for name in extra_names}}
    return pl.from_dicts(records, schema=schema) if records else empty_table()


def concat(tables: list[pl.DataFrame]) -> pl.DataFrame:
    """All inputs as one table, numbered in input order."""
    if not tables:
        table = empty_table()
    else:
        table = pl.concat(tables, how="diagonal_relaxed")
    return table.with_row_index(SEQ).with_columns(pl.col(SEQ).cast(pl.Int64))


def extra_columns(table: pl.DataFrame) -> list[str]:
    known = set(CANONICAL_SCHEMA) | set(META_SCHEMA) | {SEQ}
    return [name for name in table.columns if name not in known and not name.startswith("_")]

"""Checks across lines, in Python: duplicate payments and split invoices.

Both are at risk, never non-compliant: they are signs an auditor follows up,
not proof. Each finding names the related lines.

- Duplicate payments: two or more lines with the same supplier, amount and
  date, or the same reference and amount. Suppliers written as redacted
  personal data are not compared by name (many different people share that
  name); their references still are.
- Split invoices: two or more invoices to one supplier, each below the
  procurement threshold, dated within the window of the first, together at
  or above the threshold. Lines sharing a supplier and reference are one
  invoice, so an invoice spread over several lines is not a split.
Credits (negative amounts) and zero lines take part in neither check.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from .models.awards import CrossLineChecks
from .money import format_gbp
from .table import ROW, SEQ, SOURCE

DUPLICATE, SPLIT = "crossline.duplicate", "crossline.split"
CLAUSES = {
    DUPLICATE: "Standard grant condition: grant may only meet eligible expenditure properly "
               "incurred (a payment made twice is not)",
    SPLIT: "Council contract procedure rules: purchases may not be split to stay below a "
           "procurement threshold",
}
_MAX_NAMED = 8


@dataclass(frozen=True)
class CrossFinding:
    rule: str
    message: str

    @property
    def clause(self) -> str:
        return CLAUSES[self.rule]


def _supplier_key() -> pl.Expr:
    key = pl.col("supplier").str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(key.str.contains("redacted")).then(None).otherwise(key)


def _names(rows: list[tuple], exclude: int | None = None) -> str:
    named = [f"{line_id} ({source}:{row})" for seq, line_id, source, row in rows if seq != exclude]
    more = len(named) - _MAX_NAMED
    return ", ".join(named[:_MAX_NAMED]) + (f" and {more} more" if more > 0 else "")


def cross_line_findings(table: pl.DataFrame, checks: CrossLineChecks,
                        ) -> dict[int, list[CrossFinding]]:
    """_seq -> its cross-line findings."""
    found: dict[int, list[CrossFinding]] = defaultdict(list)
    lines = table.select(SEQ, "line_id", SOURCE, ROW, "amount", "date", "reference",
                         _supplier_key().alias("_supplier"), pl.col("supplier"))
    lines = lines.filter(pl.col("amount") > 0)
    _duplicates(lines, found)
    _splits(lines, checks, found)
    return found


def _duplicates(lines: pl.DataFrame, found) -> None:
    for keys, what in ((["_supplier", "amount", "date"], "the same supplier, amount and date"),
                       (["reference", "amount"], "the same reference and amount")):
        groups = (lines.drop_nulls(keys)
                  .group_by(keys).agg(pl.col(SEQ), pl.col("line_id"), pl.col(SOURCE),
                                      pl.col(ROW), pl.len().alias("n"))
                  .filter(pl.col("n") > 1))
        for group in groups.iter_rows(named=True):
            members = sorted(zip(group[SEQ], group["line_id"], group[SOURCE], group[ROW]))
            amount = format_gbp(group["amount"])
            for seq, *_ in members:
                if any(f.rule == DUPLICATE for f in found[seq]):
                    continue
                found[seq].append(CrossFinding(
                    DUPLICATE, f"possible duplicate payment: {what} ({amount}) as "
                               f"{_names(members, exclude=seq)}"))


def _splits(lines: pl.DataFrame, checks: CrossLineChecks, found) -> None:
    threshold, window = checks.split_threshold, checks.split_window_days
    invoices = (lines.drop_nulls(["_supplier", "date"])
                .with_columns(pl.coalesce(pl.col("reference"), pl.format("#{}", pl.col(SEQ)))
                              .alias("_invoice"))
                .group_by("_supplier", "_invoice")
                .agg(pl.col("amount").sum().alias("total"), pl.col("date").min().alias("day"),
                     pl.col(SEQ), pl.col("line_id"), pl.col(SOURCE), pl.col(ROW),
                     pl.col("supplier").first())
                .filter(pl.col("total") < threshold))
    eligible = (invoices.group_by("_supplier")
                .agg(pl.len().alias("n"), pl.col("total").sum().alias("sum"))
                .filter((pl.col("n") > 1) & (pl.col("sum") >= threshold)))
    invoices = (invoices.join(eligible.select("_supplier"), on="_supplier")
                .sort("_supplier", "day", pl.col(SEQ).list.first()))
    by_supplier: dict[str, list[dict]] = defaultdict(list)
    for invoice in invoices.iter_rows(named=True):
        by_supplier[invoice["_supplier"]].append(invoice)
    for supplier_invoices in by_supplier.values():
        _split_windows(supplier_invoices, threshold, window, found)


def _split_windows(invoices: list[dict], threshold: int, window: int, found) -> None:
    """Each invoice starts a window of `window` days; a window that reaches the threshold
    with two or more invoices is a possible split, and every line in it is flagged."""
    end, total = 0, 0
    for start, first in enumerate(invoices):
        if end < start:
            end, total = start, 0
        while end < len(invoices) and (invoices[end]["day"] - first["day"]).days <= window:
            total += invoices[end]["total"]
            end += 1
        members = invoices[start:end]
        if len(members) > 1 and total >= threshold:
            rows = sorted((seq, line_id, source, row) for inv in members
                          for seq, line_id, source, row in zip(inv[SEQ], inv["line_id"],
                                                               inv[SOURCE], inv[ROW]))
            span = f"{members[0]['day'].isoformat()} to {members[-1]['day'].isoformat()}"
            for seq, *_ in rows:
                if any(f.rule == SPLIT for f in found[seq]):
                    continue
                found[seq].append(CrossFinding(
                    SPLIT, f"possible split purchase: {len(members)} invoices to "
                           f"'{first['supplier']}' from {span} total {format_gbp(total)}, each "
                           f"below the {format_gbp(threshold)} threshold (with "
                           f"{_names(rows, exclude=seq)})"))
        total -= first["total"]

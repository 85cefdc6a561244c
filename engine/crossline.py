"""Checks across lines, in Python (polars): duplicate payments and split purchases.

Both are at risk, never non-compliant: they are signs an auditor follows up,
not proof. Each finding names the related lines (the first few, and how many
more).

- Duplicate payments: two or more lines with the same supplier, amount and
  date, or the same reference and amount. Suppliers written as redacted
  personal data are not compared by name (many different people share that
  name); their references still are.
- Split purchases: invoices to one supplier, each below the procurement
  threshold, that together reach it within the window: an invoice is flagged
  when some window of that many days holds it and two or more invoices
  adding up to the threshold or more. Lines sharing a supplier and reference
  are one invoice, so an invoice spread over several lines is not a split.
Credits (negative amounts) and zero lines take part in neither check.
Everything is computed on whole columns, so a million lines take a moment.
"""

from __future__ import annotations

import polars as pl

from .models.awards import CrossLineChecks
from .table import ROW, SEQ, SOURCE

DUPLICATE, SPLIT = "crossline.duplicate", "crossline.split"
CLAUSES = {
    DUPLICATE: "Standard grant condition: grant may only meet eligible expenditure properly "
               "incurred (a payment made twice is not)",
    SPLIT: "Council contract procedure rules: purchases may not be split to stay below a "
           "procurement threshold",
}
NAMED = 8  # related lines named in a message; the rest are counted
SCHEMA = {SEQ: pl.Int64, "rule": pl.Utf8, "message": pl.Utf8}


def _gbp(expr: pl.Expr) -> pl.Expr:
    """Int64 pence -> '£1,234.50' (non-negative amounts)."""
    whole = (expr // 100).cast(pl.Utf8)
    grouped = whole.str.reverse().str.replace_all(r"(\d{3})", "$1,").str.reverse() \
        .str.strip_chars_start(",")
    return pl.concat_str([pl.lit("£"), grouped, pl.lit("."),
                          (expr % 100).cast(pl.Utf8).str.pad_start(2, "0")])


def _label() -> pl.Expr:
    return pl.format("{} ({}:{})", pl.col("line_id"), pl.col(SOURCE), pl.col(ROW))


def _named(labels: pl.Expr, count: pl.Expr) -> pl.Expr:
    more = count - NAMED
    return pl.concat_str([labels.list.head(NAMED).list.join(", "),
                          pl.when(more > 0).then(pl.format(" and {} more", more)).otherwise(
                              pl.lit(""))])


def cross_line_findings(table: pl.DataFrame, checks: CrossLineChecks) -> pl.DataFrame:
    """One row per finding: _seq, rule, message."""
    supplier = pl.col("supplier").str.to_lowercase().str.replace_all(r"\s+", " ") \
        .str.strip_chars()
    lines = (table.filter(pl.col("amount") > 0)
             .select(SEQ, "line_id", SOURCE, ROW, "amount", "date", "reference", "supplier",
                     pl.when(supplier.str.contains("redacted")).then(None).otherwise(supplier)
                     .alias("_supplier")))
    found = [_duplicates(lines, keys, what) for keys, what in (
        (["_supplier", "amount", "date"], "the same supplier, amount and date"),
        (["reference", "amount"], "the same reference and amount"))]
    found.append(_splits(lines, checks))
    findings = pl.concat(found).unique(subset=[SEQ, "rule"], keep="first", maintain_order=True)
    return findings.sort(SEQ, "rule")


def _duplicates(lines: pl.DataFrame, keys: list[str], what: str) -> pl.DataFrame:
    candidates = lines.drop_nulls(keys)
    # Most lines are unique: find the repeated keys on whole columns first.
    candidates = candidates.filter(pl.struct(keys).is_duplicated())
    groups = (candidates.sort(SEQ).with_columns(_label().alias("_label"))
              .group_by(keys).agg(pl.col(SEQ), pl.col("_label"), pl.len().alias("n"))
              .filter(pl.col("n") > 1))
    return (groups.with_columns(pl.format(
                "possible duplicate payment: {} lines with {} ({}): {}", pl.col("n"),
                pl.lit(what), _gbp(pl.col("amount")), _named(pl.col("_label"), pl.col("n")))
                .alias("message"))
            .explode(SEQ).select(SEQ, pl.lit(DUPLICATE).alias("rule"), "message"))


def _splits(lines: pl.DataFrame, checks: CrossLineChecks) -> pl.DataFrame:
    threshold, window = checks.split_threshold, checks.split_window_days
    invoices = (lines.drop_nulls(["_supplier", "date"])
                .with_columns(pl.coalesce(pl.col("reference"), pl.format("#{}", pl.col(SEQ)))
                              .alias("_invoice"))
                .group_by("_supplier", "_invoice")
                .agg(pl.col("amount").sum().alias("total"), pl.col("date").min().alias("day"),
                     pl.col(SEQ), pl.col("line_id").first(), pl.col(SOURCE).first(),
                     pl.col(ROW).first(), pl.col("supplier").first())
                .filter(pl.col("total") < threshold))
    if invoices.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    # One sorted key across suppliers, far enough apart that windows never cross them.
    invoices = (invoices.with_columns(pl.col("_supplier").rank("dense").cast(pl.Int64)
                                      .alias("_rank"))
                .with_columns((pl.col("_rank") * 10_000_000
                               + pl.col("day").cast(pl.Int64)).alias("_key"))
                .sort("_key", pl.col(SEQ).list.first()))
    key = invoices["_key"]
    start = key.search_sorted(key - window, side="left").cast(pl.Int64)
    end = (key.search_sorted(key, side="right") - 1).cast(pl.Int64)
    running = invoices["total"].cum_sum()
    before = pl.Series([0], dtype=pl.Int64).append(running.head(-1))
    invoices = invoices.with_columns(
        start.alias("_start"), end.alias("_end"),
        (running.gather(end) - before.gather(start)).alias("_sum"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_pos"))
    # Window ending at each invoice's day: flagged when it reaches the threshold.
    flagged = (pl.col("_sum") >= threshold) & (pl.col("_end") > pl.col("_start"))
    invoices = invoices.with_columns(
        pl.when(flagged).then(pl.col("_end")).otherwise(None).alias("_flag_end"))
    # An invoice is in a split when a flagged window ends within `window` days after it.
    invoices = invoices.with_columns(pl.col("_flag_end").backward_fill().alias("_next"))
    next_key = key.gather(invoices["_next"].fill_null(0))
    hit = invoices.with_columns(next_key.alias("_next_key")).filter(
        pl.col("_next").is_not_null() & (pl.col("_next_key") <= pl.col("_key") + window))
    if hit.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    labels = invoices.select(_label())[:, 0]
    days = invoices["day"]
    window_end = hit["_next"]
    window_start = invoices["_start"].gather(window_end)
    hit = hit.with_columns(
        (window_end - window_start + 1).alias("_n"),
        invoices["_sum"].gather(window_end).alias("_total"),
        days.gather(window_start).alias("_from"), days.gather(window_end).alias("_to"),
        _first_labels(labels, window_start, window_end).alias("_members"))
    message = pl.format(
        "possible split purchase: {} invoices to '{}' from {} to {} total {}, each below the "
        "{} threshold: {}", pl.col("_n"), pl.col("supplier"), pl.col("_from"), pl.col("_to"),
        _gbp(pl.col("_total")), _gbp(pl.lit(threshold, dtype=pl.Int64)),
        _named(pl.col("_members"), pl.col("_n")))
    return (hit.with_columns(message.alias("message")).explode(SEQ)
            .select(SEQ, pl.lit(SPLIT).alias("rule"), "message"))


def _first_labels(labels: pl.Series, start: pl.Series, end: pl.Series) -> pl.Series:
    """For each window, the labels of its first NAMED invoices, on whole columns."""
    picks = []
    for offset in range(NAMED):
        index = start + offset
        picks.append(pl.when(index <= end).then(labels.gather(index.clip(0, len(labels) - 1)))
                     .otherwise(None))
    frame = pl.DataFrame({"s": start, "e": end}).select(
        pl.concat_list(picks).list.drop_nulls().alias("m"))
    return frame["m"]

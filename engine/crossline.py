"""Checks across lines, in Python (polars): duplicate payments and split purchases.

Both are at risk, never non-compliant: they are signs an auditor follows up,
not proof. Each finding names the related lines by id and file:row (the first
few, and how many more).

Scope: both checks run over the whole input (every file and every grant of
the run), because that is where an auditor looks for them: the same invoice
paid in two monthly exports, or charged once to each of two grants, is the
double payment that matters most, and a supplier's purchases are split across
the council's procurement, whatever grant each part is charged to.

Suppliers are compared as text after Unicode NFKC folding, lower-casing and
collapsing spaces ("ＡＣＭＥ  Ltd" is "Acme Ltd"); references ignoring case.
Suppliers written as redacted personal data are not compared by name (many
different people share that name); their references still are.

- Duplicate payments: two or more payments with the same supplier, amount and
  date, or the same reference and amount. A credit reverses a payment when it
  has the opposite amount and the same reference (or the same supplier and
  date); each credit reversing a payment of a group sets one payment aside, and
  the group is flagged while two or more remain. So a credit is never a
  duplicate of the payment it reverses, and a payment reversed and posted again
  is one payment, not two.
- Split purchases: invoices to one supplier, each below the procurement
  threshold, that together reach it within the window: an invoice is flagged
  when some window of that many days holds it and other invoices adding up,
  with it, to the threshold or more. Lines sharing a supplier and reference
  are one invoice, so an invoice spread over several lines is not a split.
  Threshold and window are the council's, from the awards file's `checks`.
Credits and zero lines are never flagged themselves.
Everything is computed on whole columns, so a million lines take a moment.
"""

from __future__ import annotations

import polars as pl

from .models.awards import CrossLineChecks
from .table import ROW, SEQ, SOURCE

DUPLICATE, SPLIT = "crossline.duplicate", "crossline.split"
CLAUSES = {
    DUPLICATE: "Standard grant condition: the grant may only meet eligible expenditure "
               "properly incurred (a payment made twice is not)",
    SPLIT: "Council contract procedure rules (threshold and window from the awards file's "
           "checks): a purchase may not be split to stay below a procurement threshold",
}
NAMED = 8  # related lines named in a message; the rest are counted
SCHEMA = {SEQ: pl.Int64, "rule": pl.Utf8, "message": pl.Utf8}


def _supplier_codes(names: pl.Series) -> pl.Series:
    """Per line, a number for its supplier as compared: names equal after NFKC, lower
    case and single spaces get one number; blank and redacted names get none.

    A ledger names far fewer suppliers than it has lines: each name is folded once.
    """
    distinct = names.unique().drop_nulls().to_frame("name").with_columns(
        pl.col("name").str.normalize("NFKC").str.to_lowercase().str.replace_all(r"\s+", " ")
        .str.strip_chars().alias("folded"))
    distinct = distinct.filter(~pl.col("folded").str.contains("redacted")
                               & (pl.col("folded") != "")).select(
        "name", pl.col("folded").rank("dense").cast(pl.Int64).alias("code"))
    return names.to_frame("name").join(distinct, on="name", how="left",
                                       maintain_order="left")["code"]


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
    more = count.cast(pl.Int64) - NAMED
    return pl.concat_str([labels.list.head(NAMED).list.join(", "),
                          pl.when(more > 0).then(pl.format(" and {} more", more)).otherwise(
                              pl.lit(""))])


def cross_line_findings(table: pl.DataFrame, checks: CrossLineChecks) -> pl.DataFrame:
    """One row per finding: _seq, rule, message; sorted by _seq, then rule."""
    lines = table.select(
        SEQ, "line_id", SOURCE, ROW, "amount", "date", "supplier",
        _supplier_codes(table["supplier"]).alias("_supplier"),
        pl.col("reference").str.to_lowercase().alias("_reference")).rechunk()
    # (pl.format panics on strings in many chunks, as a large input's are: polars 2.1.)
    payments = lines.filter(pl.col("amount") > 0)
    credits = (lines.filter(pl.col("amount") < 0)
               .select(pl.col(SEQ).alias("_credit"), _label().alias("_credit_label"),
                       (-pl.col("amount")).alias("amount"), "date", "_supplier", "_reference"))
    found = [_duplicates(payments, credits, keys, what) for keys, what in (
        (["_supplier", "amount", "date"], "the same supplier, amount and date"),
        (["_reference", "amount"], "the same reference and amount"))]
    found.append(_splits(payments, checks))
    findings = pl.concat(found).unique(subset=[SEQ, "rule"], keep="first", maintain_order=True)
    return findings.sort(SEQ, "rule")


def _reversals(candidates: pl.DataFrame, credits: pl.DataFrame) -> pl.DataFrame:
    """(_seq, _credit, _credit_label): which credits reverse which candidate payments."""
    pairs = [candidates.join(credits, on=on, how="inner").select(SEQ, "_credit", "_credit_label")
             for on in (["_reference", "amount"], ["_supplier", "amount", "date"])]
    return pl.concat(pairs).unique(subset=[SEQ, "_credit"])


def _duplicates(payments: pl.DataFrame, credits: pl.DataFrame, keys: list[str],
                what: str) -> pl.DataFrame:
    candidates = payments.drop_nulls(keys)
    # Most lines are unique: find the repeated keys on whole columns first.
    candidates = candidates.filter(pl.struct(keys).is_duplicated())
    if candidates.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    groups = (candidates.sort(SEQ).with_columns(_label().alias("_label"))
              .group_by(keys).agg(pl.col(SEQ), pl.col("_label"), pl.len().cast(pl.Int64)
                                  .alias("n"))
              .with_row_index("_group"))
    reversed_by = (groups.select("_group", SEQ).explode(SEQ)
                   .join(_reversals(candidates, credits), on=SEQ)
                   .unique(subset=["_group", "_credit"]).sort("_credit")
                   .group_by("_group").agg(pl.col("_credit_label"),
                                           pl.len().cast(pl.Int64).alias("c")))
    groups = (groups.join(reversed_by, on="_group", how="left")
              .with_columns(pl.col("c").fill_null(0))
              .filter(pl.col("n") - pl.col("c") >= 2))
    credited = pl.when(pl.col("c") > 0).then(pl.format(
        "; {} reversing credits: {}", pl.col("c"),
        _named(pl.col("_credit_label"), pl.col("c")))).otherwise(pl.lit(""))
    return (groups.with_columns(pl.format(
                "possible duplicate payment: {} lines with {} ({}): {}{}", pl.col("n"),
                pl.lit(what), _gbp(pl.col("amount")), _named(pl.col("_label"), pl.col("n")),
                credited).alias("message"))
            .explode(SEQ).select(SEQ, pl.lit(DUPLICATE).alias("rule"), "message"))


def _invoices(payments: pl.DataFrame, threshold: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Invoices below the threshold, one row each, named by their first line's `_seq`
    (`_invoice`); and (_seq, _invoice) for the other lines of invoices of several lines.

    Lines sharing a supplier and reference are one invoice; a line with no reference,
    or a reference of its own, is an invoice by itself.
    """
    lines = payments.drop_nulls(["_supplier", "date"]).select(
        SEQ, "_supplier", "_reference", "amount", "date", "line_id", SOURCE, ROW, "supplier")
    shared = pl.col("_reference").is_not_null() & pl.struct(
        "_supplier", "_reference").is_duplicated()
    lines = lines.with_columns(shared.alias("_shared"))
    alone = (lines.filter(~pl.col("_shared") & (pl.col("amount") < threshold))
             .select(pl.col(SEQ).alias("_invoice"), "_supplier", pl.col("amount").alias("total"),
                     pl.col("date").alias("day"), "line_id", SOURCE, ROW, "supplier"))
    # Lines keep input order within a group: the first is the earliest.
    shared_lines = lines.filter("_shared").with_columns(
        pl.col(SEQ).first().over("_supplier", "_reference").alias("_invoice"))
    together = (shared_lines.group_by("_invoice", maintain_order=True)
                .agg(pl.col("_supplier").first(), pl.col("amount").sum().alias("total"),
                     pl.col("date").min().alias("day"), pl.col("line_id").first(),
                     pl.col(SOURCE).first(), pl.col(ROW).first(), pl.col("supplier").first())
                .filter(pl.col("total") < threshold))
    others = shared_lines.filter(pl.col(SEQ) != pl.col("_invoice")).select(SEQ, "_invoice")
    return pl.concat([alone, together.select(alone.columns)]), others


def _splits(payments: pl.DataFrame, checks: CrossLineChecks) -> pl.DataFrame:
    threshold, window = checks.split_threshold, checks.split_window_days
    invoices, others = _invoices(payments, threshold)
    if invoices.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    # One sorted key across suppliers, far enough apart that windows never cross them.
    invoices = (invoices.with_columns((pl.col("_supplier") * 10_000_000
                                       + pl.col("day").cast(pl.Int64)).alias("_key"))
                .sort("_key", "_invoice"))
    key = invoices["_key"]
    start = key.search_sorted(key - window, side="left").cast(pl.Int64)
    end = (key.search_sorted(key, side="right") - 1).cast(pl.Int64)
    running = invoices["total"].cum_sum()
    before = pl.Series([0], dtype=pl.Int64).append(running.head(-1))
    invoices = invoices.with_columns(
        start.alias("_start"), end.alias("_end"),
        (running.gather(end) - before.gather(start)).alias("_sum"))
    # Window ending at each invoice's day: flagged when it reaches the threshold.
    flagged = (pl.col("_sum") >= threshold) & (pl.col("_end") > pl.col("_start"))
    invoices = invoices.with_columns(
        pl.when(flagged).then(pl.col("_end")).otherwise(None).alias("_flag_end"))
    # Window ends never go back, so the first flagged window ending at or after an
    # invoice is the one to test: it holds the invoice when it ends within `window` days.
    invoices = invoices.with_columns(pl.col("_flag_end").backward_fill().alias("_next"))
    next_key = key.gather(invoices["_next"].fill_null(0))
    hit = invoices.with_columns(next_key.alias("_next_key")).filter(
        pl.col("_next").is_not_null() & (pl.col("_next_key") <= pl.col("_key") + window))
    if hit.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    days = invoices["day"]
    window_end = hit["_next"]
    window_start = invoices["_start"].gather(window_end)
    hit = hit.with_columns(
        (window_end - window_start + 1).alias("_n"),
        invoices["_sum"].gather(window_end).alias("_total"),
        days.gather(window_start).alias("_from"), days.gather(window_end).alias("_to"),
        _first_labels(invoices, window_start, window_end).alias("_members"))
    message = pl.format(
        "possible split purchase: {} invoices to '{}' from {} to {} total {}, each below the "
        "{} threshold: {}", pl.col("_n"), pl.col("supplier"), pl.col("_from"), pl.col("_to"),
        _gbp(pl.col("_total")), _gbp(pl.lit(threshold, dtype=pl.Int64)),
        _named(pl.col("_members"), pl.col("_n")))
    found = hit.select("_invoice", message.alias("message"))
    # Back from invoices to their lines: an invoice of several lines flags each of them.
    lines = pl.concat([found.select(pl.col("_invoice").alias(SEQ), "message"),
                       others.join(found, on="_invoice").select(SEQ, "message")])
    return lines.sort(SEQ).select(SEQ, pl.lit(SPLIT).alias("rule"), "message")


def _first_labels(invoices: pl.DataFrame, start: pl.Series, end: pl.Series) -> pl.Series:
    """For each window (invoices `start` to `end`), the labels of its first NAMED invoices.

    Windows repeat (every invoice of one is flagged by it), and windows overlap: each
    distinct window is listed once, and each invoice named is labelled once.
    """
    windows = pl.DataFrame({"s": start, "e": end})
    distinct = windows.unique(maintain_order=True).with_row_index("w")
    members = distinct.select("w", pl.int_ranges(
        "s", pl.min_horizontal("e", pl.col("s") + NAMED - 1) + 1, dtype=pl.Int64).alias("i")
    ).explode("i")
    named = members["i"].unique()
    labels = invoices.select("line_id", SOURCE, ROW)[named].select(
        pl.lit(named).alias("i"), _label().alias("label"))
    lists = (members.join(labels, on="i", how="left", maintain_order="left")
             .group_by("w", maintain_order=True).agg("label"))
    return (windows.join(distinct, on=["s", "e"], how="left", maintain_order="left")
            .join(lists, on="w", how="left", maintain_order="left")["label"])

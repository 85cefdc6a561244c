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
Everything is computed on whole columns of numbers: each line is its position
in the table, its supplier and reference are codes (hashkeys.py), and text is
only gathered for the lines a finding names.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from ..core import builtin_rules
from .hashkeys import repeated, value_codes
from .message_columns import gbp
from ..models.awards import CrossLineChecks
from ..models.table import ROW, SEQ, SOURCE

DUPLICATE, SPLIT = builtin_rules.DUPLICATE.id, builtin_rules.SPLIT.id
NAMED = 8  # related lines named in a message; the rest are counted
POS = "_pos"  # a line's position in the table


def _supplier_codes(names: pl.Series) -> pl.Series:
    """Per line, a number for its supplier as compared: names equal after NFKC, lower
    case and single spaces get one number; blank and redacted names get none.

    A ledger names far fewer suppliers than it has lines: each name is folded once.
    """
    numbers, distinct = value_codes(names)
    # Most names are ASCII with single spaces: only the others need NFKC or respacing.
    distinct = _where(distinct, distinct.str.contains(r"[^\x00-\x7f]"),
                      lambda names: names.str.normalize("NFKC"))
    folded = _where(distinct.str.to_lowercase(), distinct.str.contains(r"\s\s|[^\S ]"),
                    lambda names: names.str.replace_all(r"\s+", " ")).str.strip_chars()
    compared = pl.select(pl.when(~folded.str.contains("redacted") & (folded != ""))
                         .then(folded))[:, 0]
    codes, _ = value_codes(compared)
    return codes.gather(numbers)


def _where(values: pl.Series, mask: pl.Series, change) -> pl.Series:
    """`values` with `change` applied to the values where `mask` is true, and only to them."""
    where = mask.fill_null(False).arg_true()
    return values.clone().scatter(where, change(values.gather(where))) if where.len() else values


def _labels(table: pl.DataFrame, positions: pl.Series) -> pl.Series:
    """'line_id (file:row)' for the lines at `positions`."""
    return table.select("line_id", SOURCE, ROW)[positions].select(
        pl.format("{} ({}:{})", "line_id", SOURCE, ROW))[:, 0]


def _named(labels: pl.Expr, count: pl.Expr) -> pl.Expr:
    more = count.cast(pl.Int64) - NAMED
    return pl.concat_str([labels.list.head(NAMED).list.join(", "),
                          pl.when(more > 0).then(pl.format(" and {} more", more)).otherwise(
                              pl.lit(""))])


def cross_line_findings(table: pl.DataFrame, checks: CrossLineChecks) -> pl.DataFrame:
    """One row per finding: _seq, rule, message; sorted by _seq, then rule."""
    lines = pl.DataFrame([
        pl.int_range(table.height, dtype=pl.Int64, eager=True).alias(POS), table["amount"],
        table["date"], _supplier_codes(table["supplier"]).alias("_supplier"),
        table["reference"].str.to_lowercase().alias("_reference")])
    payments = lines.filter(pl.col("amount") > 0)
    credits = (lines.filter(pl.col("amount") < 0)
               .select(pl.col(POS).alias("_credit"), (-pl.col("amount")).alias("amount"),
                       "date", "_supplier", "_reference"))
    # The two checks share nothing more: splits run in a thread of their own (polars
    # releases the GIL), so a large input keeps both cores busy.
    with ThreadPoolExecutor(max_workers=1) as pool:
        splits = pool.submit(_splits, table, payments, checks)
        found = [_duplicates(table, payments, credits, keys, what) for keys, what in (
            (["_supplier", "amount", "date"], "the same supplier, amount and date"),
            (["_reference", "amount"], "the same reference and amount"))]
        found.append(splits.result())
    findings = pl.concat(found).unique(subset=[POS, "rule"], keep="first", maintain_order=True)
    return findings.select(table[SEQ].gather(findings[POS]).alias(SEQ), "rule",
                           "message").sort(SEQ, "rule")


def _reversals(candidates: pl.DataFrame, credits: pl.DataFrame) -> pl.DataFrame:
    """(_pos, _credit): which credits reverse which candidate payments."""
    pairs = [candidates.join(credits, on=on, how="inner").select(POS, "_credit")
             for on in (["_reference", "amount"], ["_supplier", "amount", "date"])]
    return pl.concat(pairs).unique()


_EMPTY = pl.DataFrame(schema={POS: pl.Int64, "rule": pl.Utf8, "message": pl.Utf8})


def _duplicates(table: pl.DataFrame, payments: pl.DataFrame, credits: pl.DataFrame,
                keys: list[str], what: str) -> pl.DataFrame:
    candidates = payments.filter(repeated(payments, keys))
    if candidates.is_empty():
        return _EMPTY
    groups = (candidates.with_columns(_labels(table, candidates[POS]).alias("_label"))
              .group_by(keys).agg(pl.col(POS), pl.col("_label"),
                                  pl.len().cast(pl.Int64).alias("n"))
              .with_row_index("_group"))
    reversing = (groups.select("_group", POS).explode(POS)
                 .join(_reversals(candidates, credits), on=POS)
                 .unique(subset=["_group", "_credit"]).sort("_credit"))
    reversed_by = (reversing.with_columns(_labels(table, reversing["_credit"])
                                          .alias("_credit_label"))
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
                pl.lit(what), gbp(pl.col("amount")), _named(pl.col("_label"), pl.col("n")),
                credited).alias("message"))
            .explode(POS).select(POS, pl.lit(DUPLICATE).alias("rule"), "message"))


def _invoices(payments: pl.DataFrame, threshold: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Invoices below the threshold, one row each, named by their first line's position
    (`_invoice`); and (_pos, _invoice) for the other lines of invoices of several lines.

    Lines sharing a supplier and reference are one invoice; a line with no reference,
    or a reference of its own, is an invoice by itself.
    """
    lines = payments.drop_nulls(["_supplier", "date"])
    shared = repeated(lines, ["_supplier", "_reference"])
    alone = (lines.filter(~shared & (pl.col("amount") < threshold))
             .select(pl.col(POS).alias("_invoice"), "_supplier",
                     pl.col("amount").alias("total"), pl.col("date").alias("day")))
    # Lines keep input order within a group: the first is the earliest.
    shared_lines = lines.filter(shared).with_columns(
        pl.col(POS).first().over("_supplier", "_reference").alias("_invoice"))
    together = (shared_lines.group_by("_invoice", maintain_order=True)
                .agg(pl.col("_supplier").first(), pl.col("amount").sum().alias("total"),
                     pl.col("date").min().alias("day"))
                .filter(pl.col("total") < threshold))
    others = shared_lines.filter(pl.col(POS) != pl.col("_invoice")).select(POS, "_invoice")
    return pl.concat([alone, together.select(alone.columns)]), others


def _splits(table: pl.DataFrame, payments: pl.DataFrame, checks: CrossLineChecks
            ) -> pl.DataFrame:
    threshold, window = checks.split_threshold, checks.split_window_days
    invoices, others = _invoices(payments, threshold)
    if invoices.is_empty():
        return _EMPTY
    # One sorted key across suppliers, far enough apart that windows never cross them. A
    # window longer than the days the invoices span holds what that span holds.
    day = pl.col("day").cast(pl.Int64)
    first, last = invoices.select(day.min().alias("first"), day.max().alias("last")).row(0)
    window = min(window, last - first)
    spacing = last - first + window + 1
    invoices = (invoices.with_columns((pl.col("_supplier").cast(pl.Int64) * spacing
                                       + day - first).alias("_key"))
                .sort("_key", "_invoice"))
    key = invoices["_key"]
    start = key.search_sorted(key - window, side="left").cast(pl.Int64)
    # Each invoice's window ends with the last invoice of its supplier's day.
    end = pl.select(pl.when(key != key.shift(-1).fill_null(-1)).then(
        pl.int_range(key.len(), dtype=pl.Int64)).backward_fill())[:, 0]
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
        return _EMPTY
    days = invoices["day"]
    window_end = hit["_next"]
    window_start = invoices["_start"].gather(window_end)
    hit = hit.with_columns(
        (window_end - window_start + 1).alias("_n"),
        invoices["_sum"].gather(window_end).alias("_total"),
        days.gather(window_start).alias("_from"), days.gather(window_end).alias("_to"),
        table["supplier"].gather(hit["_invoice"]).alias("supplier"),
        _first_labels(table, invoices["_invoice"], window_start, window_end)
        .alias("_members"))
    message = pl.format(
        "possible split purchase: {} invoices to '{}' from {} to {} total {}, each below the "
        "{} threshold: {}", pl.col("_n"), pl.col("supplier"), pl.col("_from"), pl.col("_to"),
        gbp(pl.col("_total")), gbp(pl.lit(threshold, dtype=pl.Int64)),
        _named(pl.col("_members"), pl.col("_n")))
    found = hit.select("_invoice", message.alias("message"))
    # Back from invoices to their lines: an invoice of several lines flags each of them.
    lines = pl.concat([found.select(pl.col("_invoice").alias(POS), "message"),
                       others.join(found, on="_invoice").select(POS, "message")])
    return lines.sort(POS).select(POS, pl.lit(SPLIT).alias("rule"), "message")


def _first_labels(table: pl.DataFrame, invoices: pl.Series, start: pl.Series,
                  end: pl.Series) -> pl.Series:
    """For each window (sorted invoices `start` to `end`), the labels of its first NAMED
    invoices, each named by its first line (`invoices`: positions in the table).

    Windows repeat (every invoice of one is flagged by it), and windows overlap: each
    distinct window is listed once, and each invoice named is labelled once.
    """
    windows = pl.DataFrame({"s": start, "e": end})
    distinct = windows.unique(maintain_order=True).with_row_index("w")
    members = distinct.select("w", pl.int_ranges(
        "s", pl.min_horizontal("e", pl.col("s") + NAMED - 1) + 1, dtype=pl.Int64).alias("i")
    ).explode("i")
    named = members["i"].unique()
    labels = pl.DataFrame({"i": named, "label": _labels(table, invoices.gather(named))})
    lists = (members.join(labels, on="i", how="left", maintain_order="left")
             .group_by("w", maintain_order=True).agg("label"))
    return (windows.join(distinct, on=["s", "e"], how="left", maintain_order="left")
            .join(lists, on="w", how="left", maintain_order="left")["label"])

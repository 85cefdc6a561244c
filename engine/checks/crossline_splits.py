"""Split purchases: one supplier's invoices, close together, each below a procurement
threshold and together at or above it.

An invoice is the lines sharing a supplier and a reference (a line with no
reference is an invoice by itself); its day is its earliest line's. For each
of the council's thresholds, a supplier's invoices below it are taken in date
order, and a run of them each at most split_window_days after the one before
is one purchase; a case when it holds two or more invoices adding up to the
threshold or more.

How strong a case is depends on how the council pays the supplier, as the
ledger shows it (days paid per month, over the ledger's span):
- high: two or more of its invoices sit just below the threshold
  (split_near_threshold_percent of it or more);
- medium: the supplier is seldom paid, or every invoice of the case is more
  than UNUSUAL times the supplier's median invoice (the purchase is unlike
  what the supplier usually bills);
- low, for review: otherwise (a supplier paid now and then invoicing two jobs
  on one day is common);
- invoices just below the threshold are also taken by themselves, apart from
  the supplier's other invoices (which can make a run too long to be one
  purchase); a supplier paid routinely (frequent_supplier_days_per_month or
  more) is a suspect only through those: its other invoices are its routine;
- a seldom-paid supplier (seldom_supplier_days_per_month or fewer, the case's
  own days aside, in a ledger of three months or more) has no routine to
  explain invoices up to split_seldom_window_days apart, so they count as one
  purchase too.
Suppliers under framework contracts (split_framework_suppliers) are left out,
and so are lines with no compared supplier or no date.
"""

from __future__ import annotations

import polars as pl

from ..models.awards import CrossLineChecks
from .crossline_cases import EMPTY_CASES, HIGH, LOW, MEDIUM, NAMED, POS, SPLIT, labels, named
from .hashkeys import repeated, value_codes
from .message_columns import gbp
from .suppliers import fold_suppliers

DAYS_PER_MONTH = 30
#: A ledger of a month or two cannot show that a supplier is seldom paid: most suppliers
#: are paid on a day or two of any month. Measured on Calderdale's monthly files, taking
#: them as seldom paid put 4-6% of all lines in splits.
MONTHS_TO_JUDGE = 3
#: Invoices each above this many times the supplier's median invoice are unlike its
#: usual billing. Measured on the real ledgers in ../shared, no month's share of lines at
#: risk changed; on Calderdale's five months together it rose from 2.48% to 2.58%, and
#: splits planted there (not just below a threshold) into suppliers the ledger already
#: pays went from 1 in 30 caught to 13.
UNUSUAL = 2


def split_cases(table: pl.DataFrame, payments: pl.DataFrame, checks: CrossLineChecks
                ) -> pl.DataFrame:
    lines = payments.drop_nulls(["_supplier", "date"])
    if checks.split_framework_suppliers:
        lines = lines.filter(~_framework(table, checks).gather(lines[POS]))
    if lines.height < 2:
        return EMPTY_CASES
    day = pl.col("date").cast(pl.Int64)
    first, last = payments.select(day.min().alias("a"), day.max().alias("b")).row(0)
    months = max(1.0, (last - first + 1) / DAYS_PER_MONTH)
    paid = lines.group_by("_supplier").agg(pl.col("date").n_unique().alias("_paid_days"))
    invoices, others = _invoices(lines)
    paid = paid.join(invoices.group_by("_supplier").agg(pl.col("total").median().alias("_usual")),
                     on="_supplier")
    frequent = pl.col("_paid_days") >= checks.frequent_supplier_days_per_month * months
    invoices = (invoices.filter(pl.col("total") < max(checks.split_thresholds))
                .sort("_supplier", "day", "_invoice"))
    # An invoice with none of its supplier's others within the longest window is in no run
    # at any threshold (leaving invoices out only widens gaps): most of a large ledger's.
    longest = max(checks.split_window_days, checks.split_seldom_window_days)
    near = ((pl.col("_supplier") == pl.col("_supplier").shift(1))
            & ((pl.col("day") - pl.col("day").shift(1)).dt.total_days() <= longest))
    invoices = (invoices.filter(near.fill_null(False) | near.shift(-1).fill_null(False))
                .join(paid, on="_supplier", maintain_order="left")
                .with_columns(frequent.alias("_frequent")))
    found = []
    for threshold in sorted(set(checks.split_thresholds)):
        below = invoices.filter(pl.col("total") < threshold).with_columns(
            (pl.col("total") * 100 >= threshold * checks.split_near_threshold_percent)
            .alias("_near"))
        occasional = below.filter(~pl.col("_frequent"))
        # Invoices just below the threshold cluster among the supplier's others, as
        # their own run: a routinely paid supplier's other invoices are its routine.
        for candidates in (below.filter(pl.col("_near")), occasional):
            found.append(_runs(table, candidates, others, threshold, checks.split_window_days,
                               None, checks.split_max_invoices))
        if months >= MONTHS_TO_JUDGE:
            found.append(_runs(table, occasional, others, threshold,
                               checks.split_seldom_window_days,
                               checks.seldom_supplier_days_per_month * months,
                               checks.split_max_invoices))
    return pl.concat(found)


def _invoices(lines: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per invoice, named by its first line's position (`_invoice`), with its
    supplier, total and day; and (_pos, _invoice) for the other lines of invoices of
    several lines. Lines sharing a supplier and reference are one invoice; a line with no
    reference, or a reference of its own (most of them), is an invoice by itself."""
    shared = repeated(lines, ["_supplier", "_reference"])
    alone = lines.filter(~shared).select(
        pl.col(POS).alias("_invoice"), "_supplier", pl.col("amount").alias("total"),
        pl.col("date").alias("day"))
    # Lines keep input order within a group: the first is the earliest.
    several = lines.filter(shared).with_columns(
        pl.col(POS).first().over("_supplier", "_reference").alias("_invoice"))
    together = (several.group_by("_invoice", maintain_order=True)
                .agg(pl.col("_supplier").first(), pl.col("amount").sum().alias("total"),
                     pl.col("date").min().alias("day")))
    others = several.filter(pl.col(POS) != pl.col("_invoice")).select(POS, "_invoice")
    return pl.concat([alone, together.select(alone.columns)]), others


def _framework(table: pl.DataFrame, checks: CrossLineChecks) -> pl.Series:
    """Per line of the table: whether its supplier is under a framework contract."""
    numbers, distinct = value_codes(table["supplier"])
    listed = fold_suppliers(pl.Series(checks.split_framework_suppliers, dtype=pl.Utf8))
    return fold_suppliers(distinct).is_in(listed.drop_nulls().implode()).fill_null(False)\
        .gather(numbers).fill_null(False)


def _runs(table: pl.DataFrame, invoices: pl.DataFrame, others: pl.DataFrame,
          threshold: int, window: int, seldom_days: float | None, max_invoices: int
          ) -> pl.DataFrame:
    """Cases: runs of one supplier's invoices each at most `window` days after the one
    before, of two or more invoices reaching the threshold; with `seldom_days`, only
    runs of suppliers paid on at most that many days besides the run's own."""
    if invoices.height < 2:
        return EMPTY_CASES
    same = pl.col("_supplier") == pl.col("_supplier").shift(1)
    gap = (pl.col("day") - pl.col("day").shift(1)).dt.total_days()
    joined = (same & (gap <= window)).fill_null(False)
    # Most invoices are alone in their run: only those joined to a neighbour are grouped.
    runs = (invoices.with_columns((~joined).cum_sum().alias("_run"),
                                  (joined | joined.shift(-1).fill_null(False)).alias("_in"))
            .filter(pl.col("_in"))
            .group_by("_run").agg(
                pl.col("_supplier").first(), pl.col("_paid_days").first(),
                pl.col("_usual").first(), pl.col("total").min().alias("_smallest"),
                pl.col("_invoice").alias("_first"), pl.len().cast(pl.Int64).alias("n"),
                pl.col("total").sum().alias("amount"), pl.col("_near").sum().alias("_near"),
                pl.col("day").min().alias("_from"), pl.col("day").max().alias("_to"),
                pl.col("day").n_unique().alias("_days"))
            .filter((pl.col("n") >= 2) & (pl.col("n") <= max_invoices)
                    & (pl.col("amount") >= threshold)))
    if seldom_days is not None:
        runs = runs.filter(pl.col("_paid_days") - pl.col("_days") <= seldom_days)
    if runs.is_empty():
        return EMPTY_CASES
    # Back from invoices to their lines: an invoice of several lines brings each of them.
    invoice_of = runs.select("_run", pl.col("_first").alias("_invoice")).explode("_invoice")
    lines = (pl.concat([invoice_of.with_columns(pl.col("_invoice").alias(POS)),
                        invoice_of.join(others, on="_invoice")
                        .select("_run", "_invoice", POS)])
             .group_by("_run").agg(pl.col(POS).sort()))
    runs = runs.join(lines, on="_run")
    runs = runs.sort(pl.col("_first").list.first())
    members = runs.select(pl.col("_first").list.head(NAMED).alias("_p"),
                          pl.int_range(pl.len()).alias("_r")).explode("_p")
    members = members.with_columns(labels(table, members["_p"]).alias("_l"))
    runs = runs.with_columns(
        members.group_by("_r", maintain_order=True).agg("_l")["_l"],
        table["supplier"].gather(runs["_first"].list.first()).alias("supplier"))
    near = pl.col("_near") >= 2
    reason = pl.format(
        "possible split purchase: {} invoices to '{}' from {} to {} total {}, each below the "
        "{} threshold{}{}: {}", pl.col("n"), pl.col("supplier"), pl.col("_from"),
        pl.col("_to"), gbp(pl.col("amount")), gbp(pl.lit(threshold, dtype=pl.Int64)),
        pl.when(near).then(pl.format(", {} of them just below it", pl.col("_near")))
        .otherwise(pl.lit("")),
        pl.lit("" if seldom_days is None else ", from a seldom-paid supplier"),
        named(pl.col("_l"), pl.col("n")))
    unusual = pl.col("_smallest") > UNUSUAL * pl.col("_usual")
    strength = (pl.when(near).then(HIGH).when(unusual).then(MEDIUM)
                .otherwise(MEDIUM if seldom_days is not None else LOW))
    return runs.select(pl.lit(SPLIT).alias("rule"), strength.alias("strength"),
                       POS, "amount", reason.alias("reason"))

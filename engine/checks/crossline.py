"""Checks across lines, in Python (polars): duplicate payments and split purchases.

Each suspect is a case: an id, a kind, a strength, its lines, its money and a
one-line reason (crossline_cases.py ranks them). A case of strength high or
medium is at risk, and each of its lines gets a finding naming the case; a
case of strength low is for review: listed in the reports, leaving its lines'
status alone. Nothing here is ever non-compliant: these are signs an auditor
follows up, not proof.

Scope: both checks run over the whole input (every file and every grant of
the run), because that is where an auditor looks for them: the same invoice
paid in two monthly exports, or charged once to each of two grants, is the
double payment that matters most, and a supplier's purchases are split across
the council's procurement, whatever grant each part is charged to.

Suppliers and references are compared folded (suppliers.py): case, spacing,
punctuation and Ltd/Limited aside; references also ignoring leading zeros.
Suppliers written as redacted personal data are not compared by name (many
different people share that name); their references still are. A reference
written on lines of two or more different suppliers is a label (a period, a
payment batch), not an invoice number, and says nothing about duplicates.

- Duplicate payments (crossline.duplicate):
  - exact, high: payments with the same reference, amount and supplier. Low
    (for review) when they are all on one date and no two are equal in every
    column the input has (the grant and purpose charged aside): that is how an
    itemised invoice is written (107 checks at £40, each its own line in the
    finance system), while a line written twice, or one invoice charged to two
    grants, is equal throughout. Low too when they are on
    duplicate_recurring_payments days or more, usually further apart than
    duplicate_window_days: the reference then names a standing payment (a
    placement, a lease), paid month after month (a payment of it again within
    days is the next check's);
  - the same supplier and amount paid again within duplicate_window_days,
    medium. Low when all the payments are on one day (two pupils' fees at one
    rate); no case at all when the amount is the supplier's routine rate (paid
    on duplicate_recurring_payments days or more, usually no further apart than
    the window, or that many times on one day: a weekly fee, a day rate) and
    the payments do not share one reference. Two payments equal in every
    column (a line written twice, as above) are medium all the same.
  A credit reverses a payment when it has the opposite amount and the same
  reference (or the same supplier and date); each credit reversing a payment
  of a group sets one payment aside, and the group is a case while two or more
  remain. So a credit is never a duplicate of the payment it reverses, and a
  payment reversed and posted again is one payment, not two.
- Split purchases (crossline.split): crossline_splits.py.
Credits and zero lines are never flagged themselves. Everything is computed
on whole columns of numbers; text is only gathered for the lines a case names.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

import polars as pl

from ..models.awards import CrossLineChecks
from ..models.table import ROW, SEQ, SOURCE
from .crossline_cases import (
    DUPLICATE,
    EMPTY_CASES,
    HIGH,
    LOW,
    MEDIUM,
    NAMED,
    POS,
    SPLIT,
    CrossLine,
    labels,
    named,
    ranked_cases,
)
from .crossline_splits import split_cases
from .hashkeys import repeated
from .message_columns import gbp
from .suppliers import fold_references, supplier_codes


def cross_line_findings(table: pl.DataFrame, checks: CrossLineChecks) -> pl.DataFrame:
    """One row per finding: _seq, rule, message; sorted by _seq, then rule."""
    return cross_line_checks(table, checks).findings.select(
        pl.exclude("case")).sort("_seq", "rule")


def cross_line_checks(table: pl.DataFrame, checks: CrossLineChecks,
                      beside: Callable[..., Future] | None = None) -> CrossLine:
    """Duplicates and splits, as ranked cases. The two checks share nothing more than
    the compared lines: given `beside` (the pipeline's threads: submit a function to run
    beside this one), splits run there while duplicates run here, so a large input
    keeps both cores busy (polars releases the GIL)."""
    lines = compared_lines(table)
    payments = lines.filter(pl.col("amount") > 0)
    credits = (lines.filter(pl.col("amount") < 0)
               .select(pl.col(POS).alias("_credit"), (-pl.col("amount")).alias("amount"),
                       "date", "_supplier", "_reference"))
    splits = beside(split_cases, table, payments, checks) if beside else None
    found = [_exact(table, payments, credits, checks), _close(table, payments, credits, checks),
             splits.result() if splits else split_cases(table, payments, checks)]
    return ranked_cases(table, pl.concat(found))


def compared_lines(table: pl.DataFrame) -> pl.DataFrame:
    """Per line: its position, amount, date, a number for its folded supplier and its
    folded reference (null when there is none to compare)."""
    return pl.DataFrame([
        pl.int_range(table.height, dtype=pl.Int64, eager=True).alias(POS), table["amount"],
        table["date"], supplier_codes(table["supplier"]).alias("_supplier"),
        fold_references(table["reference"]).alias("_reference")])


def _reversals(candidates: pl.DataFrame, credits: pl.DataFrame) -> pl.DataFrame:
    """(_pos, _credit): which credits reverse which candidate payments."""
    pairs = [candidates.join(credits, on=on, how="inner").select(POS, "_credit")
             for on in (["_reference", "amount"], ["_supplier", "amount", "date"])]
    return pl.concat(pairs).unique()


def _unreversed(table: pl.DataFrame, groups: pl.DataFrame, candidates: pl.DataFrame,
                credits: pl.DataFrame) -> pl.DataFrame:
    """Groups (_group, _pos list, n) with the credits reversing them counted (c) and named
    (_credits: text), keeping those with two or more payments left."""
    reversing = (groups.select("_group", POS).explode(POS)
                 .join(_reversals(candidates, credits), on=POS)
                 .unique(subset=["_group", "_credit"]).sort("_credit"))
    reversed_by = (reversing.with_columns(labels(table, reversing["_credit"]).alias("_label"))
                   .group_by("_group").agg(pl.col("_label"), pl.len().cast(pl.Int64).alias("c")))
    return (groups.join(reversed_by, on="_group", how="left")
            .with_columns(pl.col("c").fill_null(0))
            .filter(pl.col("n") - pl.col("c") >= 2)
            .with_columns(pl.when(pl.col("c") > 0).then(pl.format(
                "; {} reversing credits: {}", pl.col("c"), named(pl.col("_label"), pl.col("c"))))
                .otherwise(pl.lit("")).alias("_credits")))


def _labelled(table: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """Groups with their members' labels (_labels), named in input order."""
    members = groups.select("_group", pl.col(POS).list.head(NAMED).alias("_p")).explode("_p")
    members = members.with_columns(labels(table, members["_p"]).alias("_l"))
    return groups.join(members.group_by("_group").agg("_l"), on="_group", how="left")


def _exact(table: pl.DataFrame, payments: pl.DataFrame, credits: pl.DataFrame,
           checks: CrossLineChecks) -> pl.DataFrame:
    """Payments with the same reference, amount and supplier (redacted or blank
    suppliers count as one), the reference not being a label several suppliers share."""
    # Most references are one line's own: only the others can be labels or duplicates.
    shared = payments.filter(repeated(payments, ["_reference"]))
    labels_ = (shared.drop_nulls(["_reference", "_supplier"]).select("_reference", "_supplier")
               .unique().filter(pl.col("_reference").is_duplicated())["_reference"].unique())
    keyed = shared.filter(~pl.col("_reference").is_in(labels_.implode())).with_columns(
        pl.col("_supplier").cast(pl.Int64).fill_null(-1).alias("_who"))
    keys = ["_reference", "amount", "_who"]
    candidates = keyed.filter(repeated(keyed, keys))
    if candidates.is_empty():
        return EMPTY_CASES
    # Lines of one invoice on one day with one amount are its items (107 checks at £40,
    # two £500 items among its others) unless one is written twice: equal in every column
    # the input has (the grant and purpose it is charged to aside), where items differ in
    # one at least (their own line numbers in the finance system). Twins share the group's
    # keys, so only candidates are read.
    candidates = candidates.with_columns(_twins(table, candidates))
    groups = (candidates.sort(POS).group_by(keys, maintain_order=True)
              .agg(pl.col(POS), pl.len().cast(pl.Int64).alias("n"),
                   pl.col("date").n_unique().alias("_days"),
                   pl.col("date").is_not_null().all().alias("_dated"), pl.col("_twin").any(),
                   pl.col("date").unique().sort().diff().dt.total_days().median()
                   .alias("_usual"))
              .with_row_index("_group"))
    groups = _labelled(table, _unreversed(table, groups, candidates, credits))
    itemised = (pl.col("_days") == 1) & pl.col("_dated")
    # Paid on many days, usually further apart than the window, under one reference: the
    # reference names a placement or a lease, not an invoice, and each payment is the
    # next month's. A payment of it again within days is the close check's.
    standing = ((pl.col("_days") >= checks.duplicate_recurring_payments)
                & (pl.col("_usual") > checks.duplicate_window_days))
    note = (pl.when(itemised)
            .then(pl.lit("; for review: lines of one invoice on one day, each differing in "
                         "some column, may be its items"))
            .otherwise(pl.format("; for review: paid on {} days under one reference, a "
                                 "standing payment", pl.col("_days"))))
    return _cases(groups, "the same reference and amount",
                  (itemised | standing) & ~pl.col("_twin"), note, HIGH)


def _twins(table: pl.DataFrame, candidates: pl.DataFrame) -> pl.Series:
    """Per candidate: whether another is equal to it in every column the input has, but
    where it is, its id, and the grant and purpose it is charged to."""
    written = [name for name in table.columns
               if name not in (SOURCE, ROW, SEQ, "line_id", "grant", "purpose")]
    return table.select(written)[candidates[POS]].is_duplicated().alias("_twin")


def _cases(groups: pl.DataFrame, how: str, review: pl.Expr, note: pl.Expr, strength: int
           ) -> pl.DataFrame:
    """Duplicate cases from groups of payments: low (for review, saying why in `note`)
    where `review`, else `strength`."""
    reason = pl.format(
        "possible duplicate payment: {} lines with {} ({}): {}{}{}", pl.col("n"), pl.lit(how),
        gbp(pl.col("amount")), named(pl.col("_l"), pl.col("n")), pl.col("_credits"),
        pl.when(review).then(note).otherwise(pl.lit("")))
    return groups.select(pl.lit(DUPLICATE).alias("rule"),
                         pl.when(review).then(LOW).otherwise(strength).alias("strength"),
                         POS, (pl.col("amount") * pl.col("n")).alias("amount"),
                         reason.alias("reason"))


def _close(table: pl.DataFrame, payments: pl.DataFrame, credits: pl.DataFrame,
           checks: CrossLineChecks) -> pl.DataFrame:
    """The same supplier and amount, paid again within the window: runs of payments
    each at most duplicate_window_days after the one before."""
    window = checks.duplicate_window_days
    named_ = payments.drop_nulls(["_supplier", "date"])
    candidates = named_.filter(repeated(named_, ["_supplier", "amount"]))
    if candidates.is_empty():
        return EMPTY_CASES
    candidates = candidates.sort("_supplier", "amount", "date", POS)
    candidates = candidates.with_columns(_twins(table, candidates))
    same = ((pl.col("_supplier") == pl.col("_supplier").shift(1))
            & (pl.col("amount") == pl.col("amount").shift(1)))
    gap = (pl.col("date") - pl.col("date").shift(1)).dt.total_days()
    candidates = candidates.with_columns(
        (~(same & (gap <= window))).fill_null(True).cum_sum().alias("_run"),
        pl.when(same).then(gap).alias("_gap"))
    # An amount the supplier is paid routinely, on many days usually no further apart
    # than the window (a weekly fee, a day rate): its close payments are the routine.
    # So is an amount paid three or more times on one day, each with its own reference:
    # a batch (pupils' fees, allowances at one rate).
    routine = (candidates.with_columns(pl.len().over("_supplier", "amount", "date")
                                       .alias("_per_day"))
               .group_by("_supplier", "amount")
               .agg(pl.col("date").n_unique().alias("_times"),
                    pl.col("_gap").filter(pl.col("_gap") > 0).median().alias("_usual"),
                    pl.col("_per_day").max().alias("_batch")))
    runs = (candidates.group_by("_run").agg(
        pl.col("_supplier").first(), pl.col("amount").first(), pl.col(POS).sort(),
        pl.len().cast(pl.Int64).alias("n"), pl.col("date").n_unique().alias("_days"),
        pl.col("_twin").any(),
        (pl.col("_reference").n_unique() + pl.col("_reference").null_count()).alias("_refs"))
        .filter(pl.col("n") >= 2)
        .join(routine, on=["_supplier", "amount"], how="left")
        .sort(pl.col(POS).list.first()).with_row_index("_group"))
    if runs.is_empty():
        return EMPTY_CASES
    # One reference throughout is one invoice paid again, however often: no routine. A
    # routine is no suspect at all: listing it for review would bury the real ones (on
    # Bradford's month, 341 cases of 3,104 lines).
    often = checks.duplicate_recurring_payments
    recurring = ((((pl.col("_times") >= often) & (pl.col("_usual") <= window))
                  | (pl.col("_batch") >= often)) & (pl.col("_refs") != 1))
    runs = runs.filter(~recurring | pl.col("_twin"))
    runs = _labelled(table, _unreversed(table, runs, candidates, credits))
    # Payments on one day at one amount are two pupils' fees at one rate far more often
    # than one invoice paid twice; when they share a reference, the exact check says so.
    one_day = (pl.col("_days") == 1) & ~pl.col("_twin")
    return _cases(runs, f"the same supplier and amount within {window} days", one_day,
                  pl.lit("; for review: all on one day"), MEDIUM)


__all__ = ["CrossLine", "DUPLICATE", "SPLIT", "cross_line_checks",
           "cross_line_findings", "compared_lines"]

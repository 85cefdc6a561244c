"""Ringfence checks over an award, in Python: totals, not per-line rules.

- The award: lines charged to it, taken in date order (undated last, then
  input order), may not spend beyond its amount. The line that crosses the
  limit is split: the part beyond it is non-compliant, and so is every later
  line's spend while the running total stays above the award.
- The plan: each purpose's total against the award's plan, at risk when it
  strays from plan by more than the pack's tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import polars as pl

from ..core.builtin_rules import OVER_AWARD
from ..core.money import format_gbp
from ..models.awards import Award
from ..models.table import OVER, RUNNING
from ..packs.compiled import CompiledPack

OVER_RULE = OVER_AWARD.id
#: The check of an input against its own stated total (checks/reconciliation.py):
#: its `grant` is the input's path, `allocated` the stated total, `spent` the rows' sum.
RECONCILIATION = "reconciliation"


@dataclass(frozen=True)
class RingfenceCheck:
    check: str  # "award", "plan-total", "purpose" or RECONCILIATION
    grant: str
    purpose: str | None
    allocated: int
    spent: int
    status: str
    clause: str
    message: str

    @property
    def rule(self) -> str:
        return f"ringfence.{self.check}"


def reconciliation_location(result, check: RingfenceCheck) -> tuple[str | None, int | None]:
    """The input and row of a reconciliation check's stated total (see RECONCILIATION)."""
    return result.reconciled.get(check.grant, (check.grant, None))


def award_limits(table: pl.DataFrame, awards: dict[str, Award]) -> list[pl.Series]:
    """Per line: `_running` (running total after it) and `_over` (pence beyond the award).

    Each award's lines are taken by date, undated last; a stable sort keeps input order
    within a day.
    """
    running = pl.repeat(None, table.height, dtype=pl.Int64, eager=True)
    over = running.clone()
    for grant, award in awards.items():
        lines = table.select(pl.arg_where(pl.col("grant") == grant))[:, 0]
        if not lines.len():
            continue
        by_date = table["date"].gather(lines).to_frame().select(
            pl.arg_sort_by("date", nulls_last=True, maintain_order=True))[:, 0]
        lines = lines.gather(by_date)
        spent = table["amount"].gather(lines)
        after = spent.cum_sum()
        beyond_after = (after - award.amount).clip(lower_bound=0)
        beyond_before = (after - spent - award.amount).clip(lower_bound=0)
        # A credit is never beyond the award; a payment is beyond it by what it adds.
        beyond = pl.select(pl.when(spent > 0).then(beyond_after - beyond_before).otherwise(0)
                           .clip(lower_bound=0).cast(pl.Int64))[:, 0]
        running = running.scatter(lines, after)
        over = over.scatter(lines, beyond)
    return [running.alias(RUNNING), over.alias(OVER)]


def award_checks(table: pl.DataFrame, awards: dict[str, Award],
                 packs: dict[str, CompiledPack]) -> list[RingfenceCheck]:
    # One pass over the lines: totals by grant and purpose, from which every check reads.
    totals = table.group_by("grant", "purpose").agg(
        pl.col("amount").sum(), pl.col(OVER).sum(), pl.col(RUNNING).max())
    checks: list[RingfenceCheck] = []
    for grant, award in awards.items():
        pack = packs[grant].loaded.pack
        lines = totals.filter(pl.col("grant") == grant)
        spent = int(lines["amount"].sum() or 0)
        over = int(lines[OVER].sum() or 0)
        running = cast("int | None", lines[RUNNING].max())  # the max of an Int64 column
        checks.append(_award_check(grant, award, spent, over, int(running or 0),
                                   pack.ringfence.clause))
        if award.plan is not None:
            by_purpose = {purpose: int(total) for purpose, total in
                          lines.filter(pl.col("purpose").is_not_null())
                          .select("purpose", "amount").iter_rows()}
            checks.extend(_plan_checks(grant, award, by_purpose, pack.ringfence.tolerance,
                                       pack.ringfence.plan_clause))
    return checks


def _award_check(grant: str, award: Award, spent: int, over: int, peak: int,
                 clause: str) -> RingfenceCheck:
    if over > 0:
        status = "non_compliant"
        message = (f"spend reached {format_gbp(peak)} against an award of "
                   f"{format_gbp(award.amount)}: {format_gbp(over)} is beyond the award")
    else:
        status = "compliant"
        message = (f"{format_gbp(spent)} of {format_gbp(award.amount)} spent; "
                   f"{format_gbp(award.amount - spent)} unspent")
    return RingfenceCheck("award", grant, None, award.amount, spent, status, clause, message)


def _plan_checks(grant: str, award: Award, totals: dict[str, int], tolerance: Decimal,
                 clause: str) -> list[RingfenceCheck]:
    plan = award.plan or {}
    checks = []
    planned_total = sum(plan.values())
    if planned_total != award.amount:
        checks.append(RingfenceCheck(
            "plan-total", grant, None, award.amount, planned_total, "at_risk", clause,
            f"the plan adds up to {format_gbp(planned_total)}, not the award of "
            f"{format_gbp(award.amount)}"))
    for purpose in list(plan) + sorted(set(totals) - set(plan)):
        planned = plan.get(purpose, 0)
        spent = totals.get(purpose, 0)
        checks.append(_plan_check(grant, purpose, planned, spent, tolerance, clause,
                                  purpose in plan))
    return checks


def _plan_check(grant: str, purpose: str, planned: int, spent: int, tolerance: Decimal,
                clause: str, in_plan: bool) -> RingfenceCheck:
    allowed = Decimal(planned) * tolerance
    gap = spent - planned
    percent = f"{tolerance * 100:.0f}%"
    if not in_plan:
        status = "at_risk"
        message = f"{format_gbp(spent)} spent on '{purpose}', which the plan does not include"
    elif abs(gap) > allowed:
        status = "at_risk"
        direction = "over" if gap > 0 else "under"
        share = f" ({abs(Decimal(gap)) / planned * 100:.2f}%)" if planned else ""
        message = (f"{format_gbp(spent)} spent against a plan of {format_gbp(planned)}: "
                   f"{format_gbp(abs(gap))} {direction}{share}, beyond the {percent} tolerance")
    else:
        status = "compliant"
        message = (f"{format_gbp(spent)} spent against a plan of {format_gbp(planned)}, "
                   f"within the {percent} tolerance")
    return RingfenceCheck("purpose", grant, purpose, planned, spent, status, clause, message)

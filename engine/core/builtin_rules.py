"""The rules of the engine itself, not of a pack: the one catalogue that results,
messages, SARIF and waivers all read (id, title, status, clause, message)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BuiltInRule:
    id: str
    title: str
    #: the worst status it gives (an award check that holds is compliant)
    status: str
    #: what it is about: one line, a grant's totals (a ringfence check), a whole input
    #: (its stated total), or an input row
    subject: str = "line"
    #: its citation when fixed; else the pack's ringfence citation named by `pack_clause`
    clause: str | None = None
    pack_clause: str | None = None  # "clause" (the award) or "plan_clause" (the plan)
    #: the message the engine writes for it, where it is one sentence with values
    message: str | None = None

    def clause_for(self, ringfence: Any = None) -> str:
        """Its citation; `ringfence` is the pack's (models.pack.Ringfence) for the rules
        that cite the pack."""
        if self.clause is not None:
            return self.clause
        return getattr(ringfence, self.pack_clause or "clause")


OVER_AWARD = BuiltInRule(
    "ringfence.over-award", "Spend beyond the award", "non_compliant", pack_clause="clause",
    message="{over} of this line's {amount} is beyond the award of {award} (running total "
            "{running} after this line)")
AWARD = BuiltInRule("ringfence.award", "Total spend beyond the award", "non_compliant",
                    subject="ringfence", pack_clause="clause")
PLAN_TOTAL = BuiltInRule("ringfence.plan-total", "Spending plan does not add up to the award",
                         "at_risk", subject="ringfence", pack_clause="plan_clause")
PURPOSE = BuiltInRule("ringfence.purpose", "Spend by purpose strays from the approved plan",
                      "at_risk", subject="ringfence", pack_clause="plan_clause")
RECONCILIATION = BuiltInRule(
    "ringfence.reconciliation", "Input does not add up to its own stated total",
    "non_compliant", subject="input",
    clause="the input's own stated total: every penny of it is accounted for")
DUPLICATE = BuiltInRule(
    "crossline.duplicate", "Possible duplicate payment", "at_risk",
    clause="Standard grant condition: the grant may only meet eligible expenditure properly "
           "incurred (a payment made twice is not)")
SPLIT = BuiltInRule(
    "crossline.split", "Possible split purchase below a procurement threshold", "at_risk",
    clause="Council contract procedure rules (thresholds and windows from the awards file's "
           "checks): a purchase may not be split to stay below a procurement threshold")
REJECTED_ROW = BuiltInRule("input.rejected-row",
                           "Row that could not be read, left out of the check", "at_risk",
                           subject="row",
                           clause="Nothing an auditor gives us is silently dropped")

BUILT_IN: dict[str, BuiltInRule] = {rule.id: rule for rule in (
    OVER_AWARD, AWARD, PLAN_TOTAL, PURPOSE, RECONCILIATION, DUPLICATE, SPLIT, REJECTED_ROW)}
#: Findings about a grant's totals rather than one line: a waiver names them by grant.
RINGFENCE_CHECK_RULES = tuple(rule.id for rule in BUILT_IN.values() if rule.subject == "ringfence")
#: The cross-line rules and their citations.
CROSS_LINE_CLAUSES = {rule.id: rule.clause_for() for rule in (DUPLICATE, SPLIT)}

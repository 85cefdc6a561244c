"""Awards: what a council was allocated under a pack, and its planned split."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from ..core.money import format_plain
from .lines import Line
from .types import Pence, StrictModel, Text


def _not_negative(pence: int) -> int:
    if pence < 0:
        raise ValueError("cannot be negative")
    return pence


#: An allocation: an award or a plan line, never below zero.
Allocation = Annotated[Pence, AfterValidator(_not_negative)]


def _positive(pence: int) -> int:
    # A threshold of £0 or less has no invoice below it: split detection would be off
    # without a word.
    if pence <= 0:
        raise ValueError("must be more than £0: no invoice is below a threshold of £0 or less")
    return pence


#: A procurement threshold: always above zero.
Threshold = Annotated[Pence, AfterValidator(_positive)]


class Award(StrictModel):
    grant: Text = Field(description="the pack id of the grant, e.g. csc-prevention-2025-26")
    amount: Allocation = Field(description="the amount awarded")
    plan: dict[str, Allocation] | None = Field(
        default=None, description="planned spend by purpose code")


class CrossLineChecks(StrictModel):
    """The council's settings for the cross-line checks (duplicate payments, split
    purchases). Each default is what internal audit commonly tests; see the README."""

    # Money defaults are read as the file's values would be (pounds), so the schema shows
    # 5000 and CrossLineChecks(split_thresholds=[...]) built in code means pounds too.
    split_thresholds: list[Threshold] = Field(
        default=[5000, 25000, 100000], validate_default=True, min_length=1,
        description="procurement thresholds, pounds (default 5000, 25000, 100000: the "
                    "quote, tender and key-decision bands most councils' contract rules "
                    "set). A split is invoices each below one, together at or above it")
    split_threshold: Threshold | None = Field(
        default=None, description="one threshold, pounds: the same as split_thresholds: "
                                  "[it] (kept for files written before there were bands)")
    split_window_days: int = Field(
        default=3, ge=0,
        description="days between one supplier's invoices that still count as one purchase "
                    "(default 3: internal audit looks at invoices on the same day or a "
                    "few days apart)")
    split_seldom_window_days: int = Field(
        default=14, ge=0,
        description="the same for a seldom-paid supplier (default 14: a supplier the "
                    "council rarely pays has no routine that explains two invoices a week "
                    "or two apart)")
    split_near_threshold_percent: int = Field(
        default=95, ge=1, le=100,
        description="invoices at or above this share of a threshold sit just below it "
                    "(default 95: split invoices cluster at 95-99% of it); a split of "
                    "such invoices is the strongest, even for a frequently paid supplier")
    frequent_supplier_days_per_month: int = Field(
        default=4, ge=1,
        description="a supplier paid on at least this many days a month (on average over "
                    "the ledger) is paid routinely (default 4: weekly or more, as agency "
                    "timesheets and care placements are): its invoices are a split suspect "
                    "only when they cluster just below a threshold")
    seldom_supplier_days_per_month: float = Field(
        default=0.25, ge=0,
        description="a supplier paid on at most this many days a month (on average over "
                    "the ledger), a possible split's own days aside, is seldom paid "
                    "(default 0.25: quarterly or less; in a ledger of a month or two, only "
                    "a supplier paid on no other day), and its invoices up to "
                    "split_seldom_window_days apart count as one purchase")
    split_max_invoices: int = Field(
        default=4, ge=2,
        description="the most invoices a split is taken to be (default 4: a purchase is "
                    "split into two, three or four invoices; a supplier's longer run of "
                    "invoices close together is how it bills routine work, one per job)")
    split_framework_suppliers: list[str] = Field(
        default=[],
        description="suppliers under framework contracts, left out of split checks: their "
                    "call-off orders are each within a contract already procured (names "
                    "compared as the checks compare suppliers: case, punctuation and "
                    "Ltd/Limited aside)")
    duplicate_window_days: int = Field(
        default=5, ge=0,
        description="days within which the same amount paid to the same supplier again is "
                    "a possible duplicate payment (default 5: a payment run or two)")
    duplicate_recurring_payments: int = Field(
        default=3, ge=2,
        description="an amount a supplier is paid on at least this many days, usually (the "
                    "median gap) no more than duplicate_window_days apart, is its routine "
                    "rate (a weekly fee, a standard agency rate): close payments of it are "
                    "for review, not at risk (default 3: two payments are no routine). So "
                    "is a reference paid on this many days: it names a standing payment")

    @model_validator(mode="after")
    def _one_threshold_setting(self):
        if self.split_threshold is None:
            return self
        if "split_thresholds" in self.model_fields_set:
            raise ValueError("give split_thresholds or split_threshold, not both")
        object.__setattr__(self, "split_thresholds", [self.split_threshold])
        return self

    def evidence(self) -> dict:
        """The effective settings, as a report records them (money as 2-dp strings)."""
        settings = self.model_dump(exclude={"split_threshold"})
        settings["split_thresholds"] = [format_plain(p) for p in self.split_thresholds]
        return settings


class AwardsFile(StrictModel):
    """The awards of one council: `--awards FILE`, or the head of a proposal."""

    council: Text | None = None
    awards: list[Award] = Field(min_length=1)
    checks: CrossLineChecks = Field(default_factory=CrossLineChecks)

    @model_validator(mode="after")
    def _one_award_per_grant(self):
        seen: set[str] = set()
        for award in self.awards:
            if award.grant in seen:
                raise ValueError(f"grant '{award.grant}' is awarded twice")
            seen.add(award.grant)
        return self


class Proposal(StrictModel):
    """A spending proposal: awards and the lines that spend them.

    Without awards it is a ledger in YAML or JSON, checked with `--awards FILE`.
    """

    council: Text | None = None
    awards: list[Award] = Field(default_factory=list)
    checks: CrossLineChecks = Field(default_factory=CrossLineChecks)
    lines: list[Line] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_award_per_grant(self):
        if self.awards:
            AwardsFile(council=self.council, awards=self.awards, checks=self.checks)
        return self

    def awards_file(self) -> AwardsFile | None:
        if not self.awards:
            return None
        return AwardsFile(council=self.council, awards=self.awards, checks=self.checks)

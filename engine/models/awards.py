"""Awards: what a council was allocated under a pack, and its planned split."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from .lines import Line
from .types import Pence, StrictModel, Text


def _not_negative(pence: int) -> int:
    if pence < 0:
        raise ValueError("cannot be negative")
    return pence


#: An allocation: an award or a plan line, never below zero.
Allocation = Annotated[Pence, AfterValidator(_not_negative)]


class Award(StrictModel):
    grant: Text = Field(description="the pack id of the grant, e.g. csc-prevention-2025-26")
    amount: Allocation = Field(description="the amount awarded")
    plan: dict[str, Allocation] | None = Field(
        default=None, description="planned spend by purpose code")


class CrossLineChecks(StrictModel):
    # The default is read as the file's value would be (pounds), so the schema shows 5000
    # and CrossLineChecks(split_threshold=...) built in code means pounds too.
    split_threshold: Pence = Field(default=5000, validate_default=True,
                                   description="procurement threshold, pounds")
    split_window_days: int = Field(default=30, ge=0, description="window for split payments")


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

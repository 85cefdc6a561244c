"""A baseline (`--baseline REPORT.json`): the parts of an earlier JSON report the gate reads.

The file is what `ringfence check --format json` wrote; keys this model does
not name (descriptions, evidence, waivers...) are ignored, so reports from
later versions stay usable as baselines.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .types import Pence, Text

Status = Literal["compliant", "at_risk", "non_compliant"]


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class BaselineFinding(_Report):
    rule: str
    status: Status


class BaselineLine(_Report):
    line_id: Text
    amount: Pence
    #: pence by status, present when the award limit split the line
    amounts: dict[Status, Pence] | None = None
    findings: list[BaselineFinding] = Field(default_factory=list)


class BaselineRingfence(_Report):
    grant: Text
    check: Literal["award", "plan-total", "purpose", "reconciliation"]
    purpose: Text | None = None
    allocated: Pence
    spent: Pence
    status: Status


class BaselineReport(_Report):
    lines: list[BaselineLine]
    ringfences: list[BaselineRingfence] = Field(default_factory=list)

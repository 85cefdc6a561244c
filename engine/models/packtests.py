"""A pack's own test cases: `rules/<pack>/tests/*.yaml`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .types import StrictModel, Text


class PackTestCase(StrictModel):
    name: Text = Field(min_length=1)
    line: dict[str, Any] = Field(default_factory=dict, description="line fields over the defaults")
    findings: list[str] = Field(description="exactly the rule ids that must match this line")


class PackTestFile(StrictModel):
    defaults: dict[str, Any] = Field(default_factory=dict, description="line fields for every case")
    cases: list[PackTestCase] = Field(min_length=1)

"""Waivers (`--waivers FILE`): approved exceptions to named findings, until they expire.

```yaml
waivers:
  - line_id: P014
    rule: purpose.missing
    reason: Purpose agreed with DfE by email; the ledger code is being corrected
    approved_by: Jane Smith, Director of Finance (s151 officer)
    reference: DEC-2025-114
    expires: 2026-03-31
  - grant: csc-prevention-2025-26        # a ringfence check, not a line
    purpose: workforce
    rule: ringfence.purpose
    reason: Re-profiled to Q4 with DfE's agreement
    approved_by: Cabinet Member for Children
    reference: CAB-2025-07
    expires: 2026-01-31
```
A waiver names exactly one finding: a line's (by `line_id` and `rule`) or a
ringfence check's (by `grant`, `rule` and, for a purpose, `purpose`).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from ..core.builtin_rules import RINGFENCE_CHECK_RULES
from .pack import RULE_ID
from .types import Day, StrictModel, Text


class Waiver(StrictModel):
    line_id: Text | None = Field(default=None, description="the line whose finding is waived")
    grant: Text | None = Field(default=None, description="for a ringfence check: its grant")
    purpose: Text | None = Field(default=None, description="for ringfence.purpose: the purpose")
    rule: str = Field(pattern=RULE_ID, description="the finding's rule, e.g. purpose.missing")
    reason: Text = Field(min_length=1, description="why the finding is accepted")
    approved_by: Text = Field(min_length=1, description="who approved it")
    reference: Text = Field(min_length=1, description="the approval's reference, e.g. a decision")
    expires: Day = Field(description="last day the waiver applies")

    @model_validator(mode="after")
    def _names_one_finding(self):
        if self.rule in RINGFENCE_CHECK_RULES:
            if self.grant is None or self.line_id is not None:
                raise ValueError(f"'{self.rule}' is a ringfence check: name its grant (and, "
                                 "for ringfence.purpose, its purpose), not a line_id")
            if (self.rule == "ringfence.purpose") != (self.purpose is not None):
                raise ValueError("purpose is given for ringfence.purpose waivers, and only then")
        elif self.line_id is None or self.grant is not None or self.purpose is not None:
            raise ValueError(f"a waiver of '{self.rule}' names the line: give line_id "
                             "(grant and purpose are for ringfence checks)")
        return self

    @property
    def target(self) -> tuple[str, ...]:
        """What it waives: ("line", line_id, rule) or ("ringfence", grant, rule, purpose)."""
        if self.line_id is not None:
            return ("line", self.line_id, self.rule)
        return ("ringfence", self.grant or "", self.rule, self.purpose or "")

    def describe(self) -> str:
        where = f"line {self.line_id}" if self.line_id is not None else \
            f"{self.grant}" + (f" purpose {self.purpose}" if self.purpose else "")
        return f"{self.rule} on {where}"


class WaiversFile(StrictModel):
    waivers: list[Waiver] = Field(default_factory=list)

"""Grant packs: the national conditions of one grant determination."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .conditions import Condition
from .lines import LINE_FIELDS
from .types import Day, StrictModel, Text

RULE_ID = r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$"
PACK_PLACEHOLDERS = {"pack.period.start", "pack.period.end", "pack.purposes",
                     "pack.determination", "pack.title", "pack.id"}


class Period(StrictModel):
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self):
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Ringfence(StrictModel):
    clause: Text = Field(min_length=1, description="citation for the limit of the award")
    plan_clause: Text = Field(min_length=1, description="citation for spending to plan")
    tolerance: Decimal = Field(default=Decimal("0.10"), ge=0, le=1,
                               description="how far a purpose may stray from plan, as a fraction")


class Rule(StrictModel):
    id: str = Field(pattern=RULE_ID)
    clause: Text = Field(min_length=1, description="where the condition comes from")
    title: Text = Field(min_length=1)
    status: Literal["at_risk", "non_compliant"]
    when: Condition
    message: Text = Field(min_length=1, description="names the values that triggered the rule")

    @field_validator("clause", "title", "message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("message")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        for name in placeholders(value):
            if name not in LINE_FIELDS and name not in PACK_PLACEHOLDERS:
                raise ValueError(f"message names unknown value '{{{name}}}'")
        return value


def placeholders(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(f"message is not a valid template: {exc}") from None


class Pack(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Text
    determination: Text
    legal_basis: Text
    summary: Text | None = None
    period: Period
    purposes: dict[str, Text] = Field(min_length=1)
    ringfence: Ringfence
    rules: list[Rule] = Field(min_length=1)

    @field_validator("purposes")
    @classmethod
    def _purpose_codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not re.match(r"^[a-z][a-z0-9_]*$", code):
                raise ValueError(f"purpose code '{code}' must be lower_snake_case")
        return value

    @model_validator(mode="after")
    def _unique_rule_ids(self):
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id '{rule.id}' is used twice")
            seen.add(rule.id)
        return self

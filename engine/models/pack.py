"""Grant packs: the national conditions of one grant determination."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..core.suggest import did_you_mean, near_miss
from .conditions import MAX_LIST, Condition, ConditionError, alternatives
from .lines import LINE_FIELDS
from .types import Day, StrictModel, Text

RULE_ID = r"^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$"
VERSION = r"^[A-Za-z0-9][A-Za-z0-9.-]*$"
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
        # Reports render a message per line and on whole columns (message_columns.py);
        # both read `{name}` alike, but only Python would read `{name!r}` or `{name:>9}`.
        styled = [f"{{{name}{'!' + conversion if conversion else ''}"
                  f"{':' + spec if spec else ''}}}"
                  for _, name, spec, conversion in _parsed(value)
                  if name is not None and (spec or conversion)]
        if styled:
            raise ValueError(f"message writes {', '.join(styled)}: write a value as {{name}}, "
                             "without a conversion (!r) or a format (:...)")
        known = [*LINE_FIELDS, *sorted(PACK_PLACEHOLDERS)]
        unknown = [name for name in placeholders(value) if name not in known]
        if unknown:
            hints = []
            for name in unknown:
                guess = near_miss(name, known)
                hints.append(f"'{{{name}}}'" + did_you_mean(guess and f"{{{guess}}}", aside=True))
            raise ValueError(f"message names unknown value{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(hints)}; it may name line fields and "
                             f"{', '.join(sorted(PACK_PLACEHOLDERS))}")
        return value

    @model_validator(mode="after")
    def _fits_durable_rules(self):
        count = alternatives(self.when)
        if count > MAX_LIST:
            raise ConditionError(f"the condition has {count} alternatives (in lists and any); "
                                 f"durable-rules fails or hangs beyond about 512: keep it to "
                                 f"{MAX_LIST}, or split the rule", "when")
        return self


def placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in _parsed(template) if name is not None]


def _parsed(template: str) -> list[tuple]:
    try:
        return list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"message is not a valid template: {exc}") from None


def _purpose_codes(value: dict[str, str] | None) -> dict[str, str] | None:
    for code in value or {}:
        if not re.match(r"^[a-z][a-z0-9_]*$", code):
            raise ValueError(f"purpose code '{code}' must be lower_snake_case")
    return value


class RuleChanges(StrictModel):
    add: list[Rule] = Field(default_factory=list, description="rules new in this version")
    replace: list[Rule] = Field(default_factory=list, description="rules that take the place of "
                                "the rule with the same id (which keeps its place in the pack)")
    remove: list[str] = Field(default_factory=list, description="ids of rules no longer in force")


class Amendment(StrictModel):
    """A later version of the pack: what changed, and the day it applies from."""

    version: str = Field(pattern=VERSION, description="label of this version, e.g. '2'")
    in_force_from: Day = Field(description="lines dated on or after this day are checked "
                               "against this version (until a later amendment)")
    note: Text = Field(min_length=1, description="what changed and where it is published")
    period: Period | None = Field(default=None, description="a new grant period")
    purposes: dict[str, Text] | None = Field(default=None, min_length=1,
                                             description="the purposes, in full, from this version")
    rules: RuleChanges = Field(default_factory=RuleChanges)

    _codes = field_validator("purposes")(_purpose_codes)


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
    version: str = Field(default="1", pattern=VERSION,
                         description="label of the pack as first determined")
    amendments: list[Amendment] = Field(
        default_factory=list, description="later versions, in the order they came into force")

    _codes = field_validator("purposes")(_purpose_codes)

    @model_validator(mode="after")
    def _unique_rule_ids(self):
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id '{rule.id}' is used twice")
            seen.add(rule.id)
        return self

    @model_validator(mode="after")
    def _amendments_apply(self):
        problems = amendment_problems(self)
        if problems:
            raise ValueError(problems[0][1])
        return self


def amended_rules(rules: list[Rule], changes: RuleChanges) -> tuple[list[Rule], list[tuple]]:
    """The rules after `changes`, and what did not apply: (path within `rules:`, message).

    A replaced rule keeps its place; added rules go at the end, in order.
    """
    problems: list[tuple] = []
    by_id = {rule.id: index for index, rule in enumerate(rules)}
    out: list[Rule | None] = list(rules)
    for index, rule in enumerate(changes.replace):
        if rule.id in by_id:
            out[by_id[rule.id]] = rule
        else:
            problems.append((("replace", index, "id"), f"replaces rule '{rule.id}', which the "
                             "previous version does not have"))
    for index, rule_id in enumerate(changes.remove):
        if rule_id in by_id:
            out[by_id[rule_id]] = None
        else:
            problems.append((("remove", index), f"removes rule '{rule_id}', which the previous "
                             "version does not have"))
    kept = [rule for rule in out if rule is not None]
    for index, rule in enumerate(changes.add):
        if rule.id in {r.id for r in kept}:
            problems.append((("add", index, "id"), f"adds rule '{rule.id}', which the previous "
                             "version already has: use replace"))
        else:
            kept.append(rule)
    return kept, problems


def amendment_problems(pack: Pack) -> list[tuple[tuple, str]]:
    """Amendments that cannot apply: (path in the pack, message), in file order."""
    problems: list[tuple[tuple, str]] = []
    labels: dict[str, int | None] = {pack.version: None}
    rules = list(pack.rules)
    previous_day = None
    for index, amendment in enumerate(pack.amendments):
        where = ("amendments", index)
        if amendment.version in labels:
            problems.append((where + ("version",), f"version '{amendment.version}' is used twice"))
        labels[amendment.version] = index
        if previous_day and amendment.in_force_from <= previous_day:
            problems.append((where + ("in_force_from",), f"in force from {amendment.in_force_from}"
                             f", not after the amendment before it ({previous_day})"))
        previous_day = amendment.in_force_from
        rules, changed = amended_rules(rules, amendment.rules)
        problems.extend((where + ("rules",) + path, message) for path, message in changed)
        if not rules:
            problems.append((where + ("rules",),
                             f"version '{amendment.version}' has no rules left"))
    return problems

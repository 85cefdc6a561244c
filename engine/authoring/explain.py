"""`explain`: why one line got its status, rule by rule and test by test.

The verdict on each rule is durable-rules' (CompiledPack.decide on this very
line); the reasons, leaf by leaf, are the reference evaluator's (reference.py),
which runs the same resolved conditions in plain Python. If the two ever
disagree, or the check (which asks durable-rules about one representative of
each group of alike lines) found something else, the explanation says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..checks.awards import RingfenceCheck
from ..checks.result import CheckResult, Finding
from ..core.errors import InputError
from ..core.suggest import near_miss
from ..models.conditions import SYMBOLS, All, AnyOf, Leaf
from ..models.lines import LINE_FIELDS
from ..models.table import OVER, PACK_VERSION, ROW, RULES, RUNNING, SEQ, SOURCE
from ..packs.compiled import CompiledPack
from ..packs.conditions import Test, word_pattern
from ..packs.facts import words
from ..packs.messages import pack_values, render, show
from ..packs.reference import evaluate, holds
from ..pipeline.check import CheckRequest, run_check

_REF_NAMES = {"period.start": "period start", "period.end": "period end",
              "purposes": "the pack's purposes"}
_LIST_SHOWN = 8


@dataclass(frozen=True)
class TestExplanation:
    """One leaf: the line's value against the rule's."""

    field: str
    op: str
    line_value: Any          # typed: date, pence, text, bool, or None when the line has none
    rule_value: Any          # typed (a tuple for in/not_in), None for present/absent
    ref: str | None          # period.start, period.end or purposes, when the rule names one
    holds: bool
    text: str                # "date 2026-04-20 > period end 2026-03-31"
    note: str | None = None  # e.g. which words a pattern matched, or why a missing value fails


@dataclass(frozen=True)
class ConditionExplanation:
    kind: str                # "all", "any" or "test"
    holds: bool
    parts: tuple[ConditionExplanation, ...] = ()
    test: TestExplanation | None = None


@dataclass(frozen=True)
class RuleExplanation:
    rule: str
    title: str
    clause: str
    status: str
    matched: bool            # durable-rules' verdict on this line
    reference: bool          # the reference evaluator's verdict
    condition: ConditionExplanation
    message: str | None      # the finding's message, when it matched

    @property
    def agree(self) -> bool:
        return self.matched == self.reference


@dataclass(frozen=True)
class AwardExplanation:
    """Where the line stands in its award's running total (lines in date order)."""

    grant: str
    clause: str
    award: int
    position: int            # 1-based place of the line among the award's lines, in date order
    lines: int
    running_before: int
    running_after: int
    over: int                # pence of this line beyond the award
    crossed_by: str | None   # the line whose spend first went beyond the award
    crossed_position: int | None  # its place in date order
    crossed_at: int | None   # the running total after that line

    @property
    def crossing(self) -> str | None:
        """Where the award was crossed relative to this line: before, here, after, or None."""
        if self.crossed_position is None:
            return None
        if self.crossed_position == self.position:
            return "here"
        return "before" if self.crossed_position < self.position else "after"


@dataclass(frozen=True)
class LineExplanation:
    line_id: str
    source: str
    row: int
    status: str
    grant: str
    pack_title: str
    determination: str
    pack_version: str
    version_note: str | None
    in_force_from: dt.date | None
    values: dict[str, Any]
    amounts: dict[str, int]
    rules: list[RuleExplanation]
    findings: list[Finding]
    award: AwardExplanation
    ringfences: list[RingfenceCheck]
    #: anything where durable-rules, the reference and the check did not agree (a bug)
    disagreements: list[str] = field(default_factory=list)


def explain(request: CheckRequest, line_id: str) -> list[LineExplanation]:
    """Every line with this id in the inputs (usually one), explained."""
    result = run_check(request)
    table = result.table
    chosen = table.filter(pl.col("line_id") == line_id)
    outside = result.out_of_scope
    if not chosen.height and outside is not None and line_id in outside["line_id"]:
        row = outside.filter(pl.col("line_id") == line_id).row(0, named=True)
        raise InputError(f"line '{line_id}' is out of scope: the column map gives it no "
                         "grant, so it is not grant spend and no rule or award checks it",
                         source=row[SOURCE], line=row[ROW])
    if not chosen.height:
        ids = table["line_id"].unique().to_list()
        raise InputError(f"no line '{line_id}' in the input",
                         source=request.inputs[0] if len(request.inputs) == 1 else None,
                         field="--line", suggestion=near_miss(line_id, ids))
    only = CheckResult(chosen, result.packs, result.ringfences, result.council,
                       cross=result.cross)
    return [_explain_line(result, row, line)
            for row, line in zip(chosen.iter_rows(named=True), only.lines())]


def _explain_line(result: CheckResult, row: dict, line) -> LineExplanation:
    grant = row["grant"]
    pack = result.packs[grant]
    version = pack.versions[row[PACK_VERSION]] if row.get(PACK_VERSION) else pack.for_date(
        row["date"])
    values = {name: row[name] for name in LINE_FIELDS}
    durable = set(version.decide(values))
    fact = version.fact(values)
    packvals = pack_values(version.pack)
    rules = []
    disagreements = []
    for rule, node in zip(version.rules, version.conditions):
        condition = _condition(rule.when, node, fact, values, version)
        explained = RuleExplanation(
            rule.id, rule.title, rule.clause, rule.status, rule.id in durable,
            evaluate(node, fact), condition,
            render(rule.message, values, packvals) if rule.id in durable else None)
        if not explained.agree:
            disagreements.append(
                f"rule '{rule.id}': durable-rules says {_said(explained.matched)}, the reference "
                f"evaluator says {_said(explained.reference)}")
        rules.append(explained)
    checked = set(row[RULES] or [])
    if checked != durable:
        disagreements.append(
            f"the check found [{', '.join(sorted(checked))}] for this line's group, durable-rules "
            f"on this line alone finds [{', '.join(sorted(durable))}]")
    assert version.version is not None  # a compiled pack knows its version
    return LineExplanation(
        line.line_id, line.source, line.row, line.status, grant, pack.loaded.pack.title,
        pack.loaded.pack.determination, version.version, version.in_force.note,
        version.in_force.in_force_from, values, line.amounts, rules, line.findings,
        _award(result, row, pack),
        [c for c in result.ringfences if c.grant == grant
         and (c.purpose is None or c.purpose == row["purpose"])],
        disagreements)


def _said(matched: bool) -> str:
    return "it matches" if matched else "it does not match"


def _condition(model, node, fact: dict, values: dict, pack: CompiledPack) -> ConditionExplanation:
    """Walk the rule as written and as resolved, side by side."""
    if isinstance(model, All):
        parts = tuple(_condition(m, n, fact, values, pack) for m, n in zip(model.all, node.parts))
        return ConditionExplanation("all", all(p.holds for p in parts), parts)
    if isinstance(model, AnyOf):
        parts = tuple(_condition(m, n, fact, values, pack) for m, n in zip(model.any, node.parts))
        return ConditionExplanation("any", any(p.holds for p in parts), parts)
    test = _test(model, node, fact, values, pack)
    return ConditionExplanation("test", test.holds, test=test)


def _test(leaf: Leaf, test: Test, fact: dict, values: dict, pack: CompiledPack
          ) -> TestExplanation:
    outcome = holds(test, fact)
    field_name = leaf.field
    actual = values.get(field_name)
    if isinstance(actual, str) and not actual.strip():
        actual = None
    rule_value = _rule_value(leaf, pack)
    line_shown = _shown(field_name, actual)
    symbol = SYMBOLS[leaf.op]
    note = None
    if leaf.op == "present":
        text = f"{field_name} present" + (f" ({line_shown})" if actual is not None else "")
    elif leaf.op == "absent":
        text = f"{field_name} absent" + (f" (it is {line_shown})" if actual is not None else "")
    else:
        text = f"{field_name} {line_shown} {symbol} {_rule_shown(leaf, rule_value)}"
        if actual is None:
            note = f"no {field_name}: every comparison on a missing value is false"
        elif leaf.op == "matches":
            note = _pattern_note(test.value, actual)
    return TestExplanation(field_name, leaf.op, actual, rule_value, leaf.ref, outcome, text, note)


def _rule_value(leaf: Leaf, pack: CompiledPack) -> Any:
    if leaf.ref == "period.start":
        return pack.pack.period.start
    if leaf.ref == "period.end":
        return pack.pack.period.end
    if leaf.ref == "purposes":
        return tuple(pack.pack.purposes)
    return leaf.value


def _shown(field_name: str, value: Any) -> str:
    if value is None:
        return "(none)"
    if LINE_FIELDS[field_name] == "text":
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return show(field_name, value)


def _rule_shown(leaf: Leaf, value: Any) -> str:
    if leaf.op == "matches":
        return f"'{value}'"
    if isinstance(value, tuple):
        shown = [_shown(leaf.field, v) for v in value[:_LIST_SHOWN]]
        more = f", ... ({len(value)} in all)" if len(value) > _LIST_SHOWN else ""
        listed = f"[{', '.join(shown)}{more}]"
        return f"{_REF_NAMES[leaf.ref]} {listed}" if leaf.ref else listed
    text = _shown(leaf.field, value)
    return f"{_REF_NAMES[leaf.ref]} {text}" if leaf.ref else text


def _pattern_note(pattern: str, actual: str) -> str:
    text = words(str(actual))
    found = re.fullmatch(word_pattern(pattern), text)
    if found:
        return f"the words '{found.group(2)}' match"
    return f"no words of '{text}' match" if text else "no words to match"


def _award(result: CheckResult, row: dict, pack: CompiledPack) -> AwardExplanation:
    grant = row["grant"]
    lines = (result.table.filter(pl.col("grant") == grant)
             .select(SEQ, "line_id", "date", "amount", RUNNING, OVER)
             .sort(["date", SEQ], nulls_last=True))
    order = lines[SEQ].to_list()
    over = lines[OVER].fill_null(0).to_list()
    crossed = next((index for index, pence in enumerate(over) if pence > 0), None)
    return AwardExplanation(
        grant, pack.loaded.pack.ringfence.clause, result.award_amount(grant),
        order.index(row[SEQ]) + 1, lines.height, row[RUNNING] - row["amount"], row[RUNNING],
        row[OVER] or 0,
        lines["line_id"][crossed] if crossed is not None else None,
        crossed + 1 if crossed is not None else None,
        lines[RUNNING][crossed] if crossed is not None else None)

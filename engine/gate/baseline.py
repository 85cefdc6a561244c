"""Baselines (`--baseline REPORT.json`): the findings a team has already accepted.

A finding is matched to the baseline by line_id and rule (ringfence checks by
grant, check and purpose). It stays accepted only while it is no worse than
the baseline recorded: the same or a lower status, and no more money in
question. Money is the point of the gate, so a baselined line whose amount
grows is a new problem for the difference: the baseline accepted £3,000 of
capital spend, not £30,000. Lowering an amount, or fixing a line, is never
held against anyone.

The money a finding puts in question ("exposure"):
- ringfence.over-award: the part of the line beyond the award (the whole line
  when its own rules already make it non-compliant);
- any other line finding: the line's amount (its size, for credits);
- the award check: spend beyond the award; plan and purpose checks: the
  distance between plan and spend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from ..checks.awards import OVER_RULE
from ..core.errors import InputError
from ..core.validation import to_input_error
from ..core.yamlio import Document, load_text
from ..models.baseline import BaselineReport, Status


def finding_exposure(rule: str, amount: int,
                     amounts: dict[str, int] | dict[Status, int] | None) -> int:
    if rule == OVER_RULE and amounts and len(amounts) > 1:
        return abs(amounts.get("non_compliant", 0))
    return abs(amount)


def check_exposure(check: str, allocated: int, spent: int) -> int:
    if check == "award":
        return max(spent - allocated, 0)
    return abs(spent - allocated)


@dataclass(frozen=True)
class Accepted:
    """What the baseline accepted for one finding."""

    status: str
    exposure: int


@dataclass(frozen=True)
class Baseline:
    source: str
    #: (line_id, rule) -> what was accepted
    findings: dict[tuple[str, str], Accepted]
    #: (grant, check, purpose or "") -> what was accepted (non-compliant or at-risk checks only)
    checks: dict[tuple[str, str, str], Accepted]


def load_baseline(path: str) -> Baseline:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", source=path) from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=_exact_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"not a JSON report ({exc.msg}); a baseline is the output of "
                         "`ringfence check --format json`", source=path, line=exc.lineno) from None
    except RecursionError:
        # Python's decoder recurses per level: a report of ours is a few levels deep.
        raise InputError("not a JSON report (nested too deep); a baseline is the output of "
                         "`ringfence check --format json`", source=path) from None
    try:
        report = BaselineReport.model_validate(data)
    except ValidationError as exc:
        raise to_input_error(exc, BaselineReport, _positions(text, path, data), data) from None
    findings: dict[tuple[str, str], Accepted] = {}
    for line in report.lines:
        for finding in line.findings:
            exposure = finding_exposure(finding.rule, line.amount, line.amounts)
            key = (line.line_id, finding.rule)
            # The same line_id in two inputs of one run: accept no more than the larger.
            previous = findings.get(key)
            if previous is None or exposure > previous.exposure:
                findings[key] = Accepted(finding.status, exposure)
    checks: dict[tuple[str, str, str], Accepted] = {(c.grant, c.check, c.purpose or ""): Accepted(
        c.status, check_exposure(c.check, c.allocated, c.spent))
        for c in report.ringfences if c.status != "compliant"}
    return Baseline(path, findings, checks)


def _exact_int(text: str) -> int | Decimal:
    # Past Python's 4,300-digit limit for int(), a number is kept exact as a Decimal,
    # for the field to judge (an amount that long is too large, with its line named).
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def _positions(text: str, path: str, data) -> Document:
    """Where each key is written, to name the line of a bad value (JSON reads as YAML)."""
    try:
        return load_text(text, path)
    except InputError:
        return Document(path, data)

"""What the diff writers share: how a changed value and a ringfence check read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..checks.awards import RECONCILIATION
from ..core.money import format_gbp, format_plain
from ..core.status import LABELS
from ..models.lines import LINE_FIELDS
from ..pipeline.diff import CheckChange, DiffResult, LineChange, Side
from .ci_common import exemption_note
from .gate_report import waiver_record

#: A line's status on one side of the diff (None: the line is not on that side).
LABEL: dict[str | None, str] = dict(LABELS.items())
LABEL[None] = "(none)"


def value_text(name: str, value: Any) -> str:
    if value is None:
        return "(none)"
    if LINE_FIELDS.get(name) == "money":
        return format_gbp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def value_json(name: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if LINE_FIELDS.get(name) == "money":
        return format_plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def where(side: Side, line) -> str:
    """The line's place in its side's file, named as the user named the file."""
    return f"{side.spec}:{line.row}"


def waiver_note(side: Side, line, rule: str) -> str:
    """" (waived by ...)" when a waiver in force exempts the line's finding on that side, or
    " (waiver ... expired ...)" when the one naming it has run out; "" otherwise."""
    if side.gate.waivers is None:
        return ""
    state = side.gate.state_at(line.source, line.line_id, rule)
    if state.waiver is None and state.expired_waiver is None:
        return ""
    return f" ({exemption_note(state)})"


def waiver_json(side: Side, line, rule: str) -> dict[str, Any]:
    """The JSON report's "waiver" / "expired_waiver" keys for one finding on one side."""
    if side.gate.waivers is None:
        return {}
    state = side.gate.state_at(line.source, line.line_id, rule)
    out = {}
    if state.waiver is not None:
        out["waiver"] = waiver_record(state.waiver)
    if state.expired_waiver is not None:
        out["expired_waiver"] = waiver_record(state.expired_waiver)
    return out


def check_name(change: CheckChange) -> str:
    if change.check == "purpose":
        return f"purpose {change.purpose}"
    if change.check == RECONCILIATION:
        return "stated total"
    return "award" if change.check == "award" else "plan total"


def status_pair(change: LineChange | CheckChange) -> tuple[str | None, str | None]:
    return (change.base.status if change.base else None,
            change.head.status if change.head else None)


def by_kind(diff: DiffResult) -> dict[str, list[LineChange]]:
    out: dict[str, list[LineChange]] = {"added": [], "removed": [], "changed": [],
                                        "affected": []}
    for change in diff.lines:
        out[change.change].append(change)
    return out

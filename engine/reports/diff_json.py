"""`diff --format json`: the comparison as data (amounts as strings with two decimals)."""

from __future__ import annotations

import json
from typing import Any

from ..checks.awards import RingfenceCheck
from ..core.money import format_plain
from ..pipeline.diff import DiffResult, LineChange, Side
from .diff_common import by_kind, value_json, waiver_json, where
from .gate_report import waiver_record


def _side(side: Side) -> dict[str, Any]:
    return {"ref": side.spec, "sha256": side.sha256, "status": side.result.status,
            "fails": side.gate.fails(),
            "summary": {status: {"lines": b.lines, "amount": format_plain(b.amount)}
                        for status, b in side.result.summary.items()}}


def _findings(side: Side, line) -> list[dict[str, Any]]:
    return [{"rule": f.rule, "status": f.status, "message": f.message,
             **waiver_json(side, line, f.rule)} for f in line.findings]


def _line(diff: DiffResult, change: LineChange) -> dict[str, Any]:
    base, head = change.base, change.head
    record: dict[str, Any] = {
        "line_id": change.line_id,
        "status": {"before": base.status if base else None,
                   "after": head.status if head else None},
        "amount": {"before": format_plain(base.values["amount"]) if base else None,
                   "after": format_plain(head.values["amount"]) if head else None},
        "where": {"before": where(diff.base, base) if base else None,
                  "after": where(diff.head, head) if head else None},
        "fields": [{"field": f.field, "old": value_json(f.field, f.old),
                    "new": value_json(f.field, f.new)} for f in change.fields],
        "findings": {"before": _findings(diff.base, base) if base else [],
                     "after": _findings(diff.head, head) if head else [],
                     "added": list(change.findings_added),
                     "removed": list(change.findings_removed)},
        "fails": change.fails,
    }
    if diff.head.gate.active:
        record["counted_status"] = {
            "before": diff.base.gate.line_status(base) if base else None,
            "after": diff.head.gate.line_status(head) if head else None}
    return record


def _check(check: RingfenceCheck | None) -> dict[str, str] | None:
    if check is None:
        return None
    return {"allocated": format_plain(check.allocated), "spent": format_plain(check.spent),
            "status": check.status, "message": check.message}


def report(diff: DiffResult) -> dict[str, Any]:
    kinds = by_kind(diff)
    out: dict[str, Any] = {
        "base": _side(diff.base),
        "head": _side(diff.head),
        "fail_on": diff.fail_on,
        "fails": diff.fails,
        "failures": diff.failures,
        "lines": {**{kind: [_line(diff, c) for c in changes] for kind, changes in kinds.items()},
                  "unchanged": diff.unchanged},
        "transitions": [{"line_id": c.line_id, "from": c.base.status if c.base else None,
                         "to": c.head.status if c.head else None}
                        for c in diff.transitions()],
        "ringfences": [{"grant": c.grant, "check": c.check, "purpose": c.purpose,
                        "before": _check(c.base), "after": _check(c.head),
                        "spent_change": format_plain(c.spent_change), "fails": c.fails}
                       for c in diff.checks],
    }
    gate = diff.head.gate
    if gate.waivers is not None:
        out["waivers"] = {bucket: [waiver_record(w, n) for w, n in items]
                          for bucket, items in gate.waiver_buckets().items()}
    return out


def write(diff: DiffResult, stream, context) -> None:
    json.dump(report(diff), stream, indent=2, ensure_ascii=False)
    stream.write("\n")

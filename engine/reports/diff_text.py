"""`diff` on a terminal: what changed, what it does to each status and ringfence, the verdict."""

from __future__ import annotations

from ..core.errors import visible
from ..core.money import format_gbp
from ..pipeline.diff import DiffResult, LineChange
from .diff_common import LABEL, by_kind, check_name, status_pair, value_text, waiver_note, where

SIGN = {"added": "+", "removed": "-", "changed": "~", "affected": "!"}


def _signed(pence: int) -> str:
    return ("+" if pence > 0 else "") + format_gbp(pence)


def render(diff: DiffResult) -> str:
    out = [f"ringfence diff: {diff.base.spec} -> {diff.head.spec}", ""]
    if diff.fails:
        out.append(f"Gate FAILS at --fail-on {diff.fail_on}:")
        out += [f"  {reason}" for reason in diff.failures]
    else:
        out.append(f"Gate passes at --fail-on {diff.fail_on}: nothing added or worsened.")
    out.append("")
    kinds = by_kind(diff)
    out.append("Lines: " + ", ".join(f"{len(v)} {k}" for k, v in kinds.items())
               + f", {diff.unchanged} unchanged")
    for kind in ("added", "removed", "changed", "affected"):
        for change in kinds[kind]:
            out += _line(diff, change)
    transitions = diff.transitions()
    if transitions:
        out += ["", "Status transitions:"]
        out += [f"  {c.line_id}: {LABEL[c.base.status if c.base else None]} -> "
                f"{LABEL[c.head.status if c.head else None]}" for c in transitions]
    out += ["", "Ringfence totals (spent: before -> after):"]
    for c in diff.checks:
        old = format_gbp(c.base.spent) if c.base else "-"
        new = format_gbp(c.head.spent) if c.head else "-"
        check = c.head or c.base
        assert check is not None  # a change has at least one side
        allocated = format_gbp(check.allocated)
        status = (f"{LABEL[c.base.status if c.base else None]} -> "
                  f"{LABEL[c.head.status if c.head else None]}")
        flag = f"  << {c.fails}" if c.fails else ""
        out.append(f"  {c.grant} {check_name(c)}: {old} -> {new} ({_signed(c.spent_change)})"
                   f" of {allocated}; {status}{flag}")
    out += ["", "Totals by status (before -> after):"]
    before, after = diff.base.result.summary, diff.head.result.summary
    for status in after:
        out.append(f"  {LABEL.get(status, status)}: {before[status].lines} lines "
                   f"{format_gbp(before[status].amount)} -> {after[status].lines} lines "
                   f"{format_gbp(after[status].amount)} "
                   f"({_signed(after[status].amount - before[status].amount)})")
    gate = diff.head.gate
    if gate.waivers is not None:
        buckets = gate.waiver_buckets()
        out += ["", f"Waivers: {len(buckets['applied'])} applied, {len(buckets['expired'])} "
                    f"expired, {len(buckets['stale'])} stale"]
        for bucket in ("expired", "stale"):
            out += [f"  {bucket}: {w.waiver.describe()} ({w.waiver.reference}, expires "
                    f"{w.waiver.expires.isoformat()})" for w, _ in buckets[bucket]]
    return "\n".join(out) + "\n"


def _line(diff: DiffResult, change: LineChange) -> list[str]:
    line = change.head or change.base
    assert line is not None  # a change has at least one side
    side = diff.head if change.head else diff.base
    was, now = status_pair(change)
    status = (LABEL[line.status]
              if change.change in ("added", "removed") or was == line.status
              else f"{LABEL[was]} -> {LABEL[now]}")
    out = [f"{SIGN[change.change]} {change.line_id}  {format_gbp(line.values['amount'])}  "
           f"{status}  ({where(side, line)})" + (f"  << {change.fails}" if change.fails else "")]
    out += [f"    {f.field}: {value_text(f.field, f.old)} -> {value_text(f.field, f.new)}"
            for f in change.fields]
    findings = {f.rule: f for f in line.findings}
    if change.change == "added":
        out += [f"    {r}: {findings[r].message}{waiver_note(side, line, r)}"
                for r in change.findings_added]
    else:
        gone = {f.rule: f for f in change.base.findings} if change.base else {}
        out += [f"    + {r}: {findings[r].message}{waiver_note(side, line, r)}"
                for r in change.findings_added]
        out += [f"    - {r}: {gone[r].message}" for r in change.findings_removed
                if change.change != "removed"]
    return out


def write(diff: DiffResult, stream, context) -> None:
    # Read on a terminal: control characters from the inputs are shown, never run.
    stream.write(visible(render(diff)))

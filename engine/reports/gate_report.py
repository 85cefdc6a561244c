"""How the JSON, table and Markdown reports show waivers and baselines.

Only when `--waivers` or `--baseline` is in play: without them these reports
are exactly as they were.

JSON: a finding (or ringfence check) gains `"waiver": {...}` when a waiver in
force exempts it, `"expired_waiver": {...}` when the waiver naming it has run
out (it counts again), and `"baseline": {"state": ..., "accepted": ...}` with a
baseline (`unchanged`: accepted and not counted; `updated`: worse than
accepted and counted; `new`). The report gains `"gate"` (the level, whether
it fails, the day waivers were judged on, how many findings were waived and
baselined), `"waivers": {"applied", "expired", "stale"}` and `"baseline":
{"source", "baselined", "updated", "new", "resolved"}`.
"""

from __future__ import annotations

from typing import Any

from ..core.money import format_gbp, format_plain
from ..gate.baseline import Accepted
from ..gate.gate import BaselinedFinding, FindingState, Gate
from ..gate.waivers import LoadedWaiver
from .ci_common import LEVEL_LABEL, exemption_note


def active_gate(result) -> Gate | None:
    gate = getattr(result, "gate", None)
    return gate if gate is not None and gate.active else None


def waiver_record(loaded: LoadedWaiver, matched: int | None = None) -> dict[str, Any]:
    w = loaded.waiver
    record: dict[str, Any] = {"rule": w.rule}
    for name in ("line_id", "grant", "purpose"):
        if getattr(w, name) is not None:
            record[name] = getattr(w, name)
    record.update({"reason": w.reason, "approved_by": w.approved_by, "reference": w.reference,
                   "expires": w.expires.isoformat(), "source": loaded.source,
                   "line": loaded.line})
    if matched is not None:
        record["findings"] = matched
    return record


def _accepted(accepted: Accepted) -> dict[str, str]:
    return {"status": accepted.status, "amount": format_plain(accepted.exposure)}


def _annotate(record: dict, state: FindingState) -> None:
    if state.waiver is not None:
        record["waiver"] = waiver_record(state.waiver)
    if state.expired_waiver is not None:
        record["expired_waiver"] = waiver_record(state.expired_waiver)
    if state.baseline is not None:
        record["baseline"] = {"state": state.baseline}
        if state.accepted is not None:
            record["baseline"]["accepted"] = _accepted(state.accepted)


def _baselined(item: BaselinedFinding) -> dict[str, Any]:
    record: dict[str, Any] = {"line_id": item.line_id} if item.line_id is not None else \
        {"grant": item.grant, "purpose": item.purpose}
    record.update({"rule": item.rule, "status": item.status,
                   "amount": format_plain(item.exposure), "accepted": _accepted(item.accepted)})
    return record


def annotate_lines(records: list[dict], result) -> tuple[int, int]:
    """Adds the gate's view to the findings of JSON line records in place; returns how
    many findings it waived and baselined (for annotate_json's totals)."""
    gate = active_gate(result)
    waived = baselined = 0
    if gate is None:
        return waived, baselined
    for record in records:
        for finding in record["findings"]:
            state = gate.state_at(record["source"], record["line_id"], finding["rule"])
            _annotate(finding, state)
            waived += state.exemption == "waived"
            baselined += state.exemption == "baselined"
    return waived, baselined


def annotate_json(report: dict, result, lines: tuple[int, int] | None = None) -> None:
    """Adds the gate's view to a JSON report (json_report.report) in place. `lines`:
    what annotate_lines returned when the lines were annotated apart (the JSON writer
    streams them); otherwise the report's own lines are annotated here."""
    gate = active_gate(result)
    if gate is None:
        return
    waived, baselined = lines if lines is not None else annotate_lines(report["lines"], result)
    for record in report["ringfences"]:
        state = gate.check_state_at(record["grant"], record["check"], record["purpose"])
        _annotate(record, state)
        waived += state.exemption == "waived"
        baselined += state.exemption == "baselined"
    report["gate"] = {"fail_on": gate.fail_on, "fails": gate.fails(),
                      "today": gate.today.isoformat(), "waived": waived,
                      "baselined": baselined}
    if gate.waivers is not None:
        report["waivers"] = {bucket: [waiver_record(w, n) for w, n in items]
                             for bucket, items in gate.waiver_buckets().items()}
    if gate.baseline is not None:
        report["baseline"] = {
            "source": gate.baseline.source,
            "baselined": [_baselined(item) for item in gate.baselined],
            "updated": [_baselined(item) for item in gate.updated],
            "new": gate.new_findings,
            "resolved": [dict(zip(("line_id", "rule") if len(key) == 2 else
                                  ("grant", "check", "purpose"), key))
                         for key in gate.resolved()],
        }


def finding_note(result, line, finding) -> str | None:
    """For the table and Markdown reports: why a finding does not count, or counts again."""
    gate = active_gate(result)
    return exemption_note(gate.state(line, finding)) if gate else None


def summary_lines(result) -> list[str]:
    """The gate's verdict and the waivers and baseline, as plain sentences."""
    gate = active_gate(result)
    if gate is None:
        return []
    judged = f" (waivers judged on {gate.today.isoformat()})" if gate.waivers else ""
    out = [f"Gate at --fail-on {gate.fail_on}: {'fails' if gate.fails() else 'passes'}{judged}"]
    if gate.waivers is not None:
        buckets = gate.waiver_buckets()
        out.append(f"Waivers ({gate.waivers.source}): {len(buckets['applied'])} applied, "
                   f"{len(buckets['expired'])} expired, {len(buckets['stale'])} stale")
        for bucket, note in (("applied", "applied"), ("expired", "EXPIRED, counts again"),
                             ("stale", "STALE, matches nothing")):
            for loaded, _matched in buckets[bucket]:
                w = loaded.waiver
                out.append(f"  {note}: {w.describe()} -- {w.reason}; approved by "
                           f"{w.approved_by} ({w.reference}), expires {w.expires.isoformat()} "
                           f"[{loaded.source}:{loaded.line}]")
    if gate.baseline is not None:
        # Each baselined finding is marked where it is shown; the JSON report lists them.
        out.append(f"Baseline ({gate.baseline.source}): {len(gate.baselined)} findings "
                   f"baselined, {len(gate.updated)} worse than the baseline, "
                   f"{gate.new_findings} new, {len(gate.resolved())} resolved")
        for item in gate.updated:
            what = item.line_id if item.line_id is not None else \
                f"{item.grant} {item.purpose or ''}".strip()
            out.append(f"  worse than the baseline: {what} {item.rule}: "
                       f"{format_gbp(item.exposure)} in question, "
                       f"{format_gbp(item.accepted.exposure)} accepted "
                       f"({LEVEL_LABEL[item.accepted.status]})")
    return out

"""Text and JSON for the pack authoring commands: `rules test` and `explain`.

Like the check's writers, these only lay out what the engine found.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..authoring.explain import AwardExplanation, ConditionExplanation, LineExplanation
from ..authoring.packtests import PackTestReport
from ..core.money import format_gbp, format_plain
from ..core.paths import shown_path
from ..packs.messages import show

# --- rules test ----------------------------------------------------------------------------

def pack_tests_text(reports: list[PackTestReport]) -> list[str]:
    out: list[str] = []
    for report in reports:
        failed = len(report.failures)
        passed = len(report.outcomes) - failed
        out.append(f"{report.pack} ({shown_path(report.path)}): {len(report.outcomes)} cases, "
                   f"{passed} passed" + (f", {failed} failed" if failed else ""))
        for outcome in report.failures:
            found = f"durable-rules found [{', '.join(outcome.actual)}]"
            if set(outcome.reference) != set(outcome.actual):
                found += f", the reference evaluator [{', '.join(outcome.reference)}]"
            version = f" (version {outcome.version})" if _versioned(report) else ""
            out.append(f"  FAIL {outcome.source}:{outcome.line}: case '{outcome.name}'{version}: "
                       f"expected [{', '.join(outcome.expected)}], {found}")
        coverage = report.coverage
        width = max((len(rule) for rule in coverage.rules), default=10)
        out.append("  coverage by clause and rule (cases matching / not matching):")
        for clause, rules in coverage.by_clause().items():
            complete = all(coverage.matched.get(r) and coverage.unmatched.get(r) for r in rules)
            out.append(f"    {'ok  ' if complete else 'GAP '} {clause}")
            for rule in rules:
                matched, unmatched = coverage.matched.get(rule, 0), coverage.unmatched.get(rule, 0)
                gap = [side for side, count in (("matching", matched), ("not matching", unmatched))
                       if not count]
                note = f"  <- never shown {' or '.join(gap)}" if gap else ""
                out.append(f"           {rule:<{width}}  {matched:>4} / {unmatched}{note}")
        sides: dict[str, list[str]] = {}
        for rule, side in coverage.missing():
            sides.setdefault(rule, []).append(side)
        for rule, missing in sides.items():
            out.append(f"  MISSING rule '{rule}' ({coverage.clauses.get(rule, '')}) is never shown "
                       f"{' or '.join(missing)}: add a case to "
                       f"{shown_path(report.path.parent / 'tests')}")
    failed_packs = [r.pack for r in reports if not r.ok]
    verdict = f"{len(failed_packs)} failed ({', '.join(failed_packs)})" if failed_packs else \
        "all passed"
    out.append(f"rules test: {len(reports)} pack{'s' if len(reports) != 1 else ''}, {verdict}")
    return out


def _versioned(report: PackTestReport) -> bool:
    return any("@" in rule for rule in report.coverage.rules)


# --- explain --------------------------------------------------------------------------------

def explain_text(explanations: list[LineExplanation]) -> str:
    return "\n\n".join(_explain_one(e) for e in explanations) + "\n"


def _explain_one(e: LineExplanation) -> str:
    out = [f"Line {e.line_id} ({e.source}:{e.row}): {e.status}"]
    if len(e.amounts) > 1:
        out.append("  split: " + ", ".join(f"{format_gbp(p)} {s}" for s, p in e.amounts.items()))
    version = f"version {e.pack_version}"
    if e.in_force_from:
        version += f", in force from {e.in_force_from.isoformat()}: {e.version_note}"
    out.append(f"  charged to {e.grant}: {e.pack_title} ({e.determination}), {version}")
    shown = [f"{name} {_value(name, value)}" for name, value in e.values.items()
             if value is not None and name not in ("line_id", "grant")]
    out.append("  " + "; ".join(shown))
    for problem in e.disagreements:
        out.append(f"  DISAGREEMENT: {problem} (a bug: please report it)")
    out.append("")
    out.append("Rules of the pack (verdict: durable-rules; each test: the reference evaluator):")
    for rule in e.rules:
        verdict = "MATCHED" if rule.matched else "no"
        out.append(f"  {verdict:<7} {rule.rule} ({rule.status}): {rule.title}")
        out.append(f"          clause: {rule.clause}")
        if rule.message:
            out.append(f"          finding: {rule.message}")
        out.extend(_condition_lines(rule.condition, 10))
    out.append("")
    out.append(f"Ringfence ({e.award.clause}):")
    out.append("  " + award_text(e.award))
    for check in e.ringfences:
        what = f"purpose {check.purpose}" if check.purpose else check.check
        out.append(f"  {check.status:<13} {what}: {check.message}")
    out.append("")
    out.append("Findings:" if e.findings else "Findings: none")
    for finding in e.findings:
        out.append(f"  {finding.status:<13} {finding.rule}: {finding.message}")
        out.append(f"  {'':<13} clause: {finding.clause}")
    return "\n".join(out)


def _condition_lines(condition: ConditionExplanation, indent: int) -> list[str]:
    pad = " " * indent
    mark = "holds" if condition.holds else "fails"
    if condition.kind == "test":
        test = condition.test
        assert test is not None  # a "test" condition carries its test
        note = f"  ({test.note})" if test.note else ""
        return [f"{pad}{mark}: {test.text}{note}"]
    label = "all of" if condition.kind == "all" else "any of"
    lines = [f"{pad}{mark}: {label}"]
    for part in condition.parts:
        lines.extend(_condition_lines(part, indent + 2))
    return lines


def award_text(award: AwardExplanation) -> str:
    """The running total at this line, and where the award was crossed."""
    text = (f"line {award.position} of {award.lines} charged to {award.grant}, in date order: "
            f"running total {format_gbp(award.running_before)} before it, "
            f"{format_gbp(award.running_after)} after it, against an award of "
            f"{format_gbp(award.award)}")
    if award.crossing == "here":
        return text + (f"; this line crossed the award, so {format_gbp(award.over)} of it is "
                       "beyond it")
    if award.crossing == "before":
        assert award.crossed_at is not None  # set with crossed_position
        return text + (f"; the award was crossed earlier, by line '{award.crossed_by}' (running "
                       f"total {format_gbp(award.crossed_at)}), so {format_gbp(award.over)} of "
                       "this line is beyond it")
    if award.crossing == "after":
        assert award.crossed_at is not None  # set with crossed_position
        return text + (f"; the award is crossed later, by line '{award.crossed_by}' (running "
                       f"total {format_gbp(award.crossed_at)})")
    return text + f"; {format_gbp(award.award - award.running_after)} of the award left"


def _value(name: str, value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return show(name, value)


def explain_json(explanations: list[LineExplanation]) -> dict[str, Any]:
    return {"lines": [_line_json(e) for e in explanations]}


def _line_json(e: LineExplanation) -> dict[str, Any]:
    return {
        "line_id": e.line_id, "source": e.source, "row": e.row, "status": e.status,
        "amounts": {status: format_plain(p) for status, p in e.amounts.items()},
        "grant": e.grant, "pack_title": e.pack_title, "determination": e.determination,
        "pack_version": e.pack_version,
        "in_force_from": e.in_force_from.isoformat() if e.in_force_from else None,
        "version_note": e.version_note,
        "values": {name: _json_value(name, value) for name, value in e.values.items()},
        "agree": not e.disagreements, "disagreements": e.disagreements,
        "rules": [{
            "rule": r.rule, "title": r.title, "clause": r.clause, "status": r.status,
            "matched": r.matched, "reference": r.reference, "message": r.message,
            "condition": _condition_json(r.condition),
        } for r in e.rules],
        "ringfence": {
            "grant": e.award.grant, "clause": e.award.clause,
            "award": format_plain(e.award.award), "position": e.award.position,
            "lines": e.award.lines, "running_before": format_plain(e.award.running_before),
            "running_after": format_plain(e.award.running_after),
            "over": format_plain(e.award.over), "crossing": e.award.crossing,
            "crossed_by": e.award.crossed_by,
            "crossed_at": format_plain(e.award.crossed_at) if e.award.crossed_at is not None
            else None,
            "summary": award_text(e.award),
            "checks": [{"check": c.check, "purpose": c.purpose, "status": c.status,
                        "allocated": format_plain(c.allocated), "spent": format_plain(c.spent),
                        "message": c.message} for c in e.ringfences],
        },
        "findings": [{"rule": f.rule, "status": f.status, "clause": f.clause,
                      "message": f.message} for f in e.findings],
    }


def _condition_json(condition: ConditionExplanation) -> dict[str, Any]:
    if condition.kind != "test":
        return {condition.kind: [_condition_json(p) for p in condition.parts],
                "holds": condition.holds}
    test = condition.test
    assert test is not None  # a "test" condition carries its test
    return {"field": test.field, "op": test.op, "ref": test.ref,
            "line_value": _json_value(test.field, test.line_value),
            "rule_value": _json_value(test.field, test.rule_value),
            "holds": test.holds, "text": test.text, "note": test.note}


def _json_value(name: str, value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json_value(name, v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if name == "amount" and isinstance(value, int) and not isinstance(value, bool):
        return format_plain(value)
    return value

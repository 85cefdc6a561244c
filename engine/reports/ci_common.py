"""What the CI writers (JUnit, SARIF, GitHub) share: where things are, and how the gate reads."""

from __future__ import annotations

from ..checks.awards import RECONCILIATION, RingfenceCheck, reconciliation_location
from ..checks.result import CheckResult, Finding, LineResult
from ..core.money import format_gbp
from ..core.status import LABELS
from ..gate.gate import FindingState, Gate, build_gate
from ..gate.waivers import LoadedWaiver

#: Statuses, and `--fail-on never`, as the CI formats write them.
LEVEL_LABEL = {**LABELS, "never": "never"}


def gate_of(result: CheckResult, context) -> Gate:
    """The gate the CLI decided; without one (a writer called directly), the plain statuses."""
    if result.gate is not None:
        return result.gate
    return build_gate(result, (context.options or {}).get("fail_on", "non_compliant"))


def check_label(check: RingfenceCheck) -> str:
    if check.check == "purpose":
        return f"purpose {check.purpose}"
    if check.check == RECONCILIATION:
        return "stated total"
    return "award" if check.check == "award" else "plan total"


def check_location(result: CheckResult, check: RingfenceCheck) -> tuple[str | None, int | None]:
    """Where the award (or, for a purpose, its plan line) is written; for an input's
    stated total, the input's first total row that does not reconcile."""
    if check.check == RECONCILIATION:
        return reconciliation_location(result, check)
    source, where = result.award_lines.get(check.grant, (None, {}))
    line = where.get(f"plan.{check.purpose}") if check.purpose else None
    return source, line or where.get("grant") or None


def finding_line(line: LineResult, finding: Finding) -> str:
    return (f"{finding.rule} [{LEVEL_LABEL[finding.status]}]: {finding.message} "
            f"({finding.clause})")


def line_heading(line: LineResult) -> str:
    description = line.values.get("description")
    return (f"{line.line_id} {format_gbp(line.values['amount'])}"
            + (f" {description}" if description else ""))


def waiver_problems(gate: Gate) -> list[tuple[str, LoadedWaiver, str]]:
    """(kind, waiver, sentence) for each expired or stale waiver, in file order: the CI
    formats report them at the waiver's own line, as the table and Markdown reports do."""
    if gate.waivers is None:
        return []
    buckets = gate.waiver_buckets()
    out = []
    for kind, why in (("expired", "expired: it no longer applies and its findings count "
                                  "again"),
                      ("stale", "stale: it matches no finding (fixed, or it names the wrong "
                                "line or rule)")):
        for loaded, _ in buckets[kind]:
            w = loaded.waiver
            out.append((kind, loaded, f"waiver {w.reference} ({w.approved_by}) for "
                                      f"{w.describe()}, expires {w.expires.isoformat()}, is "
                                      f"{why}"))
    return sorted(out, key=lambda item: item[1].line or 0)


def exemption_note(state: FindingState) -> str | None:
    """Why a finding does not count, or why it counts again: one line, or None."""
    if state.waiver is not None:
        w = state.waiver.waiver
        return (f"waived by {w.approved_by} ({w.reference}) until {w.expires.isoformat()}: "
                f"{w.reason}")
    notes = []
    if state.expired_waiver is not None:
        w = state.expired_waiver.waiver
        notes.append(f"waiver {w.reference} ({w.approved_by}) expired on "
                     f"{w.expires.isoformat()}: it counts again")
    if state.accepted is not None:
        accepted = (f"{LEVEL_LABEL[state.accepted.status]}, "
                    f"{format_gbp(state.accepted.exposure)} in question")
        notes.append(f"baselined (accepted: {accepted})" if state.baseline == "unchanged" else
                     f"worse than the baseline accepted ({accepted}): it counts")
    return "; ".join(notes) or None

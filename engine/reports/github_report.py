"""GitHub Actions (`--format github`): workflow commands, and a job summary.

Each finding becomes an annotation on the line of the input file it is about:
`::error` for non-compliant, `::warning` for at risk, `::notice` for one that
is waived or baselined (it does not count, but a reviewer should still see
it). An expired or stale waiver is a `::warning` on its line of the waivers
file. A last `::notice` gives the gate's verdict. Every line written is a
workflow command. When `GITHUB_STEP_SUMMARY` names a file, a Markdown summary
is appended to it for the run's page.
"""

from __future__ import annotations

import os

from ..checks.result import CheckResult
from ..core.money import format_gbp
from ..core.paths import shown_path
from ..core.status import STATUSES, at_or_above
from ..gate.gate import flagged_lines
from .advice import advice_text
from .ci_common import (
    LEVEL_LABEL,
    check_label,
    check_location,
    exemption_note,
    gate_of,
    waiver_problems,
)
from .md_report import esc

COMMAND = {"non_compliant": "error", "at_risk": "warning"}
#: Rows of findings in the job summary; the rest are counted (GitHub caps a summary at 1 MiB).
SUMMARY_ROWS = 200


def escape_data(text: str) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items()
                     if value is not None)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def write(result: CheckResult, stream, context) -> None:
    gate = gate_of(result, context)
    for line in result.lines():
        for finding in line.findings:
            state = gate.state(line, finding)
            note = exemption_note(state)
            name = "notice" if state.exemption else COMMAND[finding.status]
            title = f"{line.line_id}: {finding.rule}" + (f" ({state.exemption})"
                                                          if state.exemption else "")
            stream.write(command(
                name, f"{LEVEL_LABEL[finding.status]}: {finding.message} "
                      f"[{format_gbp(line.values['amount'])}; {finding.clause}]"
                      + (f" -- {note}" if note else "")
                      + (f" -- advice: {advice_text(line.advice)}"
                         if line.advice is not None else ""),
                file=shown_path(line.source), line=line.line or line.row, title=title) + "\n")
    for check in result.ringfences:
        if check.status == "compliant":
            continue
        state = gate.check_state(check)
        note = exemption_note(state)
        source, where = check_location(result, check)
        stream.write(command(
            "notice" if state.exemption else COMMAND[check.status],
            f"{LEVEL_LABEL[check.status]}: {check.message} [{check.clause}]"
            + (f" -- {note}" if note else ""),
            file=shown_path(source) if source else None, line=where,
            title=f"{check.grant} {check_label(check)}: {check.rule}") + "\n")
    for row in result.rejected:
        stream.write(command("warning", "could not be read and was left out: "
                             + "; ".join(row.reasons), file=shown_path(row.source),
                             line=row.line or row.row, title=f"row {row.row}: not checked") + "\n")
    for kind, waiver, text in waiver_problems(gate):
        stream.write(command("warning", text, file=shown_path(waiver.source), line=waiver.line,
                             title=f"{kind} waiver: {waiver.waiver.reference}") + "\n")
    stream.write(command("notice", verdict(result, gate), title="ringfence gate") + "\n")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(job_summary(result, gate))


def verdict(result: CheckResult, gate) -> str:
    counts = {s: b for s, b in result.summary.items()}
    money = ", ".join(f"{counts[s].lines} {LEVEL_LABEL[s]} ({format_gbp(counts[s].amount)})"
                      for s in STATUSES)
    state = "FAILS" if gate.fails() else "passes"
    extra = ""
    if gate.active:
        waived = sum(1 for _ in _exempt(result, gate, "waived"))
        baselined = sum(1 for _ in _exempt(result, gate, "baselined"))
        extra = f"; {waived} findings waived, {baselined} baselined"
    return (f"gate {state} at --fail-on {gate.fail_on}: {money} of "
            f"{format_gbp(counts['total'].amount)}{extra}")


def _exempt(result: CheckResult, gate, kind: str):
    for line in flagged_lines(result):
        for finding in line.findings:
            if gate.state(line, finding).exemption == kind:
                yield line, finding
    for check in result.ringfences:
        if gate.check_state(check).exemption == kind:
            yield None, check


def job_summary(result: CheckResult, gate) -> str:
    title = f"ringfence check: {esc(result.council)}" if result.council else "ringfence check"
    icon = "❌" if gate.fails() else "✅"
    out = [f"## {title}", "",
           f"{icon} **Gate {'fails' if gate.fails() else 'passes'}** at `--fail-on "
           f"{gate.fail_on}`. Overall status: **{LEVEL_LABEL[result.status]}**.", "",
           "| status | lines | amount |", "| --- | ---: | ---: |"]
    for status, bucket in result.summary.items():
        out.append(f"| {LEVEL_LABEL.get(status, status)} | {bucket.lines} | "
                   f"{format_gbp(bucket.amount)} |")
    out.append("")
    problems = [c for c in result.ringfences if c.status != "compliant"]
    if problems:
        out += ["### Ringfence checks", "", "| grant | check | allocated | spent | status | "
                "message |", "| --- | --- | ---: | ---: | --- | --- |"]
        out += [f"| {esc(c.grant)} | {esc(check_label(c))} | {format_gbp(c.allocated)} | "
                f"{format_gbp(c.spent)} | {_status_cell(c.status, gate.check_state(c))} | "
                f"{esc(c.message)} |" for c in problems]
        out.append("")
    rows: list[str] = []
    more = 0
    for line in flagged_lines(result):
        for finding in line.findings:
            if len(rows) >= SUMMARY_ROWS:
                more += 1
                continue
            state = gate.state(line, finding)
            rows.append(f"| {esc(line.line_id)} | {esc(shown_path(line.source))}:{line.row} | "
                        f"{format_gbp(line.values['amount'])} | "
                        f"{_status_cell(finding.status, state)} | `{finding.rule}` | "
                        f"{esc(finding.message)} |")
    if rows:
        out += ["### Findings", "", "| line | where | amount | status | rule | finding |",
                "| --- | --- | ---: | --- | --- | --- |", *rows]
        if more:
            out.append(f"\n…and {more} more findings: see the JSON or SARIF report.")
        out.append("")
    if gate.waivers is not None:
        buckets = gate.waiver_buckets()
        out += [f"Waivers: {len(buckets['applied'])} applied, {len(buckets['expired'])} "
                f"expired (their findings count again), {len(buckets['stale'])} stale "
                "(they match nothing).", ""]
        for waiver, _ in buckets["expired"] + buckets["stale"]:
            w = waiver.waiver
            state = "expired" if waiver.expired(gate.today) else "stale"
            out.append(f"- {state}: {esc(w.describe())} ({esc(w.reference)}, expires "
                       f"{w.expires.isoformat()})")
        out.append("")
    if gate.baseline is not None:
        out += [f"Baseline: {len(gate.baselined)} findings accepted, {len(gate.updated)} worse "
                f"than accepted, {gate.new_findings} new, {len(gate.resolved())} resolved.", ""]
    return "\n".join(out) + "\n"


def _status_cell(status: str, state) -> str:
    label = LEVEL_LABEL[status]
    if state.exemption:
        return f"{label} ({state.exemption})"
    return f"**{label}**" if at_or_above(status, "non_compliant") else label

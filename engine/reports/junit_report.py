"""JUnit XML (`--format junit`): one test case per line and per ringfence check.

A case fails when it counts at or above `--fail-on` (engine/gate/gate.py): its
`<failure>` names the findings that count. Everything else passes, and any
finding it has is still written in its `<system-out>`, each marked with why
it does not fail the case: below `--fail-on` (an at-risk line under the
default level), waived (with the approval) or baselined. Rows that could not
be read (`--skip-bad-rows`) are `<skipped>` cases, so none goes unseen.
Expired and stale waivers are `waiver.expired` and `waiver.stale` properties
of every suite (they are not lines, so they add no test case).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from ..checks.result import CheckResult, LineResult
from ..core.paths import shown_path
from ..core.status import at_or_above
from .advice import advice_text
from .ci_common import (
    LEVEL_LABEL,
    check_label,
    check_location,
    exemption_note,
    finding_line,
    gate_of,
    line_heading,
    waiver_problems,
)

#: Characters XML 1.0 cannot carry at all (control characters from a finance export).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def write(result: CheckResult, stream, context) -> None:
    gate = gate_of(result, context)
    level = gate.fail_on
    root = ET.Element("testsuites", name="ringfence")
    suites: dict[str, ET.Element] = {}
    tally: dict[str, dict[str, int]] = defaultdict(lambda: {"tests": 0, "failures": 0,
                                                            "skipped": 0})

    def suite(name: str) -> ET.Element:
        if name not in suites:
            suites[name] = ET.SubElement(root, "testsuite", name=_x(name))
            properties = ET.SubElement(suites[name], "properties")
            ET.SubElement(properties, "property", name="fail_on", value=level)
            # Expired and stale waivers are no test of their own: every suite names them.
            for kind, waiver, text in waiver_problems(gate):
                ET.SubElement(properties, "property", name=f"waiver.{kind}",
                              value=_x(f"{text} [{shown_path(waiver.source)}:{waiver.line}]"))
        return suites[name]

    for line in result.lines():
        name = f"lines: {shown_path(line.source)}"
        failed = _line_case(suite(name), line, gate, level)
        tally[name]["tests"] += 1
        tally[name]["failures"] += failed
    for row in result.rejected:
        name = f"lines: {shown_path(row.source)}"
        case = ET.SubElement(suite(name), "testcase", classname="rejected",
                             name=_x(f"row {row.row}"), file=_x(shown_path(row.source)),
                             line=str(row.row))
        ET.SubElement(case, "skipped", message=_x("could not be read: " + "; ".join(row.reasons)))
        tally[name]["tests"] += 1
        tally[name]["skipped"] += 1
    for check in result.ringfences:
        state = gate.check_state(check)
        source, where = check_location(result, check)
        case = ET.SubElement(suite("ringfences"), "testcase", classname=_x(check.grant),
                             name=_x(f"ringfence {check_label(check)}"))
        if source:
            case.set("file", _x(shown_path(source)))
        if where:
            case.set("line", str(where))
        text = f"{check.rule} [{LEVEL_LABEL[check.status]}]: {check.message} ({check.clause})"
        counts = gate.counts(check.status, state)
        if counts:
            failure = ET.SubElement(case, "failure", type=check.status,
                                    message=_x(f"{LEVEL_LABEL[check.status]}: {check.message}"))
            failure.text = _x(text)
        note = exemption_note(state)
        if not counts and check.status != "compliant":
            note = note or f"below --fail-on {level}"
        ET.SubElement(case, "system-out").text = _x(text + (f" -- {note}" if note else ""))
        tally["ringfences"]["tests"] += 1
        tally["ringfences"]["failures"] += counts
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for name, element in suites.items():
        for key, value in tally[name].items():
            element.set(key, str(value))
            totals[key] += value
        element.set("errors", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")


def _line_case(suite: ET.Element, line: LineResult, gate, level: str) -> bool:
    """Adds the line's case; whether it fails."""
    case = ET.SubElement(suite, "testcase", classname=_x(line.values.get("grant") or ""),
                         name=_x(line.line_id), file=_x(shown_path(line.source)),
                         line=str(line.row))
    counted = gate.line_status(line)
    fails = level != "never" and at_or_above(counted, level)
    if fails:
        failing = [f for f in line.findings if gate.counts(f.status, gate.state(line, f))]
        failure = ET.SubElement(case, "failure", type=counted, message=_x(
            f"{LEVEL_LABEL[counted]}: " + "; ".join(f"{f.rule}: {f.message}" for f in failing)))
        failure.text = _x("\n".join([line_heading(line)] +
                                    [finding_line(line, f) for f in failing]))
    if line.findings:
        notes = [line_heading(line)]
        for finding in line.findings:
            state = gate.state(line, finding)
            if gate.counts(finding.status, state):
                why = exemption_note(state)  # an expired waiver or a worsened baseline
                mark = "fails" + (f": {why}" if why else "")
            else:
                mark = exemption_note(state) or f"below --fail-on {level}"
            notes.append(f"{finding_line(line, finding)} -- {mark}")
        if line.advice is not None:
            notes.append(f"advice: {advice_text(line.advice)}")
        ET.SubElement(case, "system-out").text = _x("\n".join(notes))
    return fails

"""SARIF 2.1.0 (`--format sarif`): one result per finding, for code scanning.

- `ruleId` is the rule id the JSON report uses (e.g. `cost-type.capital`);
  `tool.driver.rules` describes each once: its title, the clause it cites (per
  grant, when two packs share a rule id), and its default level.
- `level`: non_compliant is `error`, at_risk is `warning`.
- The location is the input file (relative to the current directory when it
  is below it) and the line the expenditure is written on: for a YAML
  proposal, the line of its `- {line_id: ...}` item; for a CSV, its row.
  Ringfence checks point at the award (or the plan line of the purpose).
- A waived finding carries a `suppressions` entry (kind `external`, the reason
  as justification, who approved it and the reference); with `--baseline`
  every result has a `baselineState`: `unchanged` (accepted, not counted),
  `updated` (worse than accepted, counted) or `new`.
- Expired and stale waivers are `toolConfigurationNotifications` of the
  invocation (descriptor `waiver.expired` or `waiver.stale`), located at the
  waiver's line of the waivers file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..checks.result import CheckResult
from ..core.builtin_rules import BUILT_IN, REJECTED_ROW
from ..core.money import format_plain
from ..core.paths import shown_path
from .advice import advice_records
from .ci_common import check_label, check_location, exemption_note, gate_of, waiver_problems

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"non_compliant": "error", "at_risk": "warning"}
SRCROOT = "%SRCROOT%"
REJECTED_RULE = REJECTED_ROW.id


def write(result: CheckResult, stream, context) -> None:
    json.dump(sarif_log(result, context), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def sarif_log(result: CheckResult, context) -> dict:
    gate = gate_of(result, context)
    rules = _Rules()
    for pack_id, pack in sorted(result.packs.items()):
        for version in pack.versions.values():
            for rule in version.pack.rules:
                rules.add(rule.id, rule.title, rule.status, pack_id, rule.clause)
        # The engine's own rules that cite the pack, with this pack's citation.
        for builtin in BUILT_IN.values():
            if builtin.pack_clause:
                rules.add(builtin.id, builtin.title, builtin.status, pack_id,
                          builtin.clause_for(pack.loaded.pack.ringfence))
    for builtin in BUILT_IN.values():
        if builtin.clause and builtin.subject == "line":
            rules.add(builtin.id, builtin.title, builtin.status, None, builtin.clause)
    for builtin in BUILT_IN.values():
        if builtin.subject == "input" and any(check.rule == builtin.id
                                              for check in result.ringfences):
            rules.add(builtin.id, builtin.title, builtin.status, None, builtin.clause_for())

    results = []
    for line in result.lines():
        for finding in line.findings:
            state = gate.state(line, finding)
            grant = line.values.get("grant")
            results.append(_result(
                rules, finding.rule, finding.status,
                f"{line.line_id}: {finding.message} ({finding.clause})",
                _location(line.source, line.line or line.row, line.line_id, grant),
                state, gate, {"line_id": line.line_id, "grant": grant,
                              "status": finding.status, "clause": finding.clause,
                              "amount": format_plain(line.values["amount"]),
                              "line_status": line.status,
                              **({"advice": advice_records(line.advice)}
                                 if line.advice is not None else {})},
                fingerprint=(line.source, line.line_id, finding.rule)))
    for check in result.ringfences:
        if check.status == "compliant":
            continue
        source, where = check_location(result, check)
        label = f"{check.grant} {check_label(check)}"
        results.append(_result(
            rules, check.rule, check.status, f"{label}: {check.message} ({check.clause})",
            _location(source, where, label, check.grant), gate.check_state(check), gate,
            {"grant": check.grant, "purpose": check.purpose, "status": check.status,
             "clause": check.clause, "allocated": format_plain(check.allocated),
             "spent": format_plain(check.spent)},
            fingerprint=(check.grant, check.check, check.purpose or "")))
    if result.rejected:
        rules.add(REJECTED_RULE, REJECTED_ROW.title, REJECTED_ROW.status, None,
                  REJECTED_ROW.clause_for())
        for row in result.rejected:
            results.append(_result(
                rules, REJECTED_RULE, "at_risk",
                f"row {row.row} could not be read and was left out: {'; '.join(row.reasons)}",
                _location(row.source, row.line or row.row, f"row {row.row}", None), None, gate,
                {"reasons": list(row.reasons),
                 "amount": format_plain(row.amount) if row.amount is not None else None},
                fingerprint=(row.source, str(row.row), REJECTED_RULE)))

    invocation: dict = {"executionSuccessful": True, "exitCode": 1 if gate.fails() else 0}
    notifications = [{
        "descriptor": {"id": f"waiver.{kind}"}, "level": "warning", "message": {"text": text},
        "locations": [_location(waiver.source, waiver.line, waiver.waiver.describe(), None)],
        "properties": {"reference": waiver.waiver.reference,
                       "expires": waiver.waiver.expires.isoformat()},
    } for kind, waiver, text in waiver_problems(gate)]
    if notifications:
        invocation["toolConfigurationNotifications"] = notifications
    run: dict = {
        "tool": {"driver": {"name": "ringfence", "version": __version__,
                            "semanticVersion": __version__, "rules": rules.descriptors()}},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().resolve().as_uri() + "/"}},
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {"fail_on": gate.fail_on, "fails": gate.fails(),
                       "status": result.status},
    }
    if result.council:
        run["properties"]["council"] = result.council
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


class _Rules:
    """Rule descriptors in first-seen order; a rule id shared by packs is described once."""

    def __init__(self) -> None:
        self._rules: dict[str, dict] = {}

    def add(self, rule_id: str, title: str, status: str, pack: str | None, clause: str) -> None:
        entry = self._rules.setdefault(rule_id, {"title": title, "status": status,
                                                 "clauses": {}})
        if status == "non_compliant":  # amended packs may raise a rule's status
            entry["status"] = status
        entry["clauses"].setdefault(pack or "*", clause)

    def index(self, rule_id: str) -> int:
        return list(self._rules).index(rule_id)

    def descriptors(self) -> list[dict]:
        out = []
        for rule_id, entry in self._rules.items():
            clauses = entry["clauses"]
            if list(clauses) == ["*"]:
                help_text = f"Clause: {clauses['*']}"
            else:
                help_text = "Clause: " + "; ".join(f"{pack}: {clause}"
                                                   for pack, clause in clauses.items())
            out.append({
                "id": rule_id,
                "shortDescription": {"text": entry["title"]},
                "fullDescription": {"text": f"{entry['title']}. {help_text}"},
                "help": {"text": help_text},
                "defaultConfiguration": {"level": LEVEL[entry["status"]]},
                "properties": {"status": entry["status"], "clause": "; ".join(clauses.values()),
                               "clauses": clauses, "tags": ["ringfence", entry["status"]]},
            })
        return out


def _location(source: str | None, row: int | None, name: str, grant: str | None) -> dict:
    location: dict = {}
    if source:
        physical: dict = {"artifactLocation": _artifact(source)}
        if row and row >= 1:
            physical["region"] = {"startLine": row}
        location["physicalLocation"] = physical
    location["logicalLocations"] = [{"name": name, "fullyQualifiedName":
                                     f"{grant}/{name}" if grant else name}]
    return location


def _artifact(source: str) -> dict:
    shown = shown_path(source)
    if Path(shown).is_absolute():
        return {"uri": Path(shown).as_uri()}
    return {"uri": quote(shown), "uriBaseId": SRCROOT}


def _result(rules: _Rules, rule_id: str, status: str, message: str, location: dict, state,
            gate, properties: dict, fingerprint: tuple[str, ...]) -> dict:
    out: dict = {
        "ruleId": rule_id,
        "ruleIndex": rules.index(rule_id),
        "level": LEVEL[status],
        "message": {"text": message},
        "locations": [location],
        # Stable across runs, so code scanning tracks one finding as one alert.
        "partialFingerprints": {"ringfenceFinding/v1": hashlib.sha256(
            "\x1f".join(fingerprint).encode()).hexdigest()[:32]},
        "properties": {k: v for k, v in properties.items() if v is not None},
    }
    if state is not None:
        if state.waiver is not None:
            waiver = state.waiver.waiver
            out["suppressions"] = [{
                "kind": "external", "status": "accepted", "justification": waiver.reason,
                "properties": {"approved_by": waiver.approved_by,
                               "reference": waiver.reference,
                               "expires": waiver.expires.isoformat(),
                               "waivers_file": shown_path(state.waiver.source),
                               "waivers_line": state.waiver.line}}]
        if state.baseline is not None:
            out["baselineState"] = state.baseline
        note = exemption_note(state)
        if note:
            out["properties"]["gate"] = note
        out["properties"]["counts"] = gate.counts(status, state)
    return out

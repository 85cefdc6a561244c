"""Markdown report (GitHub-flavoured): summary, ringfences, lines with findings."""

from __future__ import annotations

import re

from .advice import advice_text
from ..checks import totals
from ..core.status import LABELS
from ..core.money import format_gbp
from ..checks.result import CheckResult
from .gate_report import finding_note, summary_lines
from .evidence import evidence_rows

LABEL = {"compliant": LABELS["compliant"], "at_risk": f"⚠️ {LABELS['at_risk']}",
         "non_compliant": f"❌ {LABELS['non_compliant']}", "total": "**total**"}
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def esc(text) -> str:
    """Input text as inert Markdown: metacharacters escaped, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split())) if text is not None else ""


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out + [""]


def render(result: CheckResult) -> str:
    lines = list(result.lines())
    out = [f"# ringfence check{': ' + esc(result.council) if result.council else ''}", "",
           f"Overall: **{LABEL[result.status]}**", "", "## Totals by status", ""]
    out += _table(["status", "lines", "amount"],
                  [[LABEL[s], str(b.lines), format_gbp(b.amount)]
                   for s, b in result.summary.items()])
    if result.outside is not None:
        out += [f"{result.outside.lines} lines ({format_gbp(result.outside.amount)}) are out "
                "of scope: the column map gives them no grant, so they are not in the total "
                "and are checked against no award (see the JSON report's `out_of_scope`).", ""]
    if result.rejected:
        out += [f"{len(result.rejected)} rows could not be read and were left out "
                "(see the JSON report's `rejected`).", ""]
    out += ["## Ringfence checks", ""]
    out += _table(["grant", "check", "allocated", "spent", "status", "message"],
                  [[esc(c.grant), esc(c.purpose or c.check), format_gbp(c.allocated),
                    format_gbp(c.spent), LABEL[c.status], esc(c.message)]
                   for c in result.ringfences])
    out += ["## Totals by grant and purpose", ""]
    out += _table(["grant", "purpose", "compliant", "at risk", "non-compliant"],
                  [[esc(g), esc(p), *(format_gbp(a[s]) for s in
                                       ("compliant", "at_risk", "non_compliant"))]
                   for (g, p), a in totals.by_purpose(result, lines).items()])
    cases = result.case_list()
    if cases:
        out += [f"## Cross-line cases ({len(cases)})", ""]
        out += _table(["case", "kind", "strength", "status", "amount", "lines", "reason"],
                      [[esc(c["id"]), esc(c["kind"]), esc(c["strength"]), LABEL.get(
                          c["status"], c["status"]), format_gbp(c["amount"]),
                        str(len(c["lines"])), esc(c["reason"])] for c in cases])
    flagged = [line for line in lines if line.findings]
    out += [f"## Lines with findings ({len(flagged)} of {len(lines)})", ""]
    rows = []
    version = result.versioned  # the version each line was checked against, if amended
    for line in flagged:
        for finding in line.findings:
            rows.append([esc(line.line_id), esc(f"{line.source}:{line.row}"),
                         *([esc(line.pack_version or "-")] if version else []),
                         format_gbp(line.values["amount"]), LABEL[finding.status],
                         f"`{finding.rule}`", esc(_noted(finding.message,
                                                         finding_note(result, line, finding))),
                         esc(finding.clause)])
    out += _table(["line", "where", *(["version"] if version else []), "amount", "status",
                   "rule", "finding", "clause"], rows)
    advised = [line for line in lines if line.advice is not None]
    if advised:
        out += ["## Funding advice", "", "Other grants whose packs would take a line its own "
                "grant refuses.", ""]
        out += [f"- **{esc(line.line_id)}** ({format_gbp(line.values['amount'])}, "
                f"{LABEL[line.status]}): {esc(advice_text(line.advice))}" for line in advised]
        out.append("")
    gate = summary_lines(result)
    if gate:
        out += ["## Gate", "", *(f"- {esc(text.strip())}" for text in gate), ""]
    if result.evidence:
        out += ["## Evidence", ""]
        out += _table(["what", "file or value", "sha256"],
                      [[esc(what), esc(detail), f"`{digest}`" if digest else ""]
                       for what, detail, digest in evidence_rows(result.evidence)])
        out += ["```json", _evidence_json(result), "```", ""]
    return "\n".join(out)


def _noted(message: str, note: str | None) -> str:
    return f"{message} ({note})" if note else message


def _evidence_json(result: CheckResult) -> str:
    import json

    return json.dumps(result.evidence, indent=2, ensure_ascii=False).replace("```", "` ` `")


def write(result, stream, context) -> None:
    stream.write(render(result))

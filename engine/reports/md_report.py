"""Markdown report (GitHub-flavoured): summary, ringfences, lines with findings."""

from __future__ import annotations

import re

from ..checks import totals
from ..core.money import format_gbp
from ..checks.result import CheckResult
from .gate_report import finding_note, summary_lines
from .evidence import evidence_rows

LABEL = {"compliant": "compliant", "at_risk": "⚠️ at risk", "non_compliant": "❌ non-compliant",
         "total": "**total**"}
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def esc(text) -> str:
    """Input text as inert Markdown: metacharacters escaped, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split())) if text is not None else ""


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out + [""]


def render(result: CheckResult) -> str:
    out = [f"# ringfence check{': ' + esc(result.council) if result.council else ''}", "",
           f"Overall: **{LABEL[result.status]}**", "", "## Totals by status", ""]
    out += _table(["status", "lines", "amount"],
                  [[LABEL[s], str(b.lines), format_gbp(b.amount)] for s, b in result.summary.items()])
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
                   for (g, p), a in totals.by_purpose(result).items()])
    # Only lines with findings are listed, a slice at a time: the others are never made
    # Python objects, and a slice's are let go once its rows are text.
    flagged = 0
    rows = []
    version = result.versioned  # the version each line was checked against, if amended
    for batch in result.batches():
        for line in batch.found.values():
            flagged += bool(line.findings)
            for finding in line.findings:
                rows.append([esc(line.line_id), esc(f"{line.source}:{line.row}"),
                             *([esc(line.pack_version or "-")] if version else []),
                             format_gbp(line.values["amount"]), LABEL[finding.status],
                             f"`{finding.rule}`", esc(_noted(finding.message,
                                                             finding_note(result, line, finding))),
                             esc(finding.clause)])
    out += [f"## Lines with findings ({flagged} of {result.table.height})", ""]
    out += _table(["line", "where", *(["version"] if version else []), "amount", "status",
                   "rule", "finding", "clause"], rows)
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

"""Markdown report (GitHub-flavoured): summary, ringfences, lines with findings."""

from __future__ import annotations

import re
from collections.abc import Iterator

import polars as pl

from ..checks import totals
from ..checks.message_columns import gbp
from ..checks.result import CheckResult
from ..core.money import format_gbp
from ..core.status import LABELS
from ..models.table import PACK_VERSION, ROW, SEQ, SOURCE, STATUS
from .advice import advice_text, advice_texts
from .evidence import evidence_rows
from .gate_report import active_gate, finding_note, summary_lines
from .json_report import finding_pieces
from .text_out import joined, put

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
    return joined(_pieces(result))


def write(result, stream, context) -> None:
    for piece in _pieces(result):  # the long parts a column at a time: never one string
        put(stream, piece)


def _pieces(result: CheckResult) -> Iterator[str | pl.Series]:
    """The report as texts and columns of texts (a line of the report each, with its
    line end), written one after another (text_out.put)."""
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
                   for (g, p), a in totals.by_purpose(result).items()])
    cases = result.case_list()
    if cases:
        out += [f"## Cross-line cases ({len(cases)})", ""]
        out += _table(["case", "kind", "strength", "status", "amount", "lines", "reason"],
                      [[esc(c["id"]), esc(c["kind"]), esc(c["strength"]), LABEL.get(
                          c["status"], c["status"]), format_gbp(c["amount"]),
                        str(len(c["lines"])), esc(c["reason"])] for c in cases])
    version = result.versioned  # the version each line was checked against, if amended
    flagged, rows = _finding_rows(result, version)
    out += [f"## Lines with findings ({flagged} of {result.table.height})", ""]
    out += _table(["line", "where", *(["version"] if version else []), "amount", "status",
                   "rule", "finding", "clause"], [])[:-1]
    yield "\n".join(out) + "\n"
    yield rows + "\n"
    out = [""]
    if result.advice:
        out += ["## Funding advice", "", "Other grants whose packs would take a line its own "
                "grant refuses.", ""]
        yield "\n".join(out) + "\n"
        yield _advice_items(result) + "\n"
        out = [""]
    gate = summary_lines(result)
    if gate:
        out += ["## Gate", "", *(f"- {esc(text.strip())}" for text in gate), ""]
    if result.evidence:
        out += ["## Evidence", ""]
        out += _table(["what", "file or value", "sha256"],
                      [[esc(what), esc(detail), f"`{digest}`" if digest else ""]
                       for what, detail, digest in evidence_rows(result.evidence)])
        out += ["```json", _evidence_json(result), "```", ""]
    yield "\n".join(out)


#: What str.split() splits on (tests/reports/test_report_batches.py checks it is every such
#: character), written for polars' regular expressions.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_RUNS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]+"


def esc_column(text: pl.Expr) -> pl.Expr:
    """esc() on a whole column."""
    return (text.str.replace_all(_RUNS, " ").str.strip_chars(" ")
            .str.replace_all(_SPECIAL.pattern, "\\$1").fill_null(""))


def _finding_rows(result: CheckResult, version: bool) -> tuple[int, pl.Series]:
    """(how many lines have findings, a table row for each of their findings)."""
    if active_gate(result) is not None:  # the gate's notes come with each LineResult
        flagged, rows = 0, []
        for batch in result.batches():
            for line in batch.found.values():
                flagged += bool(line.findings)
                for finding in line.findings:
                    rows.append([esc(line.line_id), esc(f"{line.source}:{line.row}"),
                                 *([esc(line.pack_version or "-")] if version else []),
                                 format_gbp(line.values["amount"]), LABEL[finding.status],
                                 f"`{finding.rule}`",
                                 esc(_noted(finding.message, finding_note(result, line, finding))),
                                 esc(finding.clause)])
        return flagged, pl.Series(_table([], rows)[2:-1], dtype=pl.Utf8)
    # Without one, every finding is rendered on whole columns, lines with none never read.
    lines = result.versioned_table()[result.flagged()]
    pieces = finding_pieces(lines, result, lambda rule, status, clause: (
        f" | {LABEL[status]} | `{rule}` | ", f" | {esc(clause)} |"), esc_column)
    cells = [esc_column(pl.col("line_id")),
             esc_column(pl.concat_str([pl.col(SOURCE), pl.col(ROW)], separator=":")),
             *([esc_column(pl.col(PACK_VERSION))] if version else []), gbp(pl.col("amount"))]
    heads = lines.select(pl.lit("| ") + pl.concat_str(cells, separator=" | "))[:, 0]
    pieces = pieces.sort("_line", "_order")
    texts = pieces.select(heads.gather(pieces["_line"]) + pl.col("_text"))[:, 0]
    return pieces["_line"].n_unique(), texts


def _advice_items(result: CheckResult) -> pl.Series:
    """An item per advised line, in table order, written on whole columns."""
    table = result.table
    advice = advice_texts(result.advice, table[SEQ], advice_text)
    advised = table.select("line_id", "amount", STATUS).with_columns(
        advice.alias("_advice")).filter(pl.col("_advice").is_not_null())
    return advised.select(pl.concat_str([
        pl.lit("- **"), esc_column(pl.col("line_id")), pl.lit("** ("), gbp(pl.col("amount")),
        pl.lit(", "), pl.col(STATUS).replace_strict(list(LABEL), list(LABEL.values())),
        pl.lit("): "), esc_column(pl.col("_advice"))]))[:, 0]


def _noted(message: str, note: str | None) -> str:
    return f"{message} ({note})" if note else message


def _evidence_json(result: CheckResult) -> str:
    import json

    return json.dumps(result.evidence, indent=2, ensure_ascii=False).replace("```", "` ` `")

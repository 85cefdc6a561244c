"""Excel report: lines, summary, ringfences and evidence sheets.

Written in write-only mode; every text cell is a plain string, so nothing
from the input can become a formula. Control characters, which a workbook
cannot hold, show as U+FFFD; text beyond Excel's 32,767 characters a cell is
cut with an ellipsis.
"""

from __future__ import annotations

import json
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..core.money import to_decimal
from ..checks.result import CheckResult
from .flat import flat_frame

EXCEL_CELL_LIMIT = 32767
def _text(value: str) -> str:
    """What a cell can hold: XML has no control characters, and Excel no more than
    32,767 characters in a cell (the CSV and JSON reports keep the full text)."""
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value if len(value) <= EXCEL_CELL_LIMIT else value[:EXCEL_CELL_LIMIT - 1] + "…"


def _cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_text(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = "#,##0.00"
    return cell


def write(result: CheckResult, stream, context) -> None:
    # The file is opened first: a path that cannot be written fails before any row is built.
    with open(context.output, "wb") as file:
        _book(result).save(file)


def _book(result: CheckResult) -> Workbook:
    book = Workbook(write_only=True)
    frame = flat_frame(result)
    lines = book.create_sheet("lines")
    lines.append([_cell(lines, name) for name in frame.columns])
    for row in frame.iter_rows(named=True):
        lines.append([_cell(lines, value) for value in row.values()])
    summary = book.create_sheet("summary")
    summary.append(["status", "lines", "amount"])
    for status, bucket in result.summary.items():
        summary.append([_cell(summary, status), bucket.lines,
                        _cell(summary, to_decimal(bucket.amount))])
    if result.outside is not None:
        summary.append(["out_of_scope", result.outside.lines, to_decimal(result.outside.amount)])
    rings = book.create_sheet("ringfences")
    rings.append(["grant", "check", "purpose", "allocated", "spent", "status", "message", "clause"])
    for c in result.ringfences:
        rings.append([_cell(rings, v) for v in (c.grant, c.check, c.purpose or "",
                                                to_decimal(c.allocated), to_decimal(c.spent),
                                                c.status, c.message, c.clause)])
    cases = result.case_list()
    if cases:
        sheet = book.create_sheet("cases")
        sheet.append(["case", "kind", "strength", "status", "amount", "lines", "reason"])
        for c in cases:
            sheet.append([_cell(sheet, v) for v in (
                c["id"], c["kind"], c["strength"], c["status"], to_decimal(c["amount"]),
                ", ".join(f"{line['line_id']} ({line['source']}:{line['row']})"
                          for line in c["lines"]), c["reason"])])
    if result.rejected:
        rejected = book.create_sheet("rejected")
        rejected.append(["source", "row", "reasons", "raw"])
        for r in result.rejected:
            rejected.append([_cell(rejected, r.source), r.row,
                             _cell(rejected, "; ".join(r.reasons)),
                             _cell(rejected, json.dumps(r.raw, ensure_ascii=False))])
    evidence = book.create_sheet("evidence")
    evidence.append(["evidence (JSON)"])
    evidence.append([_cell(evidence, json.dumps(result.evidence, indent=2, ensure_ascii=False))])
    return book

"""Excel report (`--format xlsx`): a workbook a commissioner can take to Cabinet.

- Summary: totals by status, spend against plan per purpose with the pack's
  tolerance, and every ringfence check;
- Lines: one row per line (and per rejected row), statuses coloured, findings
  and funding advice, frozen header, filters, £ number formats;
- Findings: one row per finding, with its clause;
- Evidence: what the result was computed from, with digests.

Why XlsxWriter: it writes the workbook's structure (styles, conditional
formats, filters, frozen panes, print setup) in constant memory, and is
maintained. The two sheets that grow with the input, Lines and Findings, hold
rows built as columns of XML by polars, a few thousand rows at a time, and
compressed into the sheets' empty bodies as they are made: XlsxWriter takes
~10 µs a cell, 18 s for 100,000 lines, where the CSV report takes about one.

Every text cell is an inline string (never a formula, whatever it starts
with). Characters XML 1.0 cannot carry (C0 controls, U+FFFE, U+FFFF) show as
U+FFFD; text beyond Excel's 32,767 characters a cell is cut with an ellipsis;
the CSV and JSON reports keep the full text.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..checks.advice import advised_totals
from ..checks.result import CheckResult
from ..core.errors import InputError
from ..core.money import to_decimal
from ..models.table import ROW, SOURCE, STATUS
from ..pipeline import threads
from .ci_common import LEVEL_LABEL
from .evidence import evidence_rows
from .flat import ADVICE, FINDINGS, flat_frame, pounds
from .json_report import finding_rows

EXCEL_CELL_LIMIT = 32767
EXCEL_ROWS = 1_048_576
#: XML 1.0 has no C0 controls but tab, newline and carriage return, and no U+FFFE/U+FFFF.
_NOT_XML = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # the same, for re
#: Excel reads _xHHHH_ in a string as an escaped character: its own underscore is escaped.
_EXCEL_ESCAPE = r"_(x[0-9A-Fa-f]{4}_)"
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (after its 1900 leap-year bug)
#: Written as values, not text (as is any decimal).
_VALUES = (pl.Int64, pl.Int32, pl.Float64, pl.Date, pl.Boolean)
#: Rows of XML made and compressed at a time (about 4 MB): what polars frees is kept by
#: its allocator for a while, so larger chunks raise the peak, and are no faster.
_CHUNK = 5_000

FILLS = {"compliant": "#C6EFCE", "at_risk": "#FFEB9C", "non_compliant": "#FFC7CE",
         "rejected": "#D9D9D9", "out_of_scope": "#F2F2F2"}
FONTS = {"compliant": "#006100", "at_risk": "#9C5700", "non_compliant": "#9C0006",
         "rejected": "#404040", "out_of_scope": "#595959"}
WIDTHS = {"source": 24, "row": 7, "line_id": 10, "status": 14, "amount": 14,
          "compliant_amount": 14, "at_risk_amount": 14, "non_compliant_amount": 14,
          FINDINGS: 60, ADVICE: 50, "date": 11, "grant": 27, "purpose": 18, "cost_type": 10,
          "category": 20, "supplier": 24, "reference": 12, "description": 40,
          "existing_service": 9, "rule": 30, "clause": 50, "message": 60}
WRAPPED = {FINDINGS, ADVICE, "description", "message", "clause"}
LINE_HEIGHT, MAX_LINES = 15, 20  # points a line of wrapped text; lines a row grows to


def write(result: CheckResult, stream, context) -> None:
    _fits("lines", result.table.height + len(result.rejected))
    # The file is opened first: a path that cannot be written fails before any row is built.
    with open(context.output, "wb") as file:
        try:
            _write_book(result, file)
        except InputError:
            file.close()
            os.remove(context.output)
            raise


def _fits(what: str, rows: int) -> None:
    """Cut short, a sheet would drop rows without a word; Excel opens no more than this."""
    if rows > EXCEL_ROWS - 1:
        raise InputError(f"{rows:,} {what} do not fit in a worksheet (Excel holds "
                         f"{EXCEL_ROWS - 1:,} rows under the header): use --format csv",
                         field="--format xlsx")


def _write_book(result: CheckResult, file) -> None:
    with threads.pool(1) as pool:
        # The lines' frame, and what its text needs escaped, are made in a thread while
        # this one gathers the findings and writes the Summary sheet (polars releases
        # the GIL; XlsxWriter is Python).
        made = pool.submit(_lines_frame, result)
        findings = _findings_frame(result)
        _fits("findings", findings.height)
        shell = io.BytesIO()
        book = xlsxwriter.Workbook(shell, {"in_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False,
                                           "strings_to_urls": False})
        styles = _Styles(book)
        _summary_sheet(book, styles, result)
        lines, line_texts = made.result()
    # The rows are made while their sheet is written into the zip (_fill_bodies): all of
    # the Lines sheet's XML at once is ten times the size of its frame.
    line_xml = _table_sheet(book, styles, "Lines", lines, line_texts)
    finding_xml = _table_sheet(book, styles, "Findings", findings, _texts(findings))
    bodies = {"xl/worksheets/sheet2.xml": (line_xml, lines),
              "xl/worksheets/sheet3.xml": (finding_xml, findings)}
    _cases_sheet(book, styles, result)
    _evidence_sheet(book, styles, result)
    book.close()
    _fill_bodies(shell, bodies, file)


def _lines_frame(result: CheckResult) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    lines = flat_frame(result)
    return lines, _texts(lines)


class _Styles:
    def __init__(self, book):
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.heading = book.add_format({"bold": True, "font_size": 12})
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                       "text_wrap": True, "valign": "top"})
        self.money = book.add_format({"num_format": "£#,##0.00;-£#,##0.00", "valign": "top"})
        self.percent = book.add_format({"num_format": "0%", "valign": "top"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.top = book.add_format({"valign": "top"})
        self.status = {s: book.add_format({"bg_color": FILLS[s], "font_color": FONTS[s],
                                           "valign": "top"}) for s in FILLS}
        self.bold_money = book.add_format({"num_format": "£#,##0.00;-£#,##0.00", "bold": True})


def _money(pence: int) -> float:
    # Whole pence in pounds: exact to the penny at any amount a ledger holds (< 2^53 pence).
    return float(to_decimal(pence))


def _summary_sheet(book, styles: _Styles, result: CheckResult) -> None:
    sheet = book.add_worksheet("Summary")
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_paper(9)  # A4
    for column, width in enumerate(SUMMARY_WIDTHS):
        sheet.set_column(column, column, width)
    title = "ringfence check" + (f": {result.council}" if result.council else "")
    sheet.write_string(0, 0, _cell_text(title), styles.title)
    overall = result.status
    sheet.write_string(1, 0, "Overall")
    sheet.write_string(1, 1, LEVEL_LABEL[overall], styles.status[overall])
    row = 3
    sheet.write_string(row, 0, "Totals by status", styles.heading)
    row += 1
    for column, name in enumerate(("status", "lines", "amount")):
        sheet.write_string(row, column, name, styles.header)
    for status, bucket in result.summary.items():
        row += 1
        style = styles.status.get(status)
        sheet.write_string(row, 0, LEVEL_LABEL.get(status, status), style)
        sheet.write_number(row, 1, bucket.lines)
        sheet.write_number(row, 2, _money(bucket.amount),
                           styles.bold_money if status == "total" else styles.money)
    if result.rejected:
        row += 1
        sheet.write_string(row, 0, "rows not read (rejected)", styles.status["rejected"])
        sheet.write_number(row, 1, len(result.rejected))
        sheet.write_number(row, 2, _money(sum(r.amount or 0 for r in result.rejected)),
                           styles.money)
    if result.outside is not None:
        row += 1
        sheet.write_string(row, 0, "out of scope (no grant)", styles.status["out_of_scope"])
        sheet.write_number(row, 1, result.outside.lines)
        sheet.write_number(row, 2, _money(result.outside.amount), styles.money)

    plans = [c for c in result.ringfences if c.check == "purpose"]
    if plans:
        row += 2
        sheet.write_string(row, 0, "Spend against plan", styles.heading)
        row += 1
        for column, name in enumerate(("grant", "purpose", "planned", "spent", "difference",
                                       "tolerance", "status", "finding")):
            sheet.write_string(row, column, name, styles.header)
        for check in plans:
            row += 1
            tolerance = result.packs[check.grant].loaded.pack.ringfence.tolerance
            sheet.write_string(row, 0, check.grant, styles.top)
            sheet.write_string(row, 1, check.purpose or "", styles.top)
            sheet.write_number(row, 2, _money(check.allocated), styles.money)
            sheet.write_number(row, 3, _money(check.spent), styles.money)
            sheet.write_number(row, 4, _money(check.spent - check.allocated), styles.money)
            sheet.write_number(row, 5, float(tolerance), styles.percent)
            sheet.write_string(row, 6, LEVEL_LABEL[check.status], styles.status[check.status])
            sheet.write_string(row, 7, _cell_text(check.message), styles.wrap)
            _fit_row(sheet, row, {7: check.message})

    advised = advised_totals(result.table, result.advice)
    if advised:
        row += 2
        sheet.write_string(row, 0, "Funding advice: other grants that would take refused lines",
                           styles.heading)
        row += 1
        for column, name in enumerate(("grant", "determination", "lines", "amount",
                                       "council's award", "left")):
            sheet.write_string(row, column, name, styles.header)
        for total in advised:
            row += 1
            sheet.write_string(row, 0, total.grant)
            sheet.write_string(row, 1, total.determination)
            sheet.write_number(row, 2, total.lines)
            sheet.write_number(row, 3, _money(total.amount), styles.money)
            sheet.write_string(row, 4, "awarded" if total.awarded else "none")
            if total.left is not None:
                sheet.write_number(row, 5, _money(total.left), styles.money)

    row += 2
    sheet.write_string(row, 0, "Ringfence checks", styles.heading)
    row += 1
    for column, name in enumerate(("grant", "check", "purpose", "allocated", "spent",
                                   "unspent", "status", "finding", "clause")):
        sheet.write_string(row, column, name, styles.header)
    for check in result.ringfences:
        row += 1
        sheet.write_string(row, 0, check.grant, styles.top)
        sheet.write_string(row, 1, check.check, styles.top)
        sheet.write_string(row, 2, check.purpose or "", styles.top)
        sheet.write_number(row, 3, _money(check.allocated), styles.money)
        sheet.write_number(row, 4, _money(check.spent), styles.money)
        sheet.write_number(row, 5, _money(check.allocated - check.spent), styles.money)
        sheet.write_string(row, 6, LEVEL_LABEL[check.status], styles.status[check.status])
        sheet.write_string(row, 7, _cell_text(check.message), styles.wrap)
        sheet.write_string(row, 8, _cell_text(check.clause), styles.wrap)
        _fit_row(sheet, row, {7: check.message, 8: check.clause})


SUMMARY_WIDTHS = (28, 20, 16, 16, 16, 16, 16, 60, 50)


def _fit_row(sheet, row: int, texts: dict[int, str]) -> None:
    """A Summary row as tall as its longest wrapped text (see _row_chunks)."""
    lines = max(_text_lines(len(text), SUMMARY_WIDTHS[column]) for column, text in texts.items())
    if lines > 1:
        sheet.set_row(row, lines * LINE_HEIGHT)


def _cases_sheet(book, styles: _Styles, result: CheckResult) -> None:
    """The cross-line suspects (duplicates, splits), ranked: one row a case."""
    cases = result.case_list()
    if not cases:
        return
    sheet = book.add_worksheet("Cases")
    for column, (name, width) in enumerate((("case", 8), ("kind", 10), ("strength", 10),
                                            ("status", 14), ("amount", 14), ("lines", 50),
                                            ("reason", 70))):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, name, styles.header)
    sheet.freeze_panes(1, 0)
    for row, case in enumerate(cases, start=1):
        sheet.write_string(row, 0, case["id"], styles.top)
        sheet.write_string(row, 1, case["kind"], styles.top)
        sheet.write_string(row, 2, case["strength"], styles.top)
        sheet.write_string(row, 3, LEVEL_LABEL.get(case["status"], case["status"]),
                           styles.status.get(case["status"], styles.top))
        sheet.write_number(row, 4, _money(case["amount"]), styles.money)
        sheet.write_string(row, 5, _cell_text(", ".join(
            f"{line['line_id']} ({line['source']}:{line['row']})" for line in case["lines"])),
            styles.wrap)
        sheet.write_string(row, 6, _cell_text(case["reason"]), styles.wrap)


def _evidence_sheet(book, styles: _Styles, result: CheckResult) -> None:
    sheet = book.add_worksheet("Evidence")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 70, styles.wrap)
    sheet.set_column(2, 2, 66)
    for column, name in enumerate(("what", "file or value", "sha256")):
        sheet.write_string(0, column, name, styles.header)
    row = 0
    for what, detail, digest in evidence_rows(result.evidence):
        row += 1
        sheet.write_string(row, 0, _cell_text(what), styles.top)
        sheet.write_string(row, 1, _cell_text(detail), styles.wrap)
        sheet.write_string(row, 2, digest, styles.top)
    row += 2
    sheet.write_string(row, 0, "evidence (JSON)", styles.heading)
    sheet.write_string(row + 1, 0, _cell_text(json.dumps(result.evidence, indent=2,
                                                         ensure_ascii=False)), styles.wrap)


def _cell_text(value: str) -> str:
    """What one cell written by XlsxWriter can hold (see the module's docstring): as _clean,
    in Python, as a cell or two is far less than a polars query, which waits its turn
    while the Lines sheet is built beside it."""
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[:EXCEL_CELL_LIMIT - 1] + "…"
    return _NOT_XML_TEXT.sub("\ufffd", value)


def _clean(column: pl.Expr) -> pl.Expr:
    cut = pl.when(column.str.len_chars() > EXCEL_CELL_LIMIT).then(
        column.str.slice(0, EXCEL_CELL_LIMIT - 1) + pl.lit("…")).otherwise(column)
    return cut.str.replace_all(_NOT_XML, "\ufffd")


def _findings_frame(result: CheckResult) -> pl.DataFrame:
    """One row per finding of the lines not compliant, in their order and each line's
    findings in its LineResult's: rendered on whole columns (json_report.finding_rows),
    never a LineResult a line."""
    text = pl.Utf8()
    schema = pl.Schema({"line_id": text, "source": text, "row": pl.Int64(),
                        "amount": pl.Decimal(38, 2), "status": text, "rule": text,
                        "message": text, "clause": text})
    lines = result.versioned_table().filter(pl.col(STATUS) != "compliant")
    found, heads = finding_rows(lines, result)
    if not found.height:
        return pl.DataFrame(schema=schema)
    found = found.sort("_line", "_order").join(pl.DataFrame(
        [(number, *head) for number, head in enumerate(heads)],
        schema={"_head": pl.Int64, "rule": pl.Utf8, "status": pl.Utf8, "clause": pl.Utf8},
        orient="row"), on="_head", how="left", maintain_order="left")
    return pl.concat([
        lines.select("line_id", pl.col(SOURCE).alias("source"), pl.col(ROW).alias("row"),
                     pounds(pl.col("amount")).alias("amount"))[found["_line"]],
        found.select("status", "rule", pl.col("_message").alias("message"), "clause")],
        how="horizontal").cast(schema)


def _table_sheet(book, styles: _Styles, name: str, frame: pl.DataFrame,
                 texts: dict[str, pl.Expr]) -> Iterator[bytes]:
    """The sheet's header, formats, filter and print setup; its rows, as XML, to come."""
    sheet = book.add_worksheet(name)
    last = len(frame.columns) - 1
    formats = []
    for index, (column, dtype) in enumerate(frame.schema.items()):
        style = (styles.money if isinstance(dtype, pl.Decimal) else
                 styles.date if dtype == pl.Date else
                 styles.wrap if column in WRAPPED else styles.top)
        sheet.set_column(index, index, WIDTHS.get(column, 16), style)
        sheet.write_string(0, index, _cell_text(column), styles.header)
        formats.append(style._get_xf_index())
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(frame.height, 1), last)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    if "status" in frame.columns and frame.height:
        at = frame.columns.index("status")
        for status, style in styles.status.items():
            sheet.conditional_format(1, at, frame.height, at, {
                "type": "cell", "criteria": "==", "value": f'"{status}"', "format": style})
    return _row_chunks(frame, formats, texts)


def _row_chunks(frame: pl.DataFrame, formats: list[int], texts: dict[str, pl.Expr]):
    """The frame's rows as worksheet XML (`<row>` elements from row 2), in chunks of bytes
    (polars writes them: no Python string is made per row); `texts`: see _texts."""
    cells = [_cell_xml(name, dtype, style, texts)
             for (name, dtype), style in zip(frame.schema.items(), formats)]
    # A workbook stores row heights; neither Excel nor LibreOffice grows a row for its
    # wrapped text when opening it, so each row is as tall as its longest wrapped text.
    wrapped = [_text_lines(pl.col(name).str.len_chars().fill_null(0), WIDTHS[name])
               for name in frame.columns if name in WRAPPED and frame.schema[name] == pl.Utf8]
    tall = pl.max_horizontal(wrapped) if wrapped else pl.lit(1)
    for start in range(0, frame.height, _CHUNK):
        part = frame.slice(start, _CHUNK)
        height = pl.when(tall > 1).then(pl.format(' ht="{}" customHeight="1"', tall * LINE_HEIGHT))
        rows = part.select(pl.concat_str([
            pl.lit('<row r="'), (pl.int_range(pl.len()) + start + 2).cast(pl.Utf8),
            pl.lit('"'), height.otherwise(pl.lit("")), pl.lit(">"), *cells, pl.lit("</row>")]))
        out = io.BytesIO()
        rows.write_csv(out, include_header=False, quote_style="never", line_terminator="")
        yield out.getvalue()


def _text_lines(length, width: int):
    """How many lines `length` characters take when wrapped in a column `width` wide, at
    most MAX_LINES; of an int or of an expression."""
    per_line = width - 2
    lines = (length + per_line - 1) // per_line
    if isinstance(lines, int):
        return min(max(lines, 1), MAX_LINES)
    return lines.clip(1, MAX_LINES)


def _cell_xml(name: str, dtype: pl.DataType, style: int, texts: dict[str, pl.Expr]) -> pl.Expr:
    """One cell's XML per row; an empty `<c/>` for a null or empty text (cells carry no
    reference, so each takes the next column and none may be left out)."""
    column = pl.col(name)
    s = f' s="{style}"' if style else ""
    if name in texts:
        text = texts[name]
        xml = pl.when(text == "").then(None).otherwise(
            pl.lit(f'<c t="inlineStr"{s}><is><t>') + text + pl.lit("</t></is></c>"))
    elif dtype == pl.Date:
        days = (column - pl.lit(_EPOCH)).dt.total_days().cast(pl.Utf8)
        xml = pl.lit(f"<c{s}><v>") + days + pl.lit("</v></c>")
    elif dtype == pl.Boolean:
        xml = pl.lit(f'<c t="b"{s}><v>') + column.cast(pl.Int8).cast(pl.Utf8) + pl.lit("</v></c>")
    else:
        xml = pl.lit(f"<c{s}><v>") + column.cast(pl.Utf8) + pl.lit("</v></c>")
    return xml.fill_null(pl.lit("<c/>"))


def _texts(frame: pl.DataFrame) -> dict[str, pl.Expr]:
    """Each column written as text (all but numbers, dates and booleans), as XML text. Most
    columns need no change: each step is applied only to a column that has some cell it
    changes (found in one pass over the frame)."""
    names = [name for name, dtype in frame.schema.items()
             if not (isinstance(dtype, pl.Decimal) or dtype in _VALUES)]
    checks = {"long": lambda c: c.str.len_chars() > EXCEL_CELL_LIMIT,
              "bad": lambda c: c.str.contains(_NOT_XML),
              "escape": lambda c: c.str.contains(_EXCEL_ESCAPE),
              "markup": lambda c: c.str.contains("[&<>]")}
    found = frame.select(check(pl.col(name).cast(pl.Utf8)).any().alias(f"{what} {index}")
                         for index, name in enumerate(names)
                         for what, check in checks.items()).row(0, named=True)
    return {name: _escaped(name, {what: found[f"{what} {index}"] for what in checks})
            for index, name in enumerate(names)}


def _escaped(name: str, needs: dict[str, bool]) -> pl.Expr:
    """A text column as XML text, by the steps its cells need (see _texts)."""
    column = pl.col(name).cast(pl.Utf8)
    if needs["long"] or needs["bad"]:
        column = _clean(column)
    if needs["escape"]:
        column = column.str.replace_all(_EXCEL_ESCAPE, "_x005F_$1")
    if needs["markup"] or needs["long"] or needs["bad"]:
        column = (column.str.replace_all("&", "&amp;", literal=True)
                  .str.replace_all("<", "&lt;", literal=True)
                  .str.replace_all(">", "&gt;", literal=True))
    return column


def _fill_bodies(shell: io.BytesIO, bodies: dict[str, tuple[Iterator[bytes], pl.DataFrame]],
                 file) -> None:
    """The workbook XlsxWriter wrote, with each big sheet's rows after its header row."""
    shell.seek(0)
    with zipfile.ZipFile(shell) as source, \
            zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename not in bodies:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            chunks, frame = bodies[info.filename]
            head, tail = data.split(b"</sheetData>", 1)
            extent = f"A1:{xl_col_to_name(len(frame.columns) - 1)}{frame.height + 1}"
            head = re.sub(rb'<dimension ref="[^"]*"/>',
                          f'<dimension ref="{extent}"/>'.encode(), head, count=1)
            with target.open(info.filename, "w", force_zip64=True) as out:
                out.write(head)
                for chunk in _made_ahead(chunks):
                    out.write(chunk)
                out.write(b"</sheetData>")
                out.write(tail)


def _made_ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, each made in a thread while the one before it is compressed: polars
    and zlib both release the GIL, so the two take a core each."""
    with threads.pool(1) as pool:
        coming = pool.submit(next, chunks, None)
        while (chunk := coming.result()) is not None:
            coming = pool.submit(next, chunks, None)
            yield chunk

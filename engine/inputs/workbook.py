"""Proposal workbooks (.xlsx with sheets `Awards` and `Lines`): a proposal as a
commissioner fills it in, read into the same models as a YAML proposal.

`Awards`: one row per award, columns `council`, `grant`, `amount`, then one
column per purpose code holding that purpose's planned amount (empty: no plan).
`Lines`: one row per line, one column per line field. Errors name the sheet,
the row and the column (its letter and its header).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..core.errors import InputError
from ..core.suggest import did_you_mean
from ..core.validation import describe
from ..models.awards import Proposal
from ..models.lines import LINE_FIELDS
from ..models.table import from_lines
from . import InputFile
from .excel_reader import number_text, sheet_names

AWARDS_SHEET, LINES_SHEET = "Awards", "Lines"
AWARD_COLUMNS = ("council", "grant", "amount")
LINE_COLUMNS = tuple(LINE_FIELDS)


def cell_text(value: Any) -> str | None:
    """A cell openpyxl read, as the text a YAML proposal would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return number_text(value) or repr(value)
    return str(value)


def is_proposal_workbook(path: Path) -> bool:
    """An .xlsx with both an `Awards` and a `Lines` sheet; any other .xlsx is a ledger."""
    # (Not a workbook at all: no sheets, and the ledger reader says so, in its words.)
    titles = [name.strip().lower() for name in sheet_names(path)]
    return all(name.lower() in titles for name in (AWARDS_SHEET, LINES_SHEET))


def _sheet_named(book, name: str) -> str | None:
    """The book's sheet called `name`, whatever its case ('awards', 'LINES')."""
    return next((title for title in book.sheetnames
                 if title.strip().lower() == name.lower()), None)


def awards_shown(source: str) -> str:
    """Where the awards read from `source` are, as errors name it: a workbook's sheet."""
    return f"{source} (sheet {AWARDS_SHEET})" if source.lower().endswith(".xlsx") else source


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _value(cell: Any) -> Any:
    """A cell as the YAML loader would give it: text (stripped), or an int for a whole
    number (Excel holds every number as a float, and an id typed as 7 must stay '7')."""
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str):
        # Typed cells often keep a stray space; every field is read stripped anyway.
        return cell.strip() or None
    if isinstance(cell, bool) or cell is None:
        return cell
    if isinstance(cell, (dt.datetime, dt.date)) or isinstance(cell, float):
        return cell_text(cell)
    return cell


def _heading(cell: Any, known: tuple[str, ...]) -> str:
    """A header cell's name; 'Cost type' or 'LINE_ID' is the field it plainly names."""
    text = ("" if cell is None else str(cell)).strip()
    key = "_".join(text.lower().split())
    return key if key in known else text


class _Sheet:
    """One sheet's header and data rows, with where each value came from."""

    def __init__(self, book, formulas, path: Path, name: str, known: tuple[str, ...]):
        found = _sheet_named(book, name)
        assert found is not None  # read_workbook reads only books that have both sheets
        name = found
        self.source = f"{path} (sheet {name})"
        rows = book[name].iter_rows(values_only=True)
        written = formulas[name].iter_rows(values_only=True)
        next(written, None)
        header = next(rows, None) or ()
        names = [_heading(h, known) for h in header]
        while names and not names[-1]:
            names.pop()
        for index, heading in enumerate(names):
            if not heading:
                raise InputError("a column has no name in the header row", source=self.source,
                                 line=1, field=f"column {column_letter(index)}")
            if names.index(heading) != index:
                raise InputError(f"column '{heading}' appears twice in the header row",
                                 source=self.source, line=1,
                                 field=f"{heading} (column {column_letter(index)})")
        self.header = names
        self.rows: list[tuple[int, dict[str, Any]]] = []  # (row number, {header: value})
        for number, (row, cells) in enumerate(zip(rows, written), start=2):
            for index, (value, formula) in enumerate(zip(row, cells)):
                # A workbook written by a program, not saved by Excel, has no value for a
                # formula: read as empty, the value would be lost without a word.
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    raise InputError(
                        f"formula {formula!r} has no computed value: open and save the "
                        "workbook in Excel, or type the value", source=self.source,
                        line=number, field=self.field_at(index))
            values = {names[i]: _value(v) for i, v in enumerate(row[:len(names)])}
            stray = [i for i, v in enumerate(row[len(names):], start=len(names))
                     if _value(v) is not None]
            if stray:
                raise InputError("a value in a column with no header", source=self.source,
                                 line=number, field=f"column {column_letter(stray[0])}")
            values = {k: v for k, v in values.items() if v is not None}
            if values:
                self.rows.append((number, values))

    def field_at(self, index: int) -> str:
        if index < len(self.header):
            return self.field(self.header[index])
        return f"column {column_letter(index)}"

    def field(self, heading: str) -> str:
        index = self.header.index(heading) if heading in self.header else None
        return heading if index is None else f"{heading} (column {column_letter(index)})"

    def require(self, columns) -> None:
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise InputError(f"no column '{missing[0]}' in the header row (expected "
                             f"{', '.join(columns)})", source=self.source, line=1,
                             field=missing[0])


def read_workbook(path: Path) -> InputFile:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                         source=str(path)) from None
    try:
        awards_sheet = _Sheet(book, formulas, path, AWARDS_SHEET, AWARD_COLUMNS)
        lines_sheet = _Sheet(book, formulas, path, LINES_SHEET, LINE_COLUMNS)
    finally:
        book.close()
        formulas.close()
    awards_sheet.require(("grant", "amount"))
    lines_sheet.require(("line_id", "amount"))
    if not lines_sheet.rows:
        raise InputError("no lines: fill in one row per line under the header",
                         source=lines_sheet.source, line=2)
    council, awards, award_where = _awards(awards_sheet)
    lines = [values for _, values in lines_sheet.rows]
    data = {"awards": awards, "lines": lines, **({"council": council} if council else {})}
    proposal = _validated(data, awards_sheet, lines_sheet)
    rows = [number for number, _ in lines_sheet.rows]
    seen: dict[str, int] = {}
    for line, row in zip(proposal.lines, rows):
        if line.line_id in seen:
            raise InputError(f"duplicate line_id '{line.line_id}' (first at row "
                             f"{seen[line.line_id]})", source=lines_sheet.source, line=row,
                             field=lines_sheet.field("line_id"))
        seen[line.line_id] = row
    table = from_lines(proposal.lines, str(path), rows)
    positions = {line.line_id: row for line, row in zip(proposal.lines, rows)}
    return InputFile(str(path), table, proposal.awards_file(), positions, award_where)


def _awards(sheet: _Sheet):
    """(council, award dicts, grant -> {"grant": row, "plan.<purpose>": row})."""
    purposes = [h for h in sheet.header if h not in AWARD_COLUMNS]
    council = None
    awards, where = [], {}
    for number, values in sheet.rows:
        named = values.get("council")
        if named is not None:
            named = str(named).strip()
            if council is not None and named != council:
                raise InputError(f"council '{named}' differs from '{council}' above: one "
                                 "workbook is one council's proposal", source=sheet.source,
                                 line=number, field=sheet.field("council"))
            council = named
        award: dict[str, Any] = {k: values[k] for k in ("grant", "amount") if k in values}
        plan = {p: values[p] for p in purposes if p in values}
        if plan:
            award["plan"] = plan
        awards.append(award)
        grant = str(values.get("grant", ""))
        where[grant] = {"grant": number, **{f"plan.{p}": number for p in plan}}
    return council, awards, where


def _validated(data: dict, awards: _Sheet, lines: _Sheet) -> Proposal:
    try:
        return Proposal.model_validate(data)
    except ValidationError as exc:
        error = max(exc.errors(include_url=False), key=lambda e: len(e["loc"]))
        path, message, suggestion = describe(error, Proposal, data)
        message += did_you_mean(suggestion)
    # path: ("lines", i, field), ("awards", i, key[, purpose]) or a top-level key
    if path and path[0] in ("lines", "awards") and len(path) > 1:
        sheet = lines if path[0] == "lines" else awards
        number = sheet.rows[path[1]][0]
        heading = path[3] if len(path) > 3 and path[2] == "plan" else \
            (path[2] if len(path) > 2 else None)
        if error["type"] == "missing":
            message = f"no value: the column '{heading}' must be filled in"
        return _raise(message, sheet.source, number, sheet.field(heading) if heading else None)
    if path and path[0] == "lines":
        return _raise(message, lines.source, 2, None)
    return _raise(message, awards.source, 2, None)


def _raise(message: str, source: str, line: int, field: str | None):
    raise InputError(message, source=source, line=line, field=field)

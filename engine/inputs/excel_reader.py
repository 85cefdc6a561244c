"""Excel (.xlsx) ledgers: the first sheet, header found as in a CSV (inputs/layout.py).

Cells are read by fastexcel (calamine, in Rust) straight into a polars frame of text:
a workbook comes in at about the speed of the same ledger as CSV, where openpyxl
took many times longer (bench/excel.py). Blank rows, wherever they are, are left out
by the ledger reader (inputs/ledger.py) with the other rows keeping their numbers.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import Future
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from ..core.errors import InputError
from ..models.column_map import ColumnMap
from .layout import SEARCH_ROWS, Preamble, find_header, rows_to_read
from .ledger import READ_PROBLEM, beyond_header

#: Excel stores amounts as binary floats: 1234.56 may come back as
#: 1234.5600000000002. Within this of a whole penny, it is that penny.
_FLOAT_SLACK = Decimal("0.000001")
#: A number written with more than two decimals: the only cells the slack may change.
_LONG_DECIMAL = r"^-?[0-9]+\.[0-9]{3,}$"
#: A date cell at midnight, as calamine writes it: the date is what Excel shows.
_MIDNIGHT = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}) 00:00:00$"
_TIME_ONLY = r"^1899-12-3[01] ([0-9]{2}:[0-9]{2}:[0-9]{2})$"

#: Runs a function beside the caller and gives its Future (the pipeline's threads).
Beside = Callable[..., Future]


def number_text(value: float) -> str | None:
    """A number Excel stored, as the penny it is within a millionth of; None when it is
    not that close to a penny (or has too many digits to be an amount)."""
    # The float Excel stored, as its shortest decimal (calamine writes nine places).
    exact = Decimal(repr(value))
    try:
        penny = exact.quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return str(penny) if abs(exact - penny) < _FLOAT_SLACK else None


def _penny(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    return number_text(value) or text


def _as_shown(column: pl.Series) -> pl.Series:
    """A column of cells as text, as Excel shows them: dates without a midnight time,
    numbers in pounds and pence (a float a millionth of a penny from a whole penny is
    that penny), blanks as null."""
    # Each rewrite runs only on a column that needs it, found by a cheap literal test.
    text = column
    if text.str.contains(" 00:00:00", literal=True).any():
        text = text.str.replace(_MIDNIGHT, "$1")
    if text.str.contains("1899-12-3", literal=True).any():
        # A time of day is a date-time on Excel's day zero: shown as the time it is.
        text = text.str.replace(_TIME_ONLY, "$1")
    if text.str.contains(".", literal=True).any():
        # A number cell comes as its shortest text (3.5): shown, as Excel and the reader
        # before it showed amounts, in pounds and pence (3.50).
        text = text.str.replace(r"^(-?[0-9]+\.[0-9])$", "${1}0")
        long = text.str.contains(_LONG_DECIMAL).fill_null(False)
        if long.any():
            at = long.arg_true()
            text = text.scatter(at, [_penny(t) for t in text.gather(at)])
    if (text.str.len_bytes() == 0).any():
        text = pl.select(pl.when(text.str.len_bytes() > 0).then(text))[:, 0]
    return text.alias(column.name)


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v\b[^>]*>[^<]")


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, in order, read from its workbook.xml alone (opening the
    workbook would measure every sheet: seconds for a ledger of 100,000 rows); none when
    it is no readable workbook."""
    try:
        with zipfile.ZipFile(path) as book:
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    except (KeyError, OSError, ElementTree.ParseError, zipfile.BadZipFile):
        return []
    return [sheet.get("name") or "" for sheet in workbook.findall("m:sheets/m:sheet", _NS)]


def _first_sheet_xml(book: zipfile.ZipFile) -> bytes:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = workbook.find("m:sheets/m:sheet", _NS)
    if first is None:
        raise KeyError("no sheet")  # the caller reads the workbook as it can without
    rel_id = first.get(f"{{{_NS['r']}}}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(t for r in rels.findall("p:Relationship", _NS)
                  if r.get("Id") == rel_id and (t := r.get("Target")) is not None)
    name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))
    return book.read(name)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


#: The first cell with a value (calamine's range starts there, and so do fastexcel's rows).
#: (Not an empty, styled cell written as <c r="A1" s="3"/>, nor across into the next cell.)
_FIRST_VALUE = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*?(?<!/)>'
                          rb'(?:(?!</c>|<c[\s>]).)*?<(?:v>[^<]|is>)', re.S)


class _Sheet:
    """What the sheet's XML says that the cells do not: where the values start, and the
    formulas with no computed value."""

    def __init__(self, path: Path):
        self.first_row, self.first_column = 1, 0
        #: row (from 1) -> [(column from 0, formula)]
        self.formulas: dict[int, list[tuple[int, str]]] = {}
        try:
            with zipfile.ZipFile(path) as book:
                xml = _first_sheet_xml(book)
        except (KeyError, StopIteration, AttributeError, ElementTree.ParseError,
                zipfile.BadZipFile):
            return  # the cells were read: the facts cannot be looked for
        first = _FIRST_VALUE.search(xml)
        if first is not None:
            self.first_row = int(first.group(2))
        if b"<f" in xml:
            self.formulas = _uncomputed_formulas(xml)


def _uncomputed_formulas(xml: bytes) -> dict[int, list[tuple[int, str]]]:
    """Cells holding a formula with no computed value.

    calamine reads such a cell as empty. A workbook written by a program, not saved by
    Excel, has no value for its formulas: read as empty, the value would be lost without
    a word. Most sheets hold no formula at all, which one search of the sheet's XML shows.
    """
    out: dict[int, list[tuple[int, str]]] = {}
    for match in _CELL.finditer(xml):
        body = match.group(3) or b""
        formula = _FORMULA.search(body)
        if formula is None or _VALUE.search(body):
            continue
        text = html.unescape((formula.group(1) or b"").decode("utf-8"))
        out.setdefault(int(match.group(2)), []).append(
            (_column_index(match.group(1)), f"={text}" if text else "(a shared formula)"))
    return out


def _uncomputed(cells: list[tuple[int, str]], names: list[str]) -> str:
    missing = [f"{names[i] if 0 <= i < len(names) else f'column {i + 1}'}={formula!r}"
               for i, formula in cells]
    return (f"row: formulas with no computed value ({', '.join(missing)}): open and save "
            "the workbook in Excel, or export it as values")


def _grid(path: Path, beside: Beside | None = None) -> tuple[pl.DataFrame, _Sheet, int]:
    """The cells, the sheet's facts, and the frame's first column's index in the sheet.

    Given `beside` (the pipeline's threads), the sheet's XML is unzipped and searched
    there while calamine reads the cells (zlib and polars release the GIL)."""
    import fastexcel

    facts = beside(_Sheet, path) if beside else None
    frame, first_column = _cells(path, fastexcel)
    frame = frame.select(_as_shown(frame[name]) for name in frame.columns)
    return frame, facts.result() if facts else _Sheet(path), first_column


def _cells(path: Path, fastexcel) -> tuple[pl.DataFrame, int]:
    try:
        sheet = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string")
        frame = sheet.to_polars()
        first_column = min((c.absolute_index for c in sheet.available_columns()), default=0)
    except Exception as exc:  # fastexcel raises its own types for a bad file
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                         source=str(path)) from None
    return frame, first_column


def _rows_above(frame: pl.DataFrame, sheet: _Sheet, limit: int) -> list[list[str | None]]:
    """The first rows of the sheet from row 1 (rows above the first value are empty)."""
    return ([[] for _ in range(sheet.first_row - 1)] + [
        list(row) for row in frame.head(limit).iter_rows()])[:limit]


def first_rows(path: Path) -> list[list[str | None]]:
    """The sheet's first rows (up to SEARCH_ROWS and one more), as read."""
    frame, sheet, _ = _grid(path)
    return _rows_above(frame, sheet, SEARCH_ROWS + 1)


def read_text_columns(path: Path, column_map: ColumnMap | None = None,
                      map_source: str | None = None, beside: Beside | None = None
                      ) -> tuple[pl.DataFrame, Preamble]:
    frame, sheet, first_column = _grid(path, beside)
    if not frame.height or not frame.select(pl.any_horizontal(
            pl.all().is_not_null()).any()).item():
        raise InputError("the first sheet is empty: no header row", source=str(path), line=1)
    rows = _rows_above(frame, sheet, rows_to_read(column_map))
    header = find_header(rows, column_map, str(path), map_source)
    names = [(h or "").strip() for h in rows[header]]
    while names and not names[-1]:
        names.pop()
    for index, name in enumerate(names):
        if not name:
            raise InputError(f"column {index + 1} has no name in the header row",
                             source=str(path), line=header + 1)
        if names.index(name) != index:
            raise InputError(f"column '{name}' appears twice in the header row",
                             source=str(path), line=header + 1, field=name)
    width = len(names)
    data = frame.slice(header + 2 - sheet.first_row)
    cells = data.columns
    named = data.select(pl.col(c).alias(n) for c, n in zip(cells, names))
    if len(cells) < width:
        named = named.with_columns(pl.lit(None, dtype=pl.Utf8).alias(n) for n in names[len(cells):])
    problems: list[str | None] = [None] * data.height
    if len(cells) > width:
        beyond = data.select(cells[width:])
        filled = beyond.select(pl.any_horizontal(pl.all().is_not_null()).alias("f"))["f"]
        for index in filled.arg_true():
            problems[index] = beyond_header(width, beyond.row(index))
    for row, found in sheet.formulas.items():
        index = row - header - 2
        if 0 <= index < data.height:
            problems[index] = _uncomputed([(c - first_column, f) for c, f in found], names)
    if any(problems):
        named = named.with_columns(pl.Series(READ_PROBLEM, problems, dtype=pl.Utf8))
    return named, Preamble.of(rows, header)

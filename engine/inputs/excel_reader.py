"""Excel (.xlsx) ledgers: the first sheet, header found as in a CSV (inputs/layout.py).

Cells are read by python-calamine (Rust): a workbook comes in at about the speed
of the same ledger as CSV, where openpyxl took many times longer. Blank rows,
wherever they are, are left out by the ledger reader (inputs/ledger.py) with the
other rows keeping their numbers.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from ..core.errors import InputError
from ..models.column_map import ColumnMap
from .layout import SEARCH_ROWS, Preamble, find_header
from .ledger import READ_PROBLEM, beyond_header

#: Excel stores amounts as binary floats: 1234.56 may come back as
#: 1234.5600000000002. Within this of a whole penny, it is that penny.
_FLOAT_SLACK = Decimal("0.000001")


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel keeps every number as a float: a whole one was written as an integer.
        if value.is_integer():
            return str(int(value))
        exact = Decimal(repr(value))
        penny = exact.quantize(Decimal("0.01"))
        return str(penny if abs(exact - penny) < _FLOAT_SLACK else exact)
    return str(value)


def _rows(path: Path) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        # skip_empty_area=False: rows are counted from A1, as Excel numbers them.
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for a bad file
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                         source=str(path)) from None


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v\b[^>]*>[^<]")


def _first_sheet_xml(book: zipfile.ZipFile) -> bytes:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    first = workbook.find("m:sheets/m:sheet", _NS)
    rel_id = first.get(f"{{{_NS['r']}}}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.findall("p:Relationship", _NS)
                  if r.get("Id") == rel_id)
    name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))
    return book.read(name)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def uncomputed_formulas(path: Path) -> dict[int, list[tuple[int, str]]]:
    """Cells holding a formula with no computed value: row (from 1) -> [(column, formula)].

    calamine reads such a cell as empty. A workbook written by a program, not saved by
    Excel, has no value for its formulas: read as empty, the value would be lost without
    a word. Most sheets hold no formula at all, which one search of the sheet's XML shows.
    """
    try:
        with zipfile.ZipFile(path) as book:
            sheet = _first_sheet_xml(book)
    except (KeyError, StopIteration, AttributeError, ElementTree.ParseError,
            zipfile.BadZipFile):
        return {}  # calamine read the cells: the formulas cannot be looked for
    if b"<f" not in sheet:
        return {}
    out: dict[int, list[tuple[int, str]]] = {}
    for match in _CELL.finditer(sheet):
        body = match.group(3) or b""
        formula = _FORMULA.search(body)
        if formula is None or _VALUE.search(body):
            continue
        text = html.unescape((formula.group(1) or b"").decode("utf-8"))
        out.setdefault(int(match.group(2)), []).append(
            (_column_index(match.group(1)), f"={text}" if text else "(a shared formula)"))
    return out


def _uncomputed(cells: list[tuple[int, str]], names: list[str]) -> str:
    missing = [f"{names[i] if i < len(names) else f'column {i + 1}'}={formula!r}"
               for i, formula in cells]
    return (f"row: formulas with no computed value ({', '.join(missing)}): open and save "
            "the workbook in Excel, or export it as values")


def first_rows(path: Path) -> list[list[str | None]]:
    """The sheet's first rows (up to SEARCH_ROWS and one more), as read."""
    return [[_text(v) for v in row] for row in _rows(path)[:SEARCH_ROWS + 1]]


def read_text_columns(path: Path, column_map: ColumnMap | None = None,
                      map_source: str | None = None) -> tuple[pl.DataFrame, Preamble]:
    rows = _rows(path)
    if not any(_text(v) for row in rows for v in row):
        raise InputError("the first sheet is empty: no header row", source=str(path), line=1)
    texts = [[_text(v) for v in row] for row in rows]
    header = find_header(texts, column_map, str(path), map_source)
    names = [(h or "").strip() for h in texts[header]]
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
    formulas = uncomputed_formulas(path)
    records, problems = [], []
    for number, cells in enumerate(texts[header + 1:], start=header + 2):
        problems.append(_uncomputed(formulas[number], names) if number in formulas
                        else beyond_header(width, cells[width:]))
        records.append((cells + [None] * width)[:width])
    frame = pl.DataFrame(records, schema={n: pl.Utf8 for n in names}, orient="row")
    if any(problems):
        frame = frame.with_columns(pl.Series(READ_PROBLEM, problems, dtype=pl.Utf8))
    return frame, Preamble.of(texts, header)

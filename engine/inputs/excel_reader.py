"""Excel (.xlsx) ledgers: the first sheet, header in its first row.

Blank rows, wherever they are, are left out by the ledger reader (inputs/ledger.py)
with the other rows keeping their numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl

from ..core.errors import InputError
from .ledger import READ_PROBLEM, beyond_header

#: Excel stores amounts as binary floats: 1234.56 may come back as
#: 1234.5600000000002. Within this of a whole penny, it is that penny.
_FLOAT_SLACK = Decimal("0.000001")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        exact = Decimal(repr(value))
        penny = exact.quantize(Decimal("0.01"))
        return str(penny if abs(exact - penny) < _FLOAT_SLACK else exact)
    return str(value)


def _open(path: Path, data_only: bool):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise InputError(f"not a readable .xlsx workbook ({type(exc).__name__})",
                         source=str(path)) from None


def _uncomputed(values, formulas, names) -> str | None:
    """Why a row cannot be a line when a cell holds a formula Excel never computed (a
    workbook written by a program, not saved by Excel, has no value for it): read as
    empty, the value would be lost without a word."""
    missing = [f"{names[i] if i < len(names) else f'column {i + 1}'}={formula!r}"
               for i, (value, formula) in enumerate(zip(values, formulas))
               if value is None and isinstance(formula, str) and formula.startswith("=")]
    if not missing:
        return None
    return (f"row: formulas with no computed value ({', '.join(missing)}): open and save "
            "the workbook in Excel, or export it as values")


def read_text_columns(path: Path) -> pl.DataFrame:
    book = _open(path, data_only=True)
    formulas = _open(path, data_only=False)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        formula_rows = formulas.worksheets[0].iter_rows(values_only=True)
        next(formula_rows, None)
        header = next(rows, None)
        if not header:
            raise InputError("the first sheet is empty: no header row", source=str(path), line=1)
        names = [("" if h is None else str(h)).strip() for h in header]
        while names and not names[-1]:
            names.pop()
        for index, name in enumerate(names):
            if not name:
                raise InputError(f"column {index + 1} has no name in the header row",
                                 source=str(path), line=1)
            if names.index(name) != index:
                raise InputError(f"column '{name}' appears twice in the header row",
                                 source=str(path), line=1, field=name)
        width = len(names)
        records, problems = [], []
        for row, written in zip(rows, formula_rows):
            cells = [_text(v) for v in row]
            problems.append(_uncomputed(row, written, names)
                            or beyond_header(width, cells[width:]))
            records.append((cells + [None] * width)[:width])
    finally:
        book.close()
        formulas.close()
    frame = pl.DataFrame(records, schema={n: pl.Utf8 for n in names}, orient="row")
    if any(problems):
        frame = frame.with_columns(pl.Series(READ_PROBLEM, problems, dtype=pl.Utf8))
    return frame

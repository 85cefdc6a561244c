"""Inputs: each input file read into typed lines (a table) and, where it has them, awards.

Takes paths (proposals in YAML or JSON, ledgers in CSV or Excel), a column map
and an awards file. Gives `InputFile`s: the line table in the canonical
columns with every line's file and row, the awards, and the rows that could
not become lines (each with its reasons): nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..core.errors import InputError
from ..models.awards import AwardsFile
from ..models.column_map import ColumnMap


@dataclass
class InputFile:
    path: str
    table: pl.DataFrame
    awards: AwardsFile | None = None
    #: Where each line is written, for reports that point into the file: line_id -> line.
    positions: dict[str, int] = field(default_factory=dict)
    #: Where each award is written (grant -> line), to point errors at it.
    award_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Rows that could not become lines (ledgers): see inputs/ledger.py.
    rejected: list = field(default_factory=list)
    #: Data rows below the header (ledgers; a proposal's lines), whatever they hold.
    rows: int | None = None
    #: Rows that are neither lines nor rejected: preamble, blank and total rows, each
    #: {row, kind, text} (see inputs/layout.py).
    skipped: list[dict] = field(default_factory=list)
    #: The file's own total rows, each against the rows above it (layout.StatedTotal).
    totals: list = field(default_factory=list)


LEDGER_SUFFIXES = (".csv", ".xlsx")
PROPOSAL_SUFFIXES = (".yaml", ".yml", ".json")


def read_input(path: str | Path, column_map: ColumnMap | None = None,
               map_source: str | None = None, beside=None) -> InputFile:
    """One input file read. `beside`, when given, runs work beside the reading (the
    pipeline's threads: see pipeline/threads.py); a reader that can use it does."""
    from .proposal import read_proposal

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PROPOSAL_SUFFIXES:
        return read_proposal(path)
    if suffix == ".xlsx" and path.is_file():
        from .workbook import is_proposal_workbook, read_workbook

        if is_proposal_workbook(path):  # sheets Awards and Lines; any other .xlsx is a ledger
            return read_workbook(path)
    if suffix in LEDGER_SUFFIXES:
        from . import csv_reader, excel_reader
        from .ledger import typed_lines

        reader = csv_reader if suffix == ".csv" else excel_reader
        if not path.is_file():
            raise InputError("cannot read file: no such file", source=str(path))
        raw, preamble = reader.read_text_columns(path, column_map, map_source, beside)
        read = typed_lines(raw, str(path), column_map, map_source, preamble)
        return InputFile(str(path), read.table, rejected=read.rejected, rows=read.rows,
                         skipped=read.skipped, totals=read.totals)
    raise InputError(f"unsupported input type '{suffix}' (expected "
                     f"{', '.join(PROPOSAL_SUFFIXES + LEDGER_SUFFIXES)})", source=str(path))


def first_rows(path: str | Path) -> list[list[str | None]]:
    """The first rows of a ledger as read, every cell as text (enough to find its header)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in LEDGER_SUFFIXES:
        raise InputError(f"not a ledger: expected {' or '.join(LEDGER_SUFFIXES)}",
                         source=str(path))
    if not path.is_file():
        raise InputError("cannot read file: no such file", source=str(path))
    from . import csv_reader, excel_reader

    reader = csv_reader if suffix == ".csv" else excel_reader
    return reader.first_rows(path)

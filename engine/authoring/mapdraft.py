"""`ringfence map draft`: a starter column map for ledgers a new auditor has never seen.

It finds each file's header, recognises the Transparency Code's columns in the
spellings councils use (as in ../shared/data/ledgers), numbers lines by row when no
column is a unique id, and lists the values of the area and type columns as
commented candidates for deriving the grant and the purpose. The map it writes reads
the files as they are; the auditor edits it from there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..core.errors import InputError
from ..inputs import LEDGER_SUFFIXES, columns, first_rows, layout
from ..inputs.layout import SEARCH_ROWS, match_column, normalised
from ..models.column_map import ColumnMap

#: Per field, patterns of a normalised column name, most telling first.
RECOGNISED: dict[str, list[str]] = {
    "date": [r"^(invoice )?(payment|paid|clearing|transaction|posting) date$", r"^date$",
             r"\bdate\b"],
    "amount": [r"^net amount$", r"^amount$",
               r"^(net |gross |total )?(amount|value)( paid| gbp| excl(uding)? vat| ex vat)?$",
               r"^(total|value|net|gross)$", r"\bamount\b"],
    "supplier": [r"^supplier (beneficiary )?name$", r"^(vendor|payee|beneficiary|creditor) name$",
                 r"^(supplier|vendor|payee|beneficiary|merchant|creditor)( name)?$"],
    "id": [r"^trans(action)? (number|no|id|ref|reference)$", r"^document (no|number)$",
           r"^internal ref(erence)? (number|no)$",
           r"^(transaction|payment|voucher) (reference|ref|id|number|no)$"],
    "invoice": [r"^invoice (number|no|ref|reference|id)$", r"^(reference|ref)( number| no)?$"],
    "category": [r"^expen(se|ses|diture) (type|category)$",
                 r"^expenditure account code description$", r"^merchant category$",
                 r"^(account|expense|expenditure|subjective|cost) (code )?(description|name)$",
                 r"^(category|expense description|cost element description)$"],
    "area": [r"^(expense|service) area$", r"^service (label|name|division)$",
             r"^organi[sz]ational unit$", r"^(directorate|department|cost cent(re|er)( name)?)$",
             r"^(service|division|portfolio)$"],
    "description": [r"^purpose( of (spend|expenditure|payment))?( summary)?$",
                    r"^(extended )?description$", r"^(narrative|details)$"],
}
_HEADER_FIELDS = ("date", "amount", "supplier", "id")
#: Distinct values listed per candidate column, most frequent first.
_VALUES_SHOWN = 40


def recognise(name: str) -> str | None:
    """Which kind of column a header cell is, by its name (None for none)."""
    key = normalised(name)
    for kind, patterns in RECOGNISED.items():
        if any(re.search(pattern, key) for pattern in patterns):
            return kind
    return None


def _header_index(rows: list[list[str | None]], source: str) -> int:
    best, best_count = None, 1
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        kinds = {recognise(cell) for cell in row if cell and cell.strip()}
        count = len(kinds & set(_HEADER_FIELDS))
        if count > best_count:
            best, best_count = index, count
    if best is None:
        shown = "; ".join(f"row {i + 1}: " + " | ".join(c for c in row if c)[:80]
                          for i, row in enumerate(rows[:5]))
        raise InputError("no header row: no row of the first "
                         f"{min(len(rows), SEARCH_ROWS)} names two of a date, an amount, a "
                         f"supplier and a transaction number; the first rows as read: {shown}",
                         source=source, line=1)
    return best


@dataclass
class _File:
    path: str
    header_row: int
    names: list[str]
    frame: pl.DataFrame


@dataclass
class Draft:
    """What was found, and the map's text."""

    files: list[_File] = field(default_factory=list)
    text: str = ""


def _read(path: str) -> _File:
    from ..inputs import csv_reader, excel_reader

    rows = first_rows(path)
    index = _header_index(rows, path)
    reader = csv_reader if Path(path).suffix.lower() == ".csv" else excel_reader
    frame, _ = reader.read_text_columns(Path(path), ColumnMap(header_row=index + 1))
    names = [c for c in frame.columns if not c.startswith("_")]
    return _File(path, index + 1, names, frame)


def _columns_of(files: list[_File], kind: str) -> list[str]:
    """Every file's column of this kind (its most telling one), one spelling each."""
    out: list[str] = []
    for f in files:
        ranked = sorted(((rank, name) for name in f.names if recognise(name) == kind
                         for rank, pattern in enumerate(RECOGNISED[kind])
                         if re.search(pattern, normalised(name))), key=lambda p: p[0])
        if ranked and match_column(ranked[0][1], out) is None:
            out.append(ranked[0][1])
    return out


def _values(files: list[_File], columns: list[str]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for f in files:
        for column in columns:
            name = match_column(column, f.frame.columns)
            if name is None:
                continue
            text = f.frame[name].str.strip_chars().drop_nulls()
            for value, count in text.filter(text.str.contains(r"[\p{L}\p{N}]")).value_counts(
                    sort=True).iter_rows():
                counts[value] = counts.get(value, 0) + count
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _unique_in_every_file(files: list[_File], columns: list[str]) -> bool:
    for f in files:
        name = next((match_column(c, f.frame.columns) for c in columns
                     if match_column(c, f.frame.columns)), None)
        if name is None:
            return False
        # Blank, decoration and total rows hold no id (a 'Total' under each month's rows
        # is not a repeated id).
        ids = f.frame[name].str.strip_chars()
        ids = ids.filter(~layout.no_identity(ids))
        if ids.n_unique() != ids.len():
            return False
    return True


def _capital_markers(files: list[_File]) -> list[str]:
    """Per file, a column whose values are only Capital and Revenue (any case)."""
    out: list[str] = []
    for f in files:
        for name in f.names:
            values = set(f.frame[name].str.strip_chars().str.to_lowercase().drop_nulls()
                         .unique().to_list()) - {""}
            if values and values <= {"capital", "revenue"} and "capital" in values:
                if match_column(name, out) is None:
                    out.append(name)
                break
    return out


def _not_dates(files: list[_File], column: str) -> tuple[int, str | None]:
    """How many cells of a date column are not dates, and the first of them."""
    bad, example = 0, None
    for f in files:
        name = match_column(column, f.frame.columns)
        if name is None:
            continue
        _, errors = columns.parse_columns(f.frame.select(pl.col(name).alias("date")),
                                          {"date": columns.DATE})["date"]
        failed = f.frame[name].filter(errors.is_not_null())
        bad += failed.len()
        example = example or (failed[0] if failed.len() else None)
    return bad, example


def _q(text: str) -> str:
    """A YAML scalar for a column name or value (JSON strings are YAML)."""
    plain = re.fullmatch(r"[A-Za-z][A-Za-z0-9 _()/&.-]*", text) and not text.endswith(" ")
    return text if plain and ": " not in text and " #" not in text else json.dumps(
        text, ensure_ascii=False)


def draft_map(paths: list[str]) -> Draft:
    for path in paths:
        if Path(path).suffix.lower() not in LEDGER_SUFFIXES:
            raise InputError(f"not a ledger: expected {' or '.join(LEDGER_SUFFIXES)}",
                             source=path)
    files = [_read(path) for path in paths]
    kinds = {kind: _columns_of(files, kind) for kind in RECOGNISED}
    out = [f"# Drafted by `ringfence map draft` from {', '.join(Path(p).name for p in paths)}.",
           "# Check every line before use: it reads the files as they are, charging every",
           "# line to the one award; to check only the grant's cost centres, derive `grant`",
           "# (below): lines given no grant are then out of scope.",
           *[f"# {Path(f.path).name}: header found at row {f.header_row}" for f in files],
           "columns:"]
    unique = bool(kinds["id"]) and _unique_in_every_file(files, kinds["id"])
    if not unique and kinds["id"]:
        why = f"'{kinds['id'][0]}' repeats (an invoice over several lines, or a file without it)"
    else:
        why = "no column is a unique transaction id"
    wanted = [("date", "date"), ("amount", "amount"), ("supplier", "supplier"),
              ("id", "line_id" if unique else "reference"), ("category", "category"),
              ("description", "description")]
    if not kinds["id"] or unique:
        wanted.insert(4, ("invoice", "reference"))
    for kind, target in wanted:
        # A map's columns for one field must give it in every file: the first one a file
        # has is used, and a file with none of them is refused.
        missing = [Path(f.path).name for f in files
                   if not any(match_column(c, f.frame.columns) for c in kinds[kind])]
        for column in kinds[kind]:
            bad, example = _not_dates(files, column) if kind == "date" else (0, None)
            if missing and target != "amount":
                out.append(f"  # {_q(column)}: {target}  # left out: not in "
                           f"{', '.join(missing)}")
            elif bad:
                out.append(f"  # {_q(column)}: date  # left out: {bad} of its cells are not "
                           f"dates (e.g. {example!r})")
            else:
                out.append(f"  {_q(column)}: {target}")
    if not kinds["amount"]:
        out.append("  # no column was recognised as the amount: name it here (COLUMN: amount)")
    if not unique:
        out.append(f"line_id: row  # {why}: lines are numbered <file>:<row>")
    markers = _capital_markers(files)
    areas = kinds["area"] or []
    types = kinds["category"] or []
    derive = []
    if markers:
        source = _q(markers[0]) if len(markers) == 1 else \
            f"[{', '.join(_q(m) for m in markers)}]"
        derive += ["  cost_type:", f"    from: {source}", "    rules:",
                   "      - {equals: Capital, value: capital}", "    default: revenue"]
    candidates = []
    if areas:
        candidates += _commented_derive("grant", areas, "csc-prevention-2025-26", files)
    if types or areas:
        candidates += _commented_derive("purpose", types or areas, "family_help", files)
    # Candidates are comments: as drafted, the map gives no grant and reads every line.
    if derive:
        out += ["derive:", *derive, *["  " + line for line in candidates]]
    elif candidates:
        out += ["# derive:", *["  " + line for line in candidates]]
    return Draft(files, "\n".join(out) + "\n")


def _commented_derive(target: str, columns: list[str], example: str,
                      files: list[_File]) -> list[str]:
    values = _values(files, columns)
    lines = [f"# {target}:", f"#   from: {_q(columns[0])}" if len(columns) == 1 else
             f"#   from: [{', '.join(_q(c) for c in columns)}]",
             "#   rules:",
             f"#     - {{one_of: [VALUE, ...], value: {example}}}",
             f"#   candidates ({len(values)} distinct values, lines each):"]
    for value, count in values[:_VALUES_SHOWN]:
        lines.append(f"#     {_q(value)}  ({count})")
    if len(values) > _VALUES_SHOWN:
        lines.append(f"#     ... and {len(values) - _VALUES_SHOWN} more")
    return lines

"""Where a ledger's transactions are: its header row, and the rows that are not spend.

Real exports put title and parameter rows above the header, decorate the sheet
with rows of dashes, and state their own total (per month, or for the file) in
rows that carry an amount and nothing that identifies a payment. Those rows are
read, kept in the evidence with their row numbers, and never counted as spend.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from ..core.errors import InputError
from ..models.column_map import ColumnMap

#: How far down a file its header is looked for.
SEARCH_ROWS = 100
#: Rows shown, as read, when no header is found.
_SHOWN_ROWS = 5
#: Required of a header when there is no map (the fields a line cannot do without).
_REQUIRED = ("line_id", "amount")


def normalised(name: str) -> str:
    """A column name as it drifts between one month's export and the next: case, spaces,
    underscores and punctuation aside ('Paid Date', 'paid_date', 'PAID  DATE')."""
    return re.sub(r"[^0-9a-z]+", " ", str(name).casefold()).strip()


def match_column(wanted: str, present) -> str | None:
    """The column of `present` that `wanted` names: itself, else the only one that reads
    the same once normalised."""
    present = list(present)
    if wanted in present:
        return wanted
    key = normalised(wanted)
    found = [name for name in present if key and normalised(name) == key]
    return found[0] if len(found) == 1 else None


def expected_columns(column_map: ColumnMap | None) -> list[list[str]]:
    """What a header row must hold: per field, the columns that may give it (any one)."""
    if column_map is None:
        return [[name] for name in _REQUIRED]
    groups: dict[str, list[str]] = {}
    for column, target in column_map.columns.items():
        groups.setdefault(target, []).append(column)
    for target, derive in column_map.derive.items():
        sources = [derive.source] if isinstance(derive.source, str) else list(derive.source)
        groups[f"derive {target}"] = sources
    for name in _REQUIRED:
        given = name in groups or name in column_map.set or (
            name == "line_id" and column_map.line_id == "row")
        if not given:
            groups[name] = [name]
    return list(groups.values())


def rows_to_read(column_map: ColumnMap | None) -> int:
    """How many of a file's first rows the header is looked for in (or named by)."""
    given = column_map.header_row if column_map is not None else None
    return max(SEARCH_ROWS, given or 0) + 1


def _held(groups: list[list[str]], cells: list[str]) -> int:
    return sum(1 for group in groups if any(match_column(c, cells) for c in group))


def find_header(rows: Sequence[Sequence[str | None]], column_map: ColumnMap | None,
                source: str, map_source: str | None = None) -> int:
    """The index (from 0) of the header among `rows` (the first rows of a file, as read).

    The header is the first row holding every column the map names (or, with no map,
    the columns of the fields a line cannot do without). When no row holds them all,
    the row holding most of them is taken, so that the error about the missing column
    names it and suggests a near spelling; when no row holds any, the error names what
    was looked for and shows the first rows.
    """
    if column_map is not None and column_map.header_row is not None:
        index = column_map.header_row - 1
        if index >= len(rows):
            raise InputError(f"header_row {column_map.header_row} (in {map_source or 'the map'}) "
                             f"is beyond the file's {len(rows)} rows", source=source,
                             field="header_row")
        return index
    groups = expected_columns(column_map)
    best, best_held = None, 0
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        held = _held(groups, cells)
        if held == len(groups):
            return index
        if held > best_held:
            best, best_held = index, held
    if best is not None:
        return best
    if not any(_text(row) for row in rows):
        raise InputError("the file is empty: no header row", source=source, line=1)
    wanted = " and ".join(" or ".join(repr(c) for c in group) for group in groups)
    named = f"the columns {map_source} names" if map_source else "the line fields' columns"
    shown = "; ".join(f"row {i + 1}: {_text(row)[:80] or '(blank)'}"
                      for i, row in enumerate(rows[:_SHOWN_ROWS]))
    override = "give the header row with header_row: N in the map; " if map_source else ""
    raise InputError(f"no header row: none of the first {min(len(rows), SEARCH_ROWS)} rows "
                     f"holds {named} ({wanted}); {override}the first rows as read: {shown}",
                     source=source, line=1)


def _text(row) -> str:
    return " | ".join(str(c).strip() for c in row if c is not None and str(c).strip())


@dataclass
class Preamble:
    """The rows above the header: not lines, kept with their row numbers and text."""

    header_row: int = 1  # the header's row number, from 1
    rows: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def of(cls, rows: Sequence[Sequence[str | None]], header: int) -> Preamble:
        return cls(header + 1, [(i + 1, _text(row)) for i, row in enumerate(rows[:header])])


# --- rows below the header that are not transactions --------------------------------------

#: A cell that says nothing: whitespace, punctuation or decoration (`-----`, `====`, `***`),
#: or a filler of x's (`xxx`, as at the foot of one of Oxford's files).
_DECORATION = r"^[\s\p{P}\p{S}]*$|^\s*(x{3,}|X{3,})\s*$"
#: A cell that labels a total: 'Total', 'Grand total', 'Sub-total:', 'Total for April 2025',
#: 'Total (123 payments)', 'TOTAL SPEND', 'April total'. Not 'Total Tree Care', a supplier:
#: after the word, a label has nothing, a sign or number, or one of a few words.
TOTAL_LABEL = (r"(?i)^\s*(((grand|sub|overall|month(ly)?|period|annual|report|file|page)"
               r"[\s-]*)?totals?(\s*[^A-Za-z\s].*|\s+(for|of|to|spend|spent|paid|amount|"
               r"expenditure|payments?|value|net|gross|transactions?|invoices?)\b.*)?"
               r"|.*\b(sub[\s-]?)?totals?\s*:?)\s*$")


def decoration(expr: pl.Expr) -> pl.Expr:
    """Whether a text cell is empty, blank or decoration (null counts as empty)."""
    return expr.is_null() | expr.str.contains(_DECORATION)


def no_identity(cells: pl.Series) -> pl.Series:
    """Per cell, whether it identifies nothing: empty, decoration or a total's label."""
    # In steps, each over the cells still in question: an id or a date fails the anchored
    # decoration test at its first character, and only a cell holding 'otal' (a literal
    # search) can be a label, so the label's pattern runs on a handful of cells.
    out = cells.to_frame("c").select(decoration(pl.col("c")).fill_null(True))["c"]
    rest = (~out).arg_true()
    maybe = cells.gather(rest)
    maybe = rest.filter((maybe.str.contains("otal", literal=True)
                         | maybe.str.contains("OTAL", literal=True)).fill_null(False))
    if maybe.len():
        out = out.scatter(maybe, cells.gather(maybe).str.contains(TOTAL_LABEL))
    return out


def row_text(frame: pl.DataFrame, columns: list[str]) -> pl.Expr:
    """A row's non-empty cells, joined, as a person would read the row."""
    cells = [pl.when(pl.col(c).str.strip_chars().str.len_bytes() > 0).then(
        pl.col(c).str.strip_chars()) for c in columns]
    return pl.concat_str(cells, separator=" | ", ignore_nulls=True)


@dataclass(frozen=True)
class StatedTotal:
    """A total row of the file and what the rows above it add up to."""

    row: int
    stated: int  # pence
    computed: int  # pence: the block above it (since the previous total), or all rows above
    reconciles: bool


def reconcile(amounts: pl.DataFrame, totals: pl.DataFrame) -> list[StatedTotal]:
    """Each total row against the rows above it.

    `amounts`: (row, amount) of every data row that holds an amount (lines, and rejected
    rows whose amount could be read), `totals`: (row, amount) of the total rows. A total
    reconciles when it equals its block (the rows since the previous total: a month's
    subtotal) or everything above it (a grand total under monthly subtotals); a total
    above every row, when it equals everything below it.
    """
    out = []
    rows = amounts.sort("row")
    previous = 0
    for row, stated in totals.sort("row").iter_rows():
        above = rows.filter(pl.col("row") < row)
        if not above.height and previous == 0:
            # A total above every transaction (some exports state it under the header)
            # is the total of the rows below it.
            below = int(rows["amount"].sum() or 0)
            out.append(StatedTotal(row, stated, below, stated == below))
            previous = row
            continue
        everything = int(above["amount"].sum() or 0)
        block = int(above.filter(pl.col("row") > previous)["amount"].sum() or 0)
        if stated == block or stated == everything:
            out.append(StatedTotal(row, stated, stated, True))
        else:
            # The block is what a subtotal would have covered: shown as the computed sum,
            # unless there is no block (a total straight after another).
            shown = block if above.filter(pl.col("row") > previous).height else everything
            out.append(StatedTotal(row, stated, shown, False))
        previous = row
    return out

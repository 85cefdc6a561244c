"""From a ledger's text columns to typed lines, and rows that cannot be lines.

Every data row either becomes a line or a RejectedRow with its file, row
number, raw values and reasons: nothing an auditor gives us is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import polars as pl

from ..core.errors import Diagnostic, InputError
from ..core.suggest import near_miss
from ..models.column_map import ColumnMap
from ..models.lines import LINE_FIELDS
from ..models.table import CANONICAL_SCHEMA, LINE, META_SCHEMA, ROW, SOURCE
from . import columns, layout
from .layout import Preamble, StatedTotal, reconcile

COST_TYPES = ("revenue", "capital")
_ERRORS = "_errors"
#: A reader's reason why a row cannot be a line (e.g. cells beyond the header):
#: an optional column of the raw frame, null where the row is fine.
READ_PROBLEM = "_read_problem"
#: A reader's physical line of each row (an optional column of the raw frame, present
#: only when some row's does not follow from its number: see models/table.LINE).
PHYSICAL = "_physical_line"
#: Fields a line cannot do without: a file with no column for them is refused whole.
_REQUIRED = ("line_id", "amount")


def beyond_header(width: int, cells) -> str | None:
    """Why a row with values beyond the header's columns cannot be a line (None if it has
    none): the values are named, so cutting the row loses nothing."""
    values = [cell for cell in cells if cell is not None and str(cell).strip()]
    if not values:
        return None
    return (f"row: has values beyond the header's {width} columns: "
            f"{', '.join(repr(v) for v in values)}")


@dataclass(frozen=True)
class RejectedRow:
    source: str
    row: int
    reasons: tuple[str, ...]
    raw: dict[str, str | None]
    amount: int | None  # pence, where the amount itself could be read
    #: the physical line of the file the row starts on, where it differs from the row
    line: int | None = None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Each reason as a Diagnostic at this row: a reason is written 'field: message'
        (the JSON report's `reasons` keeps that text, as the contract has it)."""
        out = []
        for reason in self.reasons:
            field, said, message = reason.partition(": ")
            out.append(Diagnostic(message, self.source, self.row, field=field) if said
                       else Diagnostic(reason, self.source, self.row))
        return tuple(out)

    def explain(self) -> str:
        """Why the row is rejected, and what it holds."""
        values = ", ".join(f"{k}={v!r}" for k, v in self.raw.items() if v not in (None, ""))
        why = "; ".join(f"{d.field}: {d.text}" if d.field else d.text for d in self.diagnostics)
        return f"{why} (row: {values})"

    def describe(self) -> str:
        return f"{self.source}:{self.row}: {self.explain()}"


class RejectedRowsError(InputError):
    """Rows that could not be read; the CLI lists every one, one per line."""

    def __init__(self, rejected: list[RejectedRow]):
        self.rejected = rejected
        super().__init__(f"{_rows(len(rejected))} could not be read")

    def lines(self) -> list[str]:
        hint = ("fix them, or pass --skip-bad-rows to check the rest and list these in the "
                "report")
        return [row.describe() for row in self.rejected] + [
            f"{_rows(len(self.rejected))} could not be read: {hint}"]


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


@dataclass
class LedgerRead:
    """A ledger file read: its lines, the rows that cannot be lines, and the facts of the
    file an auditor checks the reading against (each input's entry in the evidence)."""

    table: pl.DataFrame
    rejected: list[RejectedRow]
    #: data rows below the header, whatever they hold
    rows: int = 0
    #: rows that are not lines and not rejected: preamble, blank and total rows
    skipped: list[dict] = field(default_factory=list)
    #: the file's total rows, each against the rows above it
    totals: list[StatedTotal] = field(default_factory=list)


def typed_lines(raw: pl.DataFrame, source: str, column_map: ColumnMap | None,
                map_source: str | None = None, preamble: Preamble | None = None) -> LedgerRead:
    """`raw`: one Utf8 column per ledger column, one row per data row (below the header)."""
    preamble = preamble or Preamble()
    first = preamble.header_row + 1
    physical = raw[PHYSICAL] if PHYSICAL in raw.columns else None
    raw = raw.drop(PHYSICAL, strict=False)
    skipped = [{"row": row, "kind": "preamble", "text": text} for row, text in preamble.rows]
    rows = raw.height
    raw = _as_the_map_spells(raw, column_map)
    raw, blank = _without_blank_rows(raw.with_row_index("_index"), first)
    canonical = _canonical_expressions(raw, source, column_map, map_source, first)
    extras = _extra_columns(raw, column_map)
    problem = [pl.col(READ_PROBLEM)] if READ_PROBLEM in raw.columns else []
    lines = [] if physical is None else [physical.gather(raw["_index"]).alias(LINE)]
    frame = raw.select(
        pl.lit(source).alias(SOURCE), (pl.col("_index").cast(pl.Int64) + first).alias(ROW),
        *canonical, *[pl.col(name).alias(alias) for name, alias in extras], *problem, *lines)
    frame, raw, headers = _without_repeated_headers(frame, raw)
    frame, totals = _without_total_rows(frame, raw, _identity_fields(raw, column_map))
    skipped = sorted(skipped + blank + headers + [{"row": row, "kind": "total", "text": text}
                                        for row, text in totals.select(ROW, "_text").iter_rows()],
                     key=itemgetter("row"))
    frame, any_error, reasons = _parse(frame)
    table, rejected = frame, []
    if any_error.any():
        bad = frame.filter(any_error).with_columns(reasons.alias(_ERRORS))
        table, rejected = frame.filter(~any_error), _rejections(bad, raw, source, first)
    stated = []
    if totals.height:
        amounts = pl.concat([
            table.select(pl.col(ROW).alias("row"), "amount"),
            pl.DataFrame([(r.row, r.amount) for r in rejected if r.amount is not None],
                         schema={"row": pl.Int64, "amount": pl.Int64}, orient="row")])
        stated = reconcile(amounts, totals.select(pl.col(ROW).alias("row"), "_total"))
    return LedgerRead(table, rejected, rows, skipped, stated)


def _as_the_map_spells(raw: pl.DataFrame, column_map: ColumnMap | None) -> pl.DataFrame:
    """Columns renamed as the map spells them when the file spells them otherwise only in
    case, spaces or underscores ('paid_date' for 'Paid Date'): monthly exports drift."""
    if column_map is None:
        return raw
    wanted = list(column_map.columns)
    for derive in column_map.derive.values():
        wanted += [derive.source] if isinstance(derive.source, str) else derive.source
    renames = {}
    for name in wanted:
        found = layout.match_column(name, raw.columns)
        if found is not None and found != name and name not in raw.columns \
                and found not in renames:
            renames[found] = name
    return raw.rename(renames) if renames else raw


def _without_blank_rows(raw: pl.DataFrame, first: int) -> tuple[pl.DataFrame, list[dict]]:
    """Rows that hold nothing but whitespace, punctuation or decoration carry nothing to
    check: a spreadsheet shows them as blank rows (or rules across the sheet). The other
    rows keep their numbers; the blank ones are listed, with theirs."""
    names = [c for c in raw.columns if c not in ("_index", READ_PROBLEM)]
    # Column by column, only over the rows no earlier column has shown to say something:
    # in most files the first column settles every row.
    keep = pl.Series("f", [False] * raw.height, dtype=pl.Boolean) \
        if READ_PROBLEM not in raw.columns else \
        raw[READ_PROBLEM].is_not_null()
    undecided = (~keep).arg_true()
    for name in names:
        if not undecided.len():
            break
        cells = raw[name].gather(undecided).to_frame("c")
        said = cells.select(~layout.decoration(pl.col("c")))["c"].fill_null(False)
        keep = keep.scatter(undecided.filter(said), True)
        undecided = undecided.filter(~said)
    if not undecided.len():
        return raw, []
    blank = raw.gather(undecided).select(pl.col("_index") + first, layout.row_text(raw, names))
    return raw.filter(keep), [{"row": row, "kind": "blank", "text": text or ""}
                              for row, text in blank.iter_rows()]


def _without_repeated_headers(frame: pl.DataFrame, raw: pl.DataFrame
                              ) -> tuple[pl.DataFrame, pl.DataFrame, list[dict]]:
    """Rows that repeat the header (monthly exports pasted one under another, a page
    header): the amount cell holds a column's name. Listed as skipped, never lines."""
    names = [c for c in raw.columns if c not in ("_index", READ_PROBLEM)]
    hit = frame["amount"].str.strip_chars().str.to_lowercase().is_in(
        [n.strip().lower() for n in names]).fill_null(False)
    if not hit.any():
        return frame, raw, []
    repeated = raw.filter(hit).select(pl.col("_index"), layout.row_text(raw, names))
    found = [{"row": frame[ROW][i], "kind": "header", "text": text}
             for i, (_, text) in zip(hit.arg_true(), repeated.iter_rows())]
    return frame.filter(~hit), raw.filter(~hit), found


#: Fields that make a row a transaction when it has them: an id, a date, a supplier, a
#: reference. A row with an amount and none of them is a total row.
_IDENTITY = ("line_id", "date", "supplier", "reference")


def _identity_fields(raw: pl.DataFrame, column_map: ColumnMap | None) -> list[str]:
    """The identity fields this file gives from its own columns (not numbered rows, not
    constants): with none, no row can be told from a total by them."""
    given = set(column_map.columns.values()) if column_map else set()
    out = []
    for name in _IDENTITY:
        if name == "line_id" and column_map and column_map.line_id == "row":
            continue
        if name in given or name in raw.columns:
            out.append(name)
    return out


def _without_total_rows(frame: pl.DataFrame, raw: pl.DataFrame, identity: list[str]
                        ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lines to be; and the total rows (an amount, but no id, date, supplier or reference,
    labelled 'Total' or not), with their amount (`_total`) and text (`_text`)."""
    empty = pl.DataFrame(schema={ROW: pl.Int64, "_total": pl.Int64, "_text": pl.Utf8})
    if not identity:
        return frame, empty
    # Column by column, only over the rows still in question: in most files the first
    # identity column (an id or a date on every row) settles all of them in one pass.
    candidates = pl.int_range(0, frame.height, dtype=pl.UInt32, eager=True)
    for name in identity:
        if not candidates.len():
            return frame, empty
        candidates = candidates.filter(layout.no_identity(frame[name].gather(candidates)))
    amount = frame["amount"].gather(candidates).to_frame("c")
    candidates = candidates.filter(
        amount.select(columns.blank_to_null(pl.col("c")).is_not_null())["c"])
    if not candidates.len():
        return frame, empty
    amounts, errors = columns.money(pl.col("amount"))
    found = frame.gather(candidates).with_columns(
        amounts.alias("_total"), pl.lit(candidates).alias("_at"))
    found = found.filter(pl.col("_total").is_not_null())
    if not found.height:
        return frame, empty
    names = [c for c in raw.columns if c not in ("_index", READ_PROBLEM)]
    text = raw.gather(found["_at"]).select(layout.row_text(raw, names).alias("_text"))["_text"]
    totals = found.select(ROW, "_total").with_columns(text.alias("_text"))
    keep = pl.repeat(True, frame.height, eager=True).scatter(found["_at"], False)
    return frame.filter(keep), totals


def _canonical_expressions(raw: pl.DataFrame, source: str, column_map: ColumnMap | None,
                           map_source: str | None, first: int) -> list[pl.Expr]:
    column_map = column_map or ColumnMap()
    by_field: dict[str, list[str]] = {}
    for column, target in column_map.columns.items():
        by_field.setdefault(target, []).append(column)
    exprs = []
    for name in LINE_FIELDS:
        if name in by_field:
            expr = pl.col(_column(raw, by_field[name], source, map_source, first - 1))
        elif name in column_map.set:
            expr = pl.lit(column_map.set[name], dtype=pl.Utf8)
        elif name in column_map.derive:
            expr = _derived(raw, column_map.derive[name], source, map_source, first - 1)
        elif name == "line_id" and column_map.line_id == "row":
            expr = pl.format("{}:{}", pl.lit(Path(source).name),
                             (pl.col("_index") + first).cast(pl.Utf8))
        elif name in raw.columns:
            expr = pl.col(name)
        elif name in _REQUIRED:
            raise _no_column_for(name, raw, source, map_source, first - 1)
        else:
            _refuse_near_miss(name, raw, column_map, source, first - 1)
            expr = pl.lit(None, dtype=pl.Utf8)
        exprs.append(expr.cast(pl.Utf8).alias(name))
    return exprs


def _column(raw: pl.DataFrame, names: str | list[str], source: str,
            map_source: str | None, header: int = 1) -> str:
    """The first of `names` the file has; else a one-line error with a suggestion."""
    names = [names] if isinstance(names, str) else names
    for name in names:
        if name in raw.columns:
            return name
    name = names[0]
    present = [c for c in raw.columns if c != "_index"]
    guess = near_miss(name, present) or next(
        (c for c in present if c.strip().lower() == name.strip().lower()), None)
    hint = f"; did you mean '{guess}'?" if guess else f" (columns: {', '.join(present)})"
    where = f" (named in {map_source})" if map_source else ""
    raise InputError(f"no column '{name}'{where}{hint}", source=source, line=header,
                     field=name)


def _refuse_near_miss(name: str, raw: pl.DataFrame, column_map: ColumnMap,
                      source: str, header: int) -> None:
    """A column one letter or one case away from a field nobody gives ('Date') is a
    mistake, as the same key in a proposal is: kept as an extra column, it would leave
    every line without that field."""
    unmapped = [c for c in raw.columns
                if c not in ("_index", READ_PROBLEM) and c not in column_map.columns]
    guess = near_miss(name, unmapped)
    if guess is not None:
        raise InputError(f"column '{guess}' is not a line field; did you mean '{name}'? "
                         "(rename it, or map it with --map)", source=source, line=header,
                         field=guess)


def _no_column_for(name: str, raw: pl.DataFrame, source: str,
                   map_source: str | None, header: int) -> InputError:
    """Every row would be rejected for the same reason: say it once, for the file."""
    present = [c for c in raw.columns if c not in ("_index", READ_PROBLEM)]
    words = name.replace("_", " ")
    guess = near_miss(name, present) or near_miss(words, present) or next(
        (c for c in present if words in c.lower()), None)
    where = f"in {map_source}" if map_source else "with a column map (--map FILE)"
    found = f"; is it '{guess}'? Map it onto '{name}'" if guess else \
        f" (columns: {', '.join(present)}); map one onto it"
    also = ", or number lines by file and row ('line_id: row')" if name == "line_id" else ""
    return InputError(f"no column gives '{name}'{found} {where}{also}", source=source,
                      line=header, field=name)


def _derived(raw: pl.DataFrame, derive, source: str, map_source: str | None,
             header: int) -> pl.Expr:
    text = pl.col(_column(raw, derive.source, source, map_source, header)).str.strip_chars()
    result = pl.lit(derive.default, dtype=pl.Utf8)
    for rule in reversed(derive.rules):
        if rule.equals is not None:
            test = text.str.to_lowercase() == rule.equals.strip().lower()
        elif rule.one_of is not None:
            test = text.str.to_lowercase().is_in([v.strip().lower() for v in rule.one_of])
        else:
            test = text.str.contains(f"(?i){rule.matches}")
        result = pl.when(test.fill_null(False)).then(pl.lit(rule.value)).otherwise(result)
    return result


def _extra_columns(raw: pl.DataFrame, column_map: ColumnMap | None) -> list[tuple[str, str]]:
    mapped = set(column_map.columns) if column_map else set()
    targets = set(column_map.columns.values()) if column_map else set()
    out = []
    for name in raw.columns:
        if name in ("_index", READ_PROBLEM) or name in mapped or (
                name in LINE_FIELDS and not column_map):
            continue
        if name in LINE_FIELDS and column_map and name not in targets \
                and name not in column_map.set and name not in column_map.derive:
            continue  # used as the line field itself
        alias = f"{name} (ledger)" if name in LINE_FIELDS or name.startswith("_") else name
        out.append((name, alias))
    return out


_PARSERS = {"amount": columns.MONEY, "date": columns.DATE, "existing_service": columns.BOOLEAN,
            "cost_type": columns.choice(COST_TYPES)}


def _parse(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series, pl.Series]:
    """Typed lines; which rows have errors; and, for those rows only, their reasons.

    Most rows have no error: the reasons (text) are built only for the rows that
    a cheap test per field marks as wrong.
    """
    parsed = columns.parse_columns(frame, _PARSERS)
    amount, amount_error = parsed["amount"]
    day, date_error = parsed["date"]
    existing, existing_error = parsed["existing_service"]
    cost_type, cost_type_error = parsed["cost_type"]
    text_fields = [name for name, kind in LINE_FIELDS.items() if kind == "text"
                   and name != "cost_type"]
    # Most columns of an export have no padded or empty cell: clean only those that do.
    untidy = frame.select(columns.untidy(pl.col(name)).alias(name)
                          for name in text_fields).row(0, named=True)
    typed = frame.with_columns(
        *[columns.blank_to_null(pl.col(name)).alias(name)
          for name in text_fields if untidy[name]],
        cost_type.alias("cost_type"), amount.alias("amount"), day.alias("date"),
        existing.alias("existing_service"))
    ids = typed["line_id"]
    repeated = None
    # Distinct hashes prove distinct ids, at a quarter of the cost of comparing the ids.
    if ids.hash().n_unique() < ids.len() and ids.n_unique() < ids.len():
        repeated = ids.is_not_null() & ~ids.is_first_distinct()
    errors = {"amount": amount_error, "date": date_error, "existing_service": existing_error,
              "cost_type": cost_type_error}
    any_error = ids.is_null() | amount.is_null()
    for error in errors.values():
        any_error = any_error | error.is_not_null()
    if READ_PROBLEM in frame.columns:
        any_error = any_error | frame[READ_PROBLEM].is_not_null()
    if repeated is not None:
        any_error = any_error | repeated
    reasons = pl.Series(_ERRORS, [], dtype=pl.List(pl.Utf8))
    if any_error.any():
        reasons = _reasons(frame, typed, errors, repeated, any_error)
    typed = typed.cast({n: t for n, t in CANONICAL_SCHEMA.items()}).drop(READ_PROBLEM,
                                                                         strict=False)
    return typed, any_error, reasons


def _reasons(frame: pl.DataFrame, typed: pl.DataFrame, errors: dict[str, pl.Series],
             repeated: pl.Series | None, any_error: pl.Series) -> pl.Series:
    """For the rows with errors, in order: every reason each cannot be a line."""
    no = pl.repeat(False, frame.height, eager=True)
    rows = frame.with_columns(
        *[error.alias(f"_{name}_error") for name, error in errors.items()],
        typed["line_id"].alias("_id"),
        (no if repeated is None else repeated).alias("_repeated")).filter(any_error)
    first_row = pl.lit(None, dtype=pl.Int64)
    if repeated is not None:
        repeats = typed.filter(pl.col("line_id").is_in(rows.filter("_repeated")["_id"].implode()))
        firsts = dict(repeats.group_by("line_id").agg(pl.col(ROW).min()).iter_rows())
        first_row = pl.col("_id").replace_strict(list(firsts), list(firsts.values()),
                                                 default=None, return_dtype=pl.Int64)
    problem = [pl.col(READ_PROBLEM)] if READ_PROBLEM in rows.columns else []
    return rows.select(pl.concat_list(
        *problem,
        pl.when(pl.col("_id").is_null()).then(pl.lit("line_id: missing")),
        pl.when(columns.blank_to_null(pl.col("amount")).is_null())
        .then(pl.lit("amount: missing")).otherwise(
            pl.format("amount: {}", pl.col("_amount_error"))),
        pl.format("date: {}", pl.col("_date_error")),
        pl.format("existing_service: {}", pl.col("_existing_service_error")),
        pl.format("cost_type: {}", pl.col("_cost_type_error")),
        pl.when(pl.col("_repeated")).then(pl.format(
            "line_id: duplicate '{}' (first at row {})", pl.col("_id"), first_row)),
    ).list.drop_nulls().alias(_ERRORS))[_ERRORS]


def _rejections(bad: pl.DataFrame, raw: pl.DataFrame, source: str,
                first: int) -> list[RejectedRow]:
    raw_rows = raw.filter(pl.col("_index").is_in((bad[ROW] - first).implode())).drop(
        "_index", READ_PROBLEM, strict=False)
    out = []
    lines = bad[LINE] if LINE in bad.columns else pl.repeat(None, bad.height, eager=True)
    for info, values, line in zip(bad.select(ROW, "amount", _ERRORS).iter_rows(named=True),
                                  raw_rows.iter_rows(named=True), lines):
        out.append(RejectedRow(source, info[ROW], tuple(info[_ERRORS]), values, info["amount"],
                               line))
    return out


__all__ = ["typed_lines", "LedgerRead", "RejectedRow", "RejectedRowsError", "META_SCHEMA"]

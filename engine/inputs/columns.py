"""Whole-column parsing of ledger text into the line table's types.

Each parser accepts and rejects exactly what the scalar parsers in money.py
and dates.py do (they share one grammar; tests/inputs/test_columns.py checks the
two against each other on generated text), and returns the parsed column
plus an error column: null where the cell is fine or blank, else why not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from ..core.dates import ISO_PATTERN, UK_PATTERN
from ..core.money import BLANKS, MONEY_PATTERN

_BLANK = pl.lit(None, dtype=pl.Utf8)


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars(BLANKS)
    return pl.when(stripped.str.len_bytes() > 0).then(stripped).otherwise(_BLANK)


# A blank at either end, or nothing at all (BLANKS holds no character special in a class).
_UNTIDY = f"^[{BLANKS}]|[{BLANKS}]$|^$"


def untidy(expr: pl.Expr) -> pl.Expr:
    """Whether any cell of a text column would change under blank_to_null."""
    # A pattern test allocates nothing; stripping every cell to compare lengths wrote a
    # copy of the column, whose fresh pages cost more than the test.
    return expr.str.contains(_UNTIDY).any()


def money(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Text -> (Int64 pence, error message)."""
    raw = expr
    groups = raw.str.extract_groups(MONEY_PATTERN)
    opened = groups.struct.field("1").str.len_chars() > 0
    sign = groups.struct.field("2")
    sign_after = groups.struct.field("3")
    whole = groups.struct.field("4")
    fraction = groups.struct.field("5").fill_null("")
    closed = groups.struct.field("6").str.len_chars() > 0
    has_sign = (sign.str.len_chars() > 0) | (sign_after.str.len_chars() > 0)
    shape_ok = whole.is_not_null() & (opened == closed) & ~(
        (sign.str.len_chars() > 0) & (sign_after.str.len_chars() > 0)) & ~(opened & has_sign)
    sub_penny = fraction.str.slice(2).str.replace_all("0", "", literal=True).str.len_chars() > 0
    pence = (whole.str.replace_all(",", "", literal=True).cast(pl.Int64) * 100
             + fraction.str.slice(0, 2).str.pad_end(2, "0").cast(pl.Int64))
    negative = opened | (sign == "-") | (sign_after == "-")
    value = pl.when(shape_ok & ~sub_penny).then(
        pl.when(negative).then(-pence).otherwise(pence))
    blank = raw.is_null() | (raw.str.strip_chars(BLANKS).str.len_chars() == 0)
    shown = raw.str.strip_chars(BLANKS)
    error = (pl.when(blank).then(_BLANK)
             .when(~shape_ok).then(pl.format("'{}' is not an amount in pounds and pence", shown))
             .when(sub_penny).then(pl.format("'{}' has fractions of a penny", shown))
             .otherwise(_BLANK))
    return value.cast(pl.Int64), error


def date(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Text -> (Date, error message)."""
    text = expr.str.strip_chars(BLANKS)
    iso = text.str.extract_groups(ISO_PATTERN)
    uk = text.str.extract_groups(UK_PATTERN)
    year = pl.coalesce(iso.struct.field("1"), uk.struct.field("3"))
    month = pl.coalesce(iso.struct.field("2"), uk.struct.field("2")).str.pad_start(2, "0")
    day = pl.coalesce(iso.struct.field("3"), uk.struct.field("1")).str.pad_start(2, "0")
    value = pl.concat_str([year, month, day], separator="-").str.strptime(
        pl.Date, "%Y-%m-%d", strict=False)
    blank = text.is_null() | (text.str.len_chars() == 0)
    error = (pl.when(blank).then(_BLANK)
             .when(year.is_null()).then(
                 pl.format("'{}' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)", text))
             .when(value.is_null()).then(pl.format("'{}' is not a real date", text))
             .otherwise(_BLANK))
    return value, error


_TRUE = ["true", "yes", "y", "1"]
_FALSE = ["false", "no", "n", "0"]


def boolean(expr: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Text -> (Boolean, error message): true/false, yes/no, y/n, 1/0, any case."""
    text = expr.str.strip_chars(BLANKS).str.to_lowercase()
    value = (pl.when(text.is_in(_TRUE)).then(pl.lit(True))
             .when(text.is_in(_FALSE)).then(pl.lit(False)).otherwise(pl.lit(None, pl.Boolean)))
    blank = text.is_null() | (text.str.len_chars() == 0)
    error = (pl.when(blank | value.is_not_null()).then(_BLANK)
             .otherwise(pl.format("'{}' is not true or false", expr.str.strip_chars(BLANKS))))
    return value, error


# Most cells in a real export are plain: `1234.56`, `-£1,234.50`, `2025-09-15`,
# `15/09/2025`, `Yes`. Every cell takes a fast path (a cheap test, then polars'
# own exact decimal and date parsers); only cells it leaves unread (and not
# blank) go through the full grammar above, and their values are put back in
# place. Each fast path reads a subset of what the full grammar reads, to the
# same value (tests/inputs/test_columns.py).
_PLAIN_MONEY = r"^-?£?([0-9]{1,15}|[0-9]{1,3}(,[0-9]{3}){1,4})(\.[0-9]{1,2})?$"
_BARE_MONEY = r"^-?[0-9]{1,15}(\.[0-9]{1,2})?$"
_PLAIN_ISO_DATE = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"
_PLAIN_UK_DATE = r"^[0-9]{2}/[0-9]{2}/[1-9][0-9]{3}$"


@dataclass(frozen=True)
class Parser:
    """How to read one column: a fast path for plain cells (null where it cannot tell),
    and the full grammar, (value, error message), for the cells it leaves unread."""

    fast: Callable[[pl.Expr], pl.Expr]
    full: Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]


def _money_fast(text: pl.Expr) -> pl.Expr:
    def pence(digits: pl.Expr) -> pl.Expr:
        return (digits.cast(pl.Decimal(38, 2), strict=False) * 100).cast(pl.Int64)

    # Bare numbers are cast as they are: only a column with £ or thousands commas pays
    # for a copy without them.
    bare = text.str.replace_all("£", "", literal=True).str.replace_all(",", "", literal=True)
    return (pl.when(text.str.contains(_BARE_MONEY)).then(pence(text))
            .when(text.str.contains(_PLAIN_MONEY)).then(pence(bare)))


def _date_fast(text: pl.Expr) -> pl.Expr:
    # An impossible date such as 2025-02-30 is left to the full grammar, which says why.
    return (pl.when(text.str.contains(_PLAIN_ISO_DATE))
            .then(text.str.to_date("%Y-%m-%d", strict=False))
            .when(text.str.contains(_PLAIN_UK_DATE))
            .then(text.str.to_date("%d/%m/%Y", strict=False)))


def _casings(words: list[str]) -> list[str]:
    return [form for word in words for form in (word, word.title(), word.upper())]


def _boolean_fast(text: pl.Expr) -> pl.Expr:
    return (pl.when(text.is_in(_casings(_TRUE))).then(pl.lit(True))
            .when(text.is_in(_casings(_FALSE))).then(pl.lit(False)))


MONEY = Parser(_money_fast, money)
DATE = Parser(_date_fast, date)
BOOLEAN = Parser(_boolean_fast, boolean)


def choice(choices: tuple[str, ...]) -> Parser:
    """One of `choices`, in any case and padding; fast on exact ones."""
    def fast(text: pl.Expr) -> pl.Expr:
        return pl.when(text.is_in(choices)).then(text)

    def full(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        shown = blank_to_null(text)
        value = shown.str.to_lowercase()
        known = value.is_in(choices)
        return (pl.when(known).then(value),
                pl.when(shown.is_not_null() & ~known).then(
                    pl.format("'{}' is not {}", shown, pl.lit(" or ".join(choices)))))

    return Parser(fast, full)


def parse_columns(frame: pl.DataFrame, parsers: dict[str, Parser]
                  ) -> dict[str, tuple[pl.Series, pl.Series]]:
    """Per column: (parsed values, error messages: null where the cell is fine or blank).

    Every column's fast path runs in one select, so polars reads them side by side.
    """
    fast = frame.select(parser.fast(pl.col(name)).alias(name)
                        for name, parser in parsers.items())
    return {name: _complete(frame[name], fast[name], parser.full)
            for name, parser in parsers.items()}


def _complete(series: pl.Series, values: pl.Series, full) -> tuple[pl.Series, pl.Series]:
    """The full grammar on the cells the fast path left unread, put back in place."""
    # Only cells the fast path left empty can be blank, or need the full grammar.
    unread = values.is_null().arg_true()
    texts = series.gather(unread)
    unread = unread.filter(texts.str.strip_chars(BLANKS).str.len_bytes().fill_null(0) > 0)
    errors = pl.repeat(None, len(series), dtype=pl.Utf8, eager=True)
    if unread.len():
        value_expr, error_expr = full(pl.col("v"))
        parsed = series.gather(unread).to_frame("v").select(value_expr.alias("value"),
                                                           error_expr.alias("error"))
        values = values.scatter(unread, parsed["value"])
        errors = errors.scatter(unread, parsed["error"])
    return values, errors

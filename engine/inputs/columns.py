"""Whole-column parsing of ledger text into the line table's types.

Each parser accepts and rejects exactly what the scalar parsers in money.py
and dates.py do (they share one grammar; tests/test_columns.py checks the
two against each other on generated text), and returns the parsed column
plus an error column: null where the cell is fine or blank, else why not.
"""

from __future__ import annotations

import polars as pl

from ..dates import ISO_PATTERN, UK_PATTERN
from ..money import BLANKS, MONEY_PATTERN

_BLANK = pl.lit(None, dtype=pl.Utf8)


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    stripped = expr.str.strip_chars(BLANKS)
    return pl.when(stripped.str.len_chars() > 0).then(stripped).otherwise(_BLANK)


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


# Most cells in a real export are plain: `1234.56`, `-12`, `2025-09-15`. Those
# take a fast path (a cheap test, then polars' own exact decimal and date
# parsers); only the rest go through the full grammar above.
_PLAIN_MONEY = r"^-?[0-9]{1,15}(\.[0-9]{1,2})?$"
_PLAIN_DATE = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"


def _split_paths(series: pl.Series, plain: str, fast, slow) -> tuple[pl.Series, pl.Series]:
    is_plain = series.str.contains(plain).fill_null(False)
    fast_values = fast(series.filter(is_plain))
    rest = series.filter(~is_plain)
    frame = pl.DataFrame({"v": rest}, schema={"v": pl.Utf8})
    value_expr, error_expr = slow(pl.col("v"))
    slow_parsed = frame.select(value_expr.alias("value"), error_expr.alias("error"))
    order = pl.concat([pl.arg_where(is_plain, eager=True), pl.arg_where(~is_plain, eager=True)])
    values = pl.concat([fast_values.alias("value"), slow_parsed["value"]])
    errors = pl.concat([pl.Series("error", [None] * len(fast_values), dtype=pl.Utf8),
                        slow_parsed["error"]])
    back = order.arg_sort()
    return values.gather(back), errors.gather(back)


def money_series(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Text -> (Int64 pence, error message), as `money` but fast on plain cells."""
    def fast(plain: pl.Series) -> pl.Series:
        return (plain.cast(pl.Decimal(38, 2)) * 100).cast(pl.Int64)

    return _split_paths(series, _PLAIN_MONEY, fast, money)


def date_series(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Text -> (Date, error message), as `date` but fast on plain ISO cells."""
    def fast(plain: pl.Series) -> pl.Series:
        parsed = plain.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        if parsed.null_count():  # impossible dates such as 2025-02-30: the full grammar says why
            raise _NeedsFullGrammar
        return parsed

    try:
        return _split_paths(series, _PLAIN_DATE, fast, date)
    except _NeedsFullGrammar:
        frame = pl.DataFrame({"v": series}, schema={"v": pl.Utf8})
        value, error = date(pl.col("v"))
        parsed = frame.select(value.alias("value"), error.alias("error"))
        return parsed["value"], parsed["error"]


class _NeedsFullGrammar(Exception):
    pass

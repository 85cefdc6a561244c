"""Equal values and repeated keys in a million rows, found by hash, confirmed on values.

Hashing a column costs a few milliseconds per million rows, and sorting the
hashes puts equal ones side by side; grouping the values themselves (text
above all) costs ten times as much. A shared hash is only ever a candidate:
it is confirmed on the real values, so two different values that happen to
share a hash are never taken as equal.
"""

from __future__ import annotations

import polars as pl


def value_codes(values: pl.Series, hashes: pl.Series | None = None
                ) -> tuple[pl.Series, pl.Series]:
    """(per row, the number of its value, null for null; the distinct values by number).

    `hashes` is for tests, to force collisions; it defaults to the values' own.
    """
    hashes = values.hash() if hashes is None else hashes
    order = hashes.arg_sort()
    ordered = hashes.gather(order)
    starts = (ordered != ordered.shift(1)).fill_null(True)
    numbers = pl.repeat(0, values.len(), dtype=pl.UInt32, eager=True).scatter(
        order, (starts.cum_sum() - 1).cast(pl.UInt32))
    distinct = values.gather(order.filter(starts))
    if not values.eq_missing(distinct.gather(numbers)).all():
        return _exact_codes(values)
    nulls = values.is_null()
    if nulls.any():
        numbers = pl.select(pl.when(~nulls).then(numbers))[:, 0]
    return numbers, distinct


def _exact_codes(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """value_codes without hashes: for the (vanishingly rare) shared hash."""
    distinct = values.drop_nulls().unique(maintain_order=True)
    numbers = values.to_frame("v").join(
        distinct.to_frame("v").with_row_index("n"), on="v", how="left",
        maintain_order="left")["n"]
    return numbers.cast(pl.UInt32), distinct


def repeated(frame: pl.DataFrame, keys: list[str], hashes: pl.Series | None = None
             ) -> pl.Series:
    """Per row: whether its key (every column of `keys` filled) is some other row's too.

    Rows whose key hash is unique cannot repeat; only the others (few, in a real
    ledger) are compared on their values. `hashes` is for tests, as in value_codes.
    """
    hashes = frame.select(keys).hash_rows() if hashes is None else hashes
    ordered = hashes.sort()
    shared = ordered.filter(ordered == ordered.shift(1)).unique()
    candidates = hashes.is_in(shared.implode()).arg_true()
    result = pl.repeat(False, frame.height, eager=True)
    if not candidates.len():
        return result
    subset = frame.select(keys)[candidates]
    exact = subset.select((pl.struct(keys).is_duplicated()
                           & pl.all_horizontal(pl.all().is_not_null())).alias("r"))["r"]
    return result.scatter(candidates.filter(exact), True)

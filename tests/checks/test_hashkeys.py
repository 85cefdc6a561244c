"""Codes and repeated keys found by hash are exact: a shared hash is never taken as
equality, whether the hashes are the values' own or forced to collide."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.engine.checks.hashkeys import repeated, value_codes

TEXT = st.one_of(st.none(), st.sampled_from(["a", "A", "b", "", "a ", "ä"]))
# A hash must give equal values equal hashes; these give different values the same
# one far more often than a real hash does.
HASHINGS = {
    "own": lambda values: None,
    "all collide": lambda values: pl.Series([7] * len(values), dtype=pl.UInt64),
    "by length": lambda values: pl.Series([len(repr(v)) % 2 for v in values],
                                          dtype=pl.UInt64),
}


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=30), st.sampled_from(sorted(HASHINGS)))
def test_value_codes_number_equal_values_alike_and_different_values_apart(values, hashing):
    series = pl.Series("v", values, dtype=pl.Utf8)
    numbers, distinct = value_codes(series, HASHINGS[hashing](values))
    numbers = numbers.to_list()
    assert distinct.null_count() <= 1 and len(set(distinct.to_list())) == distinct.len()
    for value, number in zip(values, numbers):
        if value is None:
            assert number is None
        else:
            assert distinct[number] == value
    assert len({n for n in numbers if n is not None}) == len({v for v in values
                                                                if v is not None})


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, st.sampled_from([1, 2, None])), max_size=30),
       st.sampled_from(sorted(HASHINGS)))
def test_repeated_is_exactly_a_filled_key_seen_on_another_row(rows, hashing):
    frame = pl.DataFrame(rows, schema={"k": pl.Utf8, "n": pl.Int64}, orient="row")
    found = repeated(frame, ["k", "n"], HASHINGS[hashing](rows)).to_list()
    for row, flagged in zip(rows, found):
        expected = None not in row and rows.count(row) > 1
        assert flagged == expected, (row, rows)

"""Grouping lines no condition can tell apart (engine/partition.py), on tables as the
engine builds them: several files' lines concatenated, in several chunks."""

from __future__ import annotations

import polars as pl

from engine.conditions import Test as Leaf
from engine.partition import representatives

TESTS = [Leaf("amount", "gt", 100), Leaf("description", "matches", "nothing here matches"),
         Leaf("description", "matches", "hire")]


def _table(chunks: int) -> pl.DataFrame:
    part = pl.DataFrame({"amount": [50, 150, 150, 50],
                         "description": ["room hire", "room hire", "printing", None]})
    return pl.concat([part] * chunks, rechunk=False)


def test_every_line_gets_its_groups_first_line_whatever_the_chunks():
    one, many = _table(1), _table(5)
    assert many.n_chunks() == 5
    expected = representatives(one, TESTS).to_list()
    assert expected == [0, 1, 2, 3]
    assert representatives(many, TESTS).to_list() == expected * 5


def test_a_pattern_no_text_matches_groups_nothing_apart():
    only_unmatched = [Leaf("description", "matches", "nothing here matches")]
    assert representatives(_table(3), only_unmatched).to_list() == [0] * 12

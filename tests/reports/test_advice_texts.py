"""Funding advice as the reports write it: each line gets its own advice, or none, whether
the report asks for every line at once or a slice at a time."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from ringfence.engine.checks.advice import Advice
from ringfence.engine.reports.advice import NO_OTHER, advice_text, advice_texts

TAKES = (Advice("ffpp-transformation-2025-26", "31/7969", "FFPP", ("transformation",), False,
                True, 1_000_00),)
ELSEWHERE = (Advice("children-families-2025-26", "31/7834", "C&F", ("delivery", "voice"), True,
                    False, None),)


@given(st.dictionaries(st.integers(0, 60), st.sampled_from([TAKES, ELSEWHERE, ()]),
                       max_size=40),
       st.lists(st.integers(0, 60), unique=True, max_size=40))
def test_each_line_gets_its_own_advice_however_many_are_asked(advice, seqs):
    seqs = sorted(seqs)
    written = advice_texts(advice, pl.Series(seqs, dtype=pl.Int64), advice_text).to_list()
    assert written == [advice_text(advice[seq]) if seq in advice else None for seq in seqs]


def test_a_slice_of_a_report_writes_only_its_own_lines():
    advice = {seq: TAKES if seq % 2 else () for seq in range(1_000)}
    written = advice_texts(advice, pl.Series([3, 4, 2_000], dtype=pl.Int64), advice_text)
    assert written.to_list() == [advice_text(TAKES), NO_OTHER, None]

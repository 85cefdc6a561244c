"""Grouping lines no condition can tell apart (engine/checks/partition.py), on tables as the
engine builds them: several files' lines concatenated, in several chunks."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ringfence.engine.checks.partition import column_words, representatives
from ringfence.engine.models.conditions import check_pattern
from ringfence.engine.packs.conditions import Test as Leaf
from ringfence.engine.packs.conditions import word_pattern
from ringfence.engine.packs.facts import words

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


# Word patterns are tested in polars (Rust regex) where the pattern reads the same in
# both engines, and in Python otherwise; the grouping must be the one Python's re gives.
_quantifiers = st.sampled_from(["", "*", "+", "?", "{2}", "{1,}", "{0,2}", "*?", "??", "{1,2}?",
                                "{,2}", "*+", "?+", "{1}+", "{ 2}"])
_classes = st.builds(lambda negated, items: f"[{negated}{''.join(items)}]",
                     st.sampled_from(["", "^"]),
                     st.lists(st.sampled_from(["a", "b", "a-c", "0-9", " ", ".", "(", "|", "{",
                                               "*", "-", "["]), min_size=1, max_size=3))
_atoms = st.one_of(st.sampled_from(list("ab1 .,-{}")), _classes)
_patterns = st.recursive(_atoms, lambda inner: st.one_of(
    st.builds("".join, st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda alternatives: f"({'|'.join(alternatives)})",
              st.lists(inner, min_size=1, max_size=3)),
    st.builds(lambda atom, quantifier: atom + quantifier, inner, _quantifiers)),
    max_leaves=6)
_texts = st.one_of(st.none(), st.lists(st.sampled_from(
    ["a", "b", "ab", "ba", "aab", "1", "11", "é", "A.B", "a-b", ",", "{a}", "ǅ", "ﬁ", "½"]),
    max_size=5).map(" ".join))


def _valid(pattern: str) -> str | None:
    try:
        return check_pattern(pattern)
    except ValueError:
        return None


@pytest.mark.filterwarnings("ignore:Possible:FutureWarning")  # "[[" or "||" in a class
@settings(max_examples=300, deadline=None)
@given(st.lists(_patterns, min_size=1, max_size=3), st.lists(_texts, min_size=1, max_size=12))
def test_lines_share_a_group_exactly_when_python_re_gives_them_the_same_answers(patterns, texts):
    patterns = [p for p in map(_valid, patterns) if p is not None]
    assume(patterns)
    assert _grouped(patterns, texts) == _python_groups(patterns, texts)


def _grouped(patterns: list[str], texts: list[str | None]) -> list[int]:
    table = pl.DataFrame({"description": texts}, schema={"description": pl.Utf8})
    return representatives(table, [Leaf("description", "matches", p) for p in patterns]
                           ).to_list()


def _python_groups(patterns: list[str], texts: list[str | None]) -> list[int]:
    """Per text, the first text with the same answers from Python's re to every pattern."""
    regexes = [re.compile(word_pattern(p)) for p in patterns]
    answers = [tuple(text is not None and regex.fullmatch(words(text)) is not None
                     for regex in regexes) for text in texts]
    return [answers.index(answer) for answer in answers]


def test_patterns_too_large_for_polars_together_are_still_tested_alike():
    # The second and third each build in polars on their own, but their alternation is
    # beyond polars' regex size limit; the first is beyond it even alone.
    big = ["((a|b){1000}){1000}", "((a|b){100}){400}", "((a|c){100}){400}", "hire"]
    texts = ["room hire", "a" * 40_000, "c" * 40_000, "hire " + "ac" * 20_000, "b", None]
    expected = _python_groups(big, texts)
    assert expected == [0, 1, 2, 3, 4, 4]
    assert _grouped(big, texts) == expected


@given(st.lists(st.text(), max_size=20))
def test_column_words_are_the_words_python_gives(texts):
    assert column_words(pl.Series(texts, dtype=pl.Utf8)).to_list() == list(map(words, texts))


def test_calls_sharing_their_texts_group_as_calls_on_their_own():
    table, texts = _table(3), {}
    for tests in (TESTS, TESTS[1:], [Leaf("description", "matches", "room")]):
        assert representatives(table, tests, texts).to_list() == \
            representatives(table, tests).to_list()
    assert list(texts) == ["description"]

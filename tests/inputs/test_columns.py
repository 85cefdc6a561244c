"""The vectorised column parsers accept and reject exactly what the scalar ones do."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.engine.core.dates import DateError, parse_date
from ringfence.engine.core.money import MoneyError, parse_pence
from ringfence.engine.inputs import columns

MONEY_ALPHABET = "0123456789,.£()+- \u00a0x"
money_text = st.one_of(
    st.text(alphabet=MONEY_ALPHABET, max_size=14),
    st.builds(lambda p, fmt: fmt.format(abs(p) // 100, abs(p) % 100, "-" if p < 0 else ""),
              st.integers(-10**12, 10**12),
              st.sampled_from(["{2}{0}.{1:02d}", "({0}.{1:02d})", "£{2}{0:,}.{1:02d}",
                               "{2}£{0}", " {2}{0},{1:03d} ", "{0}.{1:02d}0", "{0}.{1:02d}1"])))
date_text = st.one_of(
    st.text(alphabet="0123456789-/ T:.", max_size=19),
    st.builds(lambda y, m, d, fmt: fmt.format(y=y, m=m, d=d),
              st.integers(0, 10000), st.integers(0, 13), st.integers(0, 32),
              st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{d}/{m}/{y}", "{d:02d}/{m:02d}/{y:04d}",
                               "{y:04d}-{m:02d}-{d:02d} 00:00:00", "{y}-{m}-{d}"])))


def _scalar(parse, error, text):
    if not text.strip(" \t\r\n\u00a0"):
        return None, False
    try:
        return parse(text), False
    except error:
        return None, True


@settings(max_examples=300, deadline=None)
@given(st.lists(money_text, min_size=1, max_size=40))
def test_money_column_matches_scalar_parser(texts):
    value, error = columns.money(pl.col("a"))
    got = pl.DataFrame({"a": texts}, schema={"a": pl.Utf8}).select(value.alias("v"),
                                                                   error.alias("e"))
    for text, v, e in zip(texts, got["v"].to_list(), got["e"].to_list()):
        expected, failed = _scalar(parse_pence, MoneyError, text)
        assert (v, e is not None) == (expected, failed), text


@settings(max_examples=300, deadline=None)
@given(st.lists(date_text, min_size=1, max_size=40))
def test_date_column_matches_scalar_parser(texts):
    value, error = columns.date(pl.col("a"))
    got = pl.DataFrame({"a": texts}, schema={"a": pl.Utf8}).select(value.alias("v"),
                                                                   error.alias("e"))
    for text, v, e in zip(texts, got["v"].to_list(), got["e"].to_list()):
        expected, failed = _scalar(parse_date, DateError, text)
        assert (v, e is not None) == (expected, failed), text


@settings(max_examples=200, deadline=None)
@given(st.lists(money_text, min_size=1, max_size=40), st.lists(date_text, min_size=1, max_size=40))
def test_fast_paths_give_the_same_answers(amounts, days):
    values, errors = columns.parse_columns(pl.DataFrame({"a": amounts}, schema={"a": pl.Utf8}),
                                           {"a": columns.MONEY})["a"]
    for text, v, e in zip(amounts, values.to_list(), errors.to_list()):
        assert (v, e is not None) == _scalar(parse_pence, MoneyError, text), text
    values, errors = columns.parse_columns(pl.DataFrame({"a": days}, schema={"a": pl.Utf8}),
                                           {"a": columns.DATE})["a"]
    for text, v, e in zip(days, values.to_list(), errors.to_list()):
        assert (v, e is not None) == _scalar(parse_date, DateError, text), text


boolean_text = st.one_of(
    st.sampled_from(["true", "True", "TRUE", "tRuE", "yes", "Yes", "YES", "y", "Y", "1", "false",
                     "False", "FALSE", "no", "No", "NO", "n", "N", "0", " yes ", "maybe", ""]),
    st.text(alphabet="yesnotrufalYESNOTRUFAL10 ", max_size=6))


@settings(max_examples=200, deadline=None)
@given(st.lists(boolean_text, min_size=1, max_size=40))
def test_the_boolean_fast_path_gives_the_full_grammars_answers(texts):
    series = pl.Series("a", texts, dtype=pl.Utf8)
    values, errors = columns.parse_columns(series.to_frame(), {"a": columns.BOOLEAN})["a"]
    value, error = columns.boolean(pl.col("a"))
    full = series.to_frame().select(value.alias("v"), error.alias("e"))
    assert values.to_list() == full["v"].to_list()
    assert [e is not None for e in errors] == [e is not None for e in full["e"]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab \t\r\n\u00a0\u2003", max_size=5)),
                min_size=1, max_size=20))
def test_a_column_is_untidy_exactly_when_blank_to_null_would_change_a_cell(texts):
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.Utf8})
    changed = frame.select(~columns.blank_to_null(pl.col("t")).eq_missing(pl.col("t")))[:, 0]
    assert frame.select(columns.untidy(pl.col("t")))[0, 0] is changed.any()

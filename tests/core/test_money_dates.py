"""Money and dates are parsed exactly, as the cases in tests/cases/ specify."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml
from helpers import TEST_CASES
from hypothesis import given
from hypothesis import strategies as st

from ringfence.engine.core.dates import DateError, parse_date
from ringfence.engine.core.money import MoneyError, format_gbp, format_plain, parse_pence

CASES = TEST_CASES
MONEY = yaml.safe_load((CASES / "money.yaml").read_text())
DATES = yaml.safe_load((CASES / "dates.yaml").read_text())


@pytest.mark.parametrize("text,pence", MONEY["valid"].items())
def test_valid_amounts(text, pence):
    assert parse_pence(text) == pence


@pytest.mark.parametrize("text", MONEY["invalid"])
def test_invalid_amounts_are_rejected(text):
    with pytest.raises(MoneyError):
        parse_pence(text)


@pytest.mark.parametrize("text,day", DATES["valid"].items())
def test_valid_dates(text, day):
    assert parse_date(text) == (day if isinstance(day, dt.date) else parse_date(day))


@pytest.mark.parametrize("text", DATES["invalid"])
def test_invalid_dates_are_rejected(text):
    with pytest.raises(DateError):
        parse_date(text)


def test_floats_are_refused_because_they_are_already_inexact():
    with pytest.raises(MoneyError):
        parse_pence(0.1)


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_formatting_round_trips(pence):
    assert parse_pence(format_plain(pence)) == pence
    assert parse_pence(format_gbp(pence)) == pence
    assert Decimal(format_plain(pence)) * 100 == pence

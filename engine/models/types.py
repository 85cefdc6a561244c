"""Field types shared by the file formats: exact money, dates, text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from ..core.dates import DateError, parse_date
from ..core.money import MoneyError, format_plain, parse_pence


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _pence(value: Any) -> int:
    try:
        return parse_pence(value)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


def _date(value: Any) -> dt.date:
    try:
        return parse_date(value)
    except DateError as exc:
        raise ValueError(str(exc)) from None


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return str(value)


_MONEY_SCHEMA = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\(?[+-]?£?[+-]?[0-9][0-9,]*(\.[0-9]+)?\)?$"},
    ],
    "description": "pounds: 1234.5, '£1,234.50', -12, '(12.00)' (= -12); exact to the penny",
}

#: Money in integer pence: exact, and a plain integer column in tables.
Pence = Annotated[int, BeforeValidator(_pence), PlainSerializer(format_plain, return_type=str),
                  WithJsonSchema(_MONEY_SCHEMA)]
Day = Annotated[dt.date, BeforeValidator(_date),
                WithJsonSchema({"type": "string", "description": "YYYY-MM-DD or DD/MM/YYYY"})]
Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string"})]

"""Expenditure lines: the canonical fields every input is mapped onto."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from ..core.money import BLANKS
from ..core.suggest import did_you_mean, near_miss
from .types import Day, Pence, Text

#: Canonical line fields with their kind; conditions may only name these.
LINE_FIELDS: dict[str, str] = {
    "line_id": "text",
    "date": "date",
    "amount": "money",
    "description": "text",
    "purpose": "text",
    "cost_type": "text",
    "category": "text",
    "supplier": "text",
    "reference": "text",
    "grant": "text",
    "existing_service": "boolean",
}
TEXT_FIELDS = tuple(name for name, kind in LINE_FIELDS.items() if kind == "text")


class Line(BaseModel):
    """One proposed or actual expenditure. Other keys are kept as extra columns."""

    model_config = ConfigDict(extra="allow", frozen=True)

    line_id: Text
    date: Day | None = None
    amount: Pence
    description: Text | None = None
    purpose: Text | None = None
    cost_type: Literal["revenue", "capital"] | None = None
    category: Text | None = None
    supplier: Text | None = None
    reference: Text | None = None
    grant: Text | None = None
    existing_service: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _reject_misspelt_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key in LINE_FIELDS:
                    continue
                guess = near_miss(str(key), LINE_FIELDS)
                if guess and guess not in data:
                    raise ValueError(f"unknown field '{key}'{did_you_mean(guess)}")
                if data[key] is None:
                    raise ValueError(f"'{key}' has no value: is there an unquoted comma in "
                                     "the text before it?")
            # Blank cells mean "not given", whatever the field.
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    @field_validator("line_id")
    @classmethod
    def _trim_line_id(cls, value: str) -> str:
        # Reports strip text, so 'L1 ' is 'L1': it must be a duplicate here too.
        return value.strip(BLANKS)

    def extras(self) -> dict[str, Any]:
        return dict(self.__pydantic_extra__ or {})


LineDate = dt.date

"""Column maps (`--map FILE`): how a finance export's columns become line fields."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..core.suggest import hint
from .lines import LINE_FIELDS
from .types import StrictModel, Text


class DeriveRule(StrictModel):
    """One test on the source column; the first rule that holds gives the value."""

    matches: Text | None = Field(default=None, description="regular expression, case-insensitive, "
                                 "found anywhere in the source text")
    equals: Text | None = Field(default=None, description="the whole source text, any case")
    one_of: Annotated[list[Text], Field(min_length=1)] | None = Field(
        default=None, description="the whole source text is one of these, any case (e.g. a "
        "list of cost centres)")
    value: Text

    @model_validator(mode="after")
    def _one_test(self):
        if sum(test is not None for test in (self.matches, self.equals, self.one_of)) != 1:
            raise ValueError("give exactly one of 'matches', 'equals' or 'one_of'")
        if self.matches is not None:
            _check_regex(self.matches)
        return self


def _check_regex(pattern: str) -> None:
    """The pattern as the ledger reader runs it (polars, Rust's regex: no look-around or
    back-references, which Python's re would accept), so that a map that loads runs."""
    import polars as pl

    try:
        pl.select(pl.lit("").str.contains(f"(?i){pattern}"))
    except pl.exceptions.PolarsError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        why = next((line.removeprefix("error: ") for line in lines if line.startswith("error:")),
                   lines[0].removeprefix("regex error: ") if lines else "invalid")
        raise ValueError(f"'{pattern}' is not a valid regular expression (as polars runs "
                         f"it): {why}") from None


class Derive(StrictModel):
    source: Text | list[Text] = Field(alias="from", description="the ledger column to read "
                                      "(or a list: the first one a file has)")
    rules: list[DeriveRule] = Field(default_factory=list)
    default: Text | None = Field(default=None, description="value when no rule holds "
                                 "(leave out to keep the field empty)")


class ColumnMap(StrictModel):
    """Rename a ledger's columns onto line fields, set constants, derive fields."""

    columns: dict[str, str] = Field(
        default_factory=dict, description="ledger column -> line field; several columns may "
        "name one field when a council's files differ (the first one a file has is used)")
    line_id: Literal["row"] | None = Field(
        default=None, description="'row': ids are <file name>:<row>, for ledgers without a "
        "unique id column")
    header_row: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="the header's row number (from 1), when the first row "
        "holding the mapped columns is not it; rows above it are preamble")
    set: dict[str, Text] = Field(default_factory=dict, description="line field -> constant")
    derive: dict[str, Derive] = Field(default_factory=dict, description="line field -> rules")

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, value: dict[str, str]) -> dict[str, str]:
        for _column, target in value.items():
            _check_field(target)
        return value

    @field_validator("set", "derive")
    @classmethod
    def _known_fields(cls, value: dict) -> dict:
        for target in value:
            _check_field(target)
        return value

    @model_validator(mode="after")
    def _each_field_once(self):
        sources = {"columns": set(self.columns.values()), "set": set(self.set),
                   "derive": set(self.derive)}
        if self.line_id:
            sources["line_id"] = {"line_id"}
        seen: dict[str, str] = {}
        for where, fields in sources.items():
            for name in fields:
                if name in seen:
                    raise ValueError(f"'{name}' is given by both '{seen[name]}' and '{where}'")
                seen[name] = where
        return self


def _check_field(name: str) -> None:
    if name not in LINE_FIELDS:
        raise ValueError(f"'{name}' is not a line field{hint(name, LINE_FIELDS, 'fields')}")

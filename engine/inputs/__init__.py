"""Readers: each turns one input file into lines (a table) and, where it has them, awards."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..errors import InputError
from ..models.awards import AwardsFile


@dataclass
class InputFile:
    path: str
    table: pl.DataFrame
    awards: AwardsFile | None = None
    #: Where each line is written, for reports that point into the file: line_id -> line.
    positions: dict[str, int] = field(default_factory=dict)
    #: Where each award is written (grant -> line), to point errors at it.
    award_lines: dict[str, dict[str, int]] = field(default_factory=dict)


def read_input(path: str | Path, **options) -> InputFile:
    from .proposal import read_proposal

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        return read_proposal(path)
    raise InputError(f"unsupported input type '{suffix}' (expected .yaml, .yml or .json)",
                     source=str(path))

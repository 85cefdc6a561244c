"""CSV report: one row per line with its status, money by status and findings.

Text from the input that a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) is prefixed with an apostrophe; amounts
are plain numbers. A CSV file has nowhere for the evidence: with --output
the CLI writes it beside the report as OUTPUT.evidence.json.
"""

from __future__ import annotations

import re

import polars as pl

from .flat import FINDINGS, flat_frame, text_columns

_FORMULA_START = r"^[=+\-@\t\r]"


def inert_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells from the input made inert (the status and findings are ours)."""
    # Most columns have no such cell: find which do first, and copy only those.
    found = frame.select(pl.col(name).str.contains(_FORMULA_START).any()
                         for name in text_columns(frame)
                         if name not in ("status", FINDINGS)).row(0, named=True)
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, hit in found.items() if hit)


def inert_headers(frame: pl.DataFrame) -> pl.DataFrame:
    """Headers (a ledger's own column names) made inert."""
    return frame.rename({name: f"'{name}" for name in frame.columns
                         if re.match(_FORMULA_START, name)})


def write(result, stream, context) -> None:
    """To `stream`, or when it is None to the file `context.output`."""
    frame = inert_headers(flat_frame(result, inert=inert_cells))
    if stream is None:
        # As bytes (polars writes UTF-8) to a file opened here: polars' write_csv(path)
        # would create it and then open it again truncating it, which ext4 flushes on close.
        with open(context.output, "wb") as file:
            frame.write_csv(file)
        return
    # Through the text layer a quarter-gigabyte report would be decoded and encoded again
    # for nothing: a stream's bytes take the CSV as polars writes it.
    binary = getattr(stream, "buffer", None)
    if binary is None:
        frame.write_csv(stream)
        return
    stream.flush()
    frame.write_csv(binary)

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
    """Text cells from the input made inert (the status and findings are ours), and
    without NUL characters, which cut a cell short in spreadsheets and C tools: each
    shows as U+FFFD, as in the Excel report."""
    # Most columns have no such cell: find which do first, and copy only those.
    names = [name for name in text_columns(frame) if name not in ("status", FINDINGS)]
    found = frame.select(
        *(pl.col(name).str.contains(_FORMULA_START).any().alias(f"f{i}")
          for i, name in enumerate(names)),
        *(pl.col(name).str.contains(NUL, literal=True).any().alias(f"n{i}")
          for i, name in enumerate(names))).row(0, named=True) if names else {}
    return frame.with_columns(
        _without_nul(pl.when(pl.col(name).str.contains(_FORMULA_START))
                     .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name))
                     if found[f"f{i}"] else pl.col(name), found[f"n{i}"]).alias(name)
        for i, name in enumerate(names) if found[f"f{i}"] or found[f"n{i}"])


NUL = "\x00"


def _without_nul(expr: pl.Expr, has_nul: bool = True) -> pl.Expr:
    return expr.str.replace_all(NUL, "\ufffd", literal=True) if has_nul else expr


def inert_headers(frame: pl.DataFrame) -> pl.DataFrame:
    """Headers (a ledger's own column names) made inert."""
    renamed = {name: _inert_name(name) for name in frame.columns}
    return frame.rename({name: new for name, new in renamed.items() if new != name})


def _inert_name(name: str) -> str:
    name = name.replace(NUL, "\ufffd")
    return f"'{name}" if re.match(_FORMULA_START, name) else name


def write(result, stream, context) -> None:
    """To `stream`, or when it is None to the file `context.output`."""
    frame = inert_headers(flat_frame(result, inert=inert_cells))
    if frame[FINDINGS].str.contains(NUL, literal=True).any():  # messages quote input values
        frame = frame.with_columns(_without_nul(pl.col(FINDINGS)))
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

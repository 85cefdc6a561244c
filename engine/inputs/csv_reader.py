"""CSV ledgers as real finance systems export them.

Encodings seen in published spend files: UTF-8 with or without a byte-order
mark, a byte-order mark that was itself re-encoded as if it were cp1252 text
(bytes c3 af c2 bb c2 bf, as in Manchester's files), and cp1252.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from ..errors import InputError

_BOMS = (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf")


def decode(raw: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes of the file's text, and the encoding it was read as."""
    for bom in _BOMS:
        if raw.startswith(bom):
            raw = raw[len(bom):]
            break
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace").encode("utf-8"), "cp1252"


def read_text_columns(path: Path) -> pl.DataFrame:
    """Every column as text, one row per record; ragged rows are refused, not cut."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None
    data, _ = decode(raw)
    if not data.strip():
        raise InputError("the file is empty: no header row", source=str(path), line=1)
    header = next(csv.reader(io.StringIO(data[:65536].decode("utf-8", "replace"))), [])
    _check_header(header, path)
    try:
        frame = pl.read_csv(io.BytesIO(data), infer_schema=False, has_header=True,
                            low_memory=False, raise_if_empty=False)
    except pl.exceptions.ComputeError:
        return _read_ragged(data, path)
    return frame.rename({old: new.strip() for old, new in zip(frame.columns, header)})


def _check_header(header: list[str], path: Path) -> None:
    names = [h.strip() for h in header]
    for index, name in enumerate(names):
        if not name:
            raise InputError(f"column {index + 1} has no name in the header row",
                             source=str(path), line=1)
        if names.index(name) != index:
            raise InputError(f"column '{name}' appears twice in the header row",
                             source=str(path), line=1, field=name)


def _read_ragged(data: bytes, path: Path) -> pl.DataFrame:
    """A file whose rows do not all have the header's width: find the first such row."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    header = next(reader)
    for record_index, record in enumerate(reader):
        if len(record) > len(header):
            raise InputError(f"row has {len(record)} fields but the header has {len(header)}",
                             source=str(path), line=record_index + 2)
    raise InputError("not a readable CSV file", source=str(path))

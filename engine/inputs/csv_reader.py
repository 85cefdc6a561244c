"""CSV ledgers as real finance systems export them.

Encodings seen in published spend files: UTF-8 with or without a byte-order
mark, a byte-order mark that was itself re-encoded as if it were cp1252 text
(bytes c3 af c2 bb c2 bf, as in Manchester's files), and cp1252; also read:
UTF-16 (as Excel's "Unicode text" saves it), lines of UTF-8 and cp1252 mixed in
one file, and CR-only line ends.

Rows are records, as a spreadsheet shows them: a quoted cell may span lines,
and a blank line is a (blank) row, so row numbers match what a person sees.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
from pathlib import Path

import polars as pl

from ..core.errors import InputError
from ..models.column_map import ColumnMap
from .layout import SEARCH_ROWS, Preamble, find_header, rows_to_read
from .ledger import PHYSICAL, READ_PROBLEM, beyond_header

_BOMS = (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf")


def _keep_undefined(error: UnicodeError) -> tuple[str, int]:
    # Five bytes have no cp1252 character; Windows reads them as the C1 control
    # characters of the same number. Doing the same keeps every byte of the text.
    assert isinstance(error, UnicodeDecodeError)  # registered for decoding only
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("ringfence-cp1252", _keep_undefined)


def _without_mark(raw: bytes) -> bytes:
    for bom in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):]
    return raw


def decode(raw: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes of the file's text, and the encoding it was read as.

    A file that is not UTF-8 throughout is read line by line: each line that is UTF-8 as
    UTF-8, each other line as cp1252. A UTF-8 export with one line pasted from a Windows
    program keeps every other name as written, where reading the whole file as cp1252
    would garble each of them without a word. (A file of cp1252 text reads the same
    either way: its lines are not UTF-8.)
    """
    raw = _without_mark(raw)
    try:
        raw.decode("utf-8")
        return raw, "utf-8"
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    out = []
    for line in lines:
        try:
            line.decode("utf-8")
            out.append(line)
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="ringfence-cp1252").encode("utf-8"))
    return b"\n".join(out), "cp1252"


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def _utf16(head: bytes) -> bool:
    """UTF-16 text: a UTF-16 byte-order mark, or a NUL in every other byte of ASCII."""
    if head.startswith(_UTF16_MARKS):
        return True
    sample = head[:4096]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4
                                 or sample[0::2].count(0) > len(sample) // 4)


def _as_utf8_lines(path: Path, head: bytes, everything) -> bytes | None:
    """The whole file as UTF-8 text with newline line ends, when it needs converting to
    be read at all: UTF-16 (as some Windows tools save CSV), or CR-only line ends (old
    Mac exports). None for the files polars reads as they are."""
    if _utf16(head):
        raw = everything()
        try:
            if raw.startswith(_UTF16_MARKS):
                text = raw.decode("utf-16")
            else:
                text = raw.decode("utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be")
        except UnicodeDecodeError as exc:
            raise InputError(f"the file is UTF-16 text with a broken character at byte "
                             f"{exc.start}: save it again as UTF-8 CSV", source=str(path),
                             line=1) from None
        return text.encode("utf-8").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"\r" in head and b"\n" not in head:
        return everything().replace(b"\r", b"\n")
    return None


_SOMETHING = re.compile(rb"\S")
_HEAD = 65536  # enough of a file to hold its header row


def read_text_columns(path: Path, column_map: ColumnMap | None = None,
                      map_source: str | None = None, beside=None
                      ) -> tuple[pl.DataFrame, Preamble]:
    """Every column as text, one row per record below the header; and the rows above it.

    The header is the first row holding the columns the map names (inputs/layout.py).
    A row with values beyond the header's columns keeps the header's width and
    says why it cannot be a line (column READ_PROBLEM): nothing is cut silently.
    A short row reads as if its missing cells were empty, as spreadsheets do.
    """
    try:
        with path.open("rb") as stream:
            regular = stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
            head = stream.read(_HEAD) if regular else stream.read()
            whole = not regular or not stream.read(1)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None
    converted = _as_utf8_lines(path, head, path.read_bytes if regular else lambda: head)
    if converted is not None:  # read from memory from here on
        head, regular, whole = converted, False, True
    if not _SOMETHING.search(_without_mark(head)):
        raise InputError("the file is empty: no header row", source=str(path), line=1)
    limit = rows_to_read(column_map)
    first_rows = _first_records(_without_mark(head), whole, limit)
    if len(first_rows) < limit and not whole:  # a header_row further down than the head
        first_rows = _first_records(_without_mark(path.read_bytes()), True, limit)
    header = find_header(first_rows, column_map, str(path), map_source)
    preamble = Preamble.of(first_rows, header)
    names = _header_names(first_rows[header], path, header + 1)
    # polars checks the bytes are UTF-8 as it reads them, so most files are read once,
    # straight from the file when it is a plain file with no byte-order mark (a pipe,
    # as in <(...), can only be read once: it is read here); only a file polars refuses
    # is decoded here (cp1252) or read record by record.
    frame = None
    if regular and _without_mark(head) == head:
        try:
            # (absolute: polars would expand a name starting with ~ as a home directory)
            frame = _read(path.absolute(), header)
        except pl.exceptions.ComputeError:
            pass
    data = head
    if frame is None:
        data = _without_mark(path.read_bytes() if regular else head)
        try:
            frame = _read(io.BytesIO(data), header)
        except pl.exceptions.ComputeError:
            data, encoding = decode(data)
            if encoding != "utf-8":
                try:
                    frame = _read(io.BytesIO(data), header)
                except pl.exceptions.ComputeError:
                    pass
    # polars skips rows above the header by its own reading of the quotes: should it
    # ever disagree with the csv module's, the file is read record by record.
    if frame is None or [c.strip() for c in frame.columns[:len(names)]] != names:
        return _read_record_by_record(data, names, path, header), preamble
    cells = frame.columns
    named = frame.select(pl.col(c).alias(n) for c, n in zip(cells, names))
    header_end = header + 1 + sum(cell.count("\n") for row in first_rows[:header + 1]
                                  for cell in row)
    physical = None
    if _newlines(path if regular else data) != header_end + frame.height:
        physical = _physical_lines(frame, header_end)
    if physical is not None:
        named = named.with_columns(physical)
    if len(cells) == len(names):
        return named, preamble
    # The header ends in unnamed cells (a trailing comma): rows with values there
    # cannot be lines; empty ones are harmless.
    beyond = frame.select(cells[len(names):])
    filled = beyond.select(pl.any_horizontal(
        pl.all().str.strip_chars().str.len_bytes() > 0).fill_null(False).alias("f"))["f"]
    problems: list[str | None] = [None] * frame.height
    for index in filled.arg_true():
        problems[index] = beyond_header(len(names), beyond.row(index))
    return named.with_columns(pl.Series(READ_PROBLEM, problems, dtype=pl.Utf8)), preamble


def first_rows(path: Path) -> list[list[str]]:
    """The file's first records (up to SEARCH_ROWS and a few more), as read."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
            whole = not stream.read(1)
        converted = _as_utf8_lines(path, head, path.read_bytes)
        if converted is not None:
            head, whole = converted[:_HEAD], len(converted) <= _HEAD
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None
    return _first_records(_without_mark(head), whole, SEARCH_ROWS + 1)


def _newlines(source: Path | bytes) -> int:
    """The file's lines (its newlines, and a last line without one): as many as its rows
    unless a quoted cell spans lines. Counted in chunks, at memory speed."""
    if isinstance(source, bytes):
        return source.count(b"\n") + (not source.endswith(b"\n"))
    count, last = 0, b"\n"
    with source.open("rb") as stream:
        while chunk := stream.read(1 << 23):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _physical_lines(frame: pl.DataFrame, header_end: int) -> pl.Series | None:
    """Each record's first physical line, when a quoted cell spans lines (else None: the
    line is the row). `header_end`: the line the header record ends on."""
    # A literal search of every cell (memchr) settles most files: no cell holds a newline.
    if not frame.select(pl.any_horizontal(
            pl.all().str.contains("\n", literal=True)).any()).item():
        return None
    breaks = frame.select(pl.sum_horizontal(
        pl.all().str.count_matches("\n", literal=True).fill_null(0)).alias("n"))["n"]
    before = breaks.cum_sum() - breaks
    return (pl.int_range(0, frame.height, eager=True) + header_end + 1 + before).cast(
        pl.Int64).alias(PHYSICAL)


def _first_records(head: bytes, whole: bool, limit: int) -> list[list[str]]:
    """The first records of the file (enough to find its header), as the csv module reads
    them. A record cut off where `head` ends is left out."""
    text = _head_text(head if whole else head[:head.rfind(b"\n") + 1] or head)
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline="")):
            records.append(record)
            if len(records) >= limit:
                break
    except csv.Error:
        pass  # the rows read so far are enough to find a header; reading says the rest
    return records


def _head_text(head: bytes) -> str:
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        return decode(head)[0].decode("utf-8")


def _header_names(header: list[str], path: Path, row: int) -> list[str]:
    """The header's column names, trimmed; unnamed cells at its end are not columns."""
    names = [h.strip() for h in header]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise InputError("the header row names no columns", source=str(path), line=row)
    for index, name in enumerate(names):
        if not name:
            raise InputError(f"column {index + 1} has no name in the header row",
                             source=str(path), line=row)
        if names.index(name) != index:
            raise InputError(f"column '{name}' appears twice in the header row",
                             source=str(path), line=row, field=name)
    return names


def _read_record_by_record(data: bytes, names: list[str], path: Path,
                           header: int) -> pl.DataFrame:
    """The slow path, for files polars refuses: rows wider than the header, bad quoting."""
    width = len(names)
    records, problems, lines = [], [], []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
    try:
        for _ in range(header + 1):
            next(reader)
        header_end = reader.line_num
        for record in reader:
            lines.append(reader.line_num)  # where it ends: where it starts is found below
            problems.append(beyond_header(width, record[width:]))
            records.append([cell if cell else None for cell in record[:width]]
                           + [None] * (width - len(record)))
    except csv.Error as exc:
        raise InputError(f"not valid CSV from this row on ({exc}): is a quote unbalanced?",
                         source=str(path), line=header + len(records) + 2) from None
    frame = pl.DataFrame(records, schema={name: pl.Utf8 for name in names}, orient="row")
    frame = frame.with_columns(pl.Series(READ_PROBLEM, problems, dtype=pl.Utf8))
    starts = [end + 1 for end in [header_end] + lines[:-1]]
    if starts != list(range(header + 2, header + 2 + len(starts))):
        frame = frame.with_columns(pl.Series(PHYSICAL, starts, dtype=pl.Int64))
    return frame


def _read(source, header: int) -> pl.DataFrame:
    return pl.read_csv(source, infer_schema=False, has_header=True, low_memory=False,
                       raise_if_empty=False, skip_rows=header)

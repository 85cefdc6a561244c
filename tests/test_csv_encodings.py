"""CSV exports as careless tools write them: one cp1252 line in a UTF-8 file, CR-only
line ends, UTF-16. Each is read as its author wrote it, or refused in one line."""

from __future__ import annotations

import pytest

from ringfence.engine.core.errors import InputError
from ringfence.engine.inputs import read_input

TEXT = "line_id,amount,description\r\nA,1,Zürich café\r\nB,2,Café\r\n"


def ledger(tmp_path, data: bytes):
    path = tmp_path / "ledger.csv"
    path.write_bytes(data)
    return path


def test_one_cp1252_line_in_a_utf8_file_leaves_the_utf8_names_as_written(tmp_path):
    data = "line_id,amount,description\nA,1,Zürich café\n".encode() + b"B,2,Caf\xe9\n"
    table = read_input(ledger(tmp_path, data)).table
    assert table["description"].to_list() == ["Zürich café", "Café"]


def test_cr_only_line_ends_are_read_as_rows(tmp_path):
    data = TEXT.replace("\r\n", "\r").encode()
    read = read_input(ledger(tmp_path, data))
    assert read.table["line_id"].to_list() == ["A", "B"]
    assert read.table["_row"].to_list() == [2, 3]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_read(tmp_path, encoding):
    read = read_input(ledger(tmp_path, TEXT.encode(encoding)))
    assert read.table["description"].to_list() == ["Zürich café", "Café"]
    assert read.table["amount"].to_list() == [100, 200]


def test_broken_utf16_is_one_line_saying_so(tmp_path):
    with pytest.raises(InputError) as caught:
        read_input(ledger(tmp_path, "\ufeffline_id,amount\r\nA,1\r\n".encode("utf-16-le")
                          + b"\x00\xd8"))
    assert "UTF-16" in str(caught.value) and "\x00" not in str(caught.value)

"""CSV exports as careless tools write them: one cp1252 line in a UTF-8 file, CR-only
line ends, UTF-16. Each is read as its author wrote it, or refused in one line."""

from __future__ import annotations

import re

import pytest

from ringfence.engine.core.errors import InputError
from ringfence.engine.inputs import read_input
from ringfence.engine.models.table import LINE

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


MULTILINE = ('line_id,date,amount,description\n'
             'A,2025-06-01,1,"two\nlines"\n'
             'B,2025-13-01,2,plain\n'
             'C,2025-06-03,3,"three\nphysical\nlines"\n'
             'D,2025-06-04,(4.00),plain\n')


@pytest.mark.parametrize("extra", ["", ",,\n"])  # polars' path, and the record-by-record one
def test_rows_after_a_cell_spanning_lines_know_their_physical_line(tmp_path, extra):
    data = MULTILINE if not extra else MULTILINE.replace("D,2025-06-04,(4.00),plain\n",
                                                         "D,2025-06-04,(4.00),plain,x\n")
    read = read_input(ledger(tmp_path, data.encode()))
    rows = dict(zip(read.table["line_id"], zip(read.table["_row"], read.table[LINE])))
    assert rows["A"] == (2, 2) and rows["C"] == (4, 5)
    by_row = {r.row: r.line for r in read.rejected}
    assert by_row[3] == 4  # B: a bad date, at file line 4
    if extra:
        assert by_row[5] == 8  # D: a value beyond the header, at file line 8


def test_sarif_and_github_point_at_the_physical_line(tmp_path, cli):
    path = ledger(tmp_path, MULTILINE.replace("2025-13-01", "2025-06-02").encode())
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards: [{grant: csc-prevention-2025-26, amount: 1000000}]\n")
    github = cli("check", path, "--awards", awards, "--format", "github", "--fail-on", "never")
    # Every line has a finding (no purpose). Rows 2 to 5 start on lines 2, 4, 5 and 8.
    assert [int(n) for n in re.findall(r",line=(\d+),", github.stdout)] == [2, 4, 5, 8]
    sarif = cli("check", path, "--awards", awards, "--format", "sarif", "--fail-on", "never")
    import json
    lines = {r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in json.loads(sarif.stdout)["runs"][0]["results"]
             if "physicalLocation" in r["locations"][0]}
    assert lines == {2, 4, 5, 8}

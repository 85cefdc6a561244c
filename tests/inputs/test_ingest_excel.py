"""Excel (.xlsx) ledgers: the first sheet, header in row 1, rows numbered as Excel shows them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from ringfence.engine.core.errors import InputError
from ringfence.engine.inputs import read_input


def workbook(tmp_path, rows, name="ledger.xlsx", extra_sheet=None):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        other = book.create_sheet("other")
        for row in extra_sheet:
            other.append(row)
    path = tmp_path / name
    book.save(path)
    return path


HEADER = ["line_id", "date", "amount", "description"]


def test_cells_of_every_type_become_line_values(tmp_path):
    path = workbook(tmp_path, [
        HEADER,
        ["A", dt.datetime(2025, 6, 1), 1234.56, "navigator"],
        ["B", dt.date(2025, 6, 2), "£1,234.56", None],
        ["C", "03/06/2025", "(470.60)", "credit"],
        [4, "2025-06-04", 12, 3.5],
        ["E", dt.datetime(2025, 6, 5), 0.1 + 0.2, True],
    ])
    table = read_input(path).table
    assert table["line_id"].to_list() == ["A", "B", "C", "4", "E"]
    assert [d.isoformat() for d in table["date"]] == [
        "2025-06-01", "2025-06-02", "2025-06-03", "2025-06-04", "2025-06-05"]
    assert table["amount"].to_list() == [123456, 123456, -47060, 1200, 30]
    assert table["description"].to_list() == ["navigator", None, "credit", "3.50", "true"]
    assert table["_row"].to_list() == [2, 3, 4, 5, 6]


def test_blank_rows_anywhere_are_skipped_and_rows_keep_their_excel_numbers(tmp_path):
    path = workbook(tmp_path, [
        HEADER, ["A", "2025-06-01", 1, None], [None, None, None, None], [],
        ["B", "2025-06-02", 2, None], [None, "", None, None], [None] * 4])
    read = read_input(path)
    assert list(zip(read.table["_row"], read.table["line_id"])) == [(2, "A"), (5, "B")]
    assert read.rejected == []


def test_values_beyond_the_header_make_the_row_rejected_not_cut(tmp_path, awards, cli):
    path = workbook(tmp_path, [HEADER, ["A", "2025-06-01", 1, "x"],
                               ["B", "2025-06-02", 2, "y", None, "stray note"]])
    read = read_input(path)
    assert read.table["line_id"].to_list() == ["A"]
    [row] = read.rejected
    assert row.row == 3
    assert row.reasons == ("row: has values beyond the header's 4 columns: 'stray note'",)
    run = cli("check", path, "--awards", awards)
    assert run.code == 2
    assert f"{path}:3: row: has values beyond the header's 4 columns" in run.stderr


def test_a_time_of_day_or_a_sub_penny_amount_is_a_rejected_row(tmp_path, awards, cli):
    path = workbook(tmp_path, [HEADER, ["A", dt.datetime(2025, 6, 1, 13, 45), 1, None],
                               ["B", dt.datetime(2025, 6, 1), 12.345, None],
                               ["C", dt.datetime(2025, 6, 1), 5, None]])
    run = cli("check", path, "--awards", awards, "--skip-bad-rows", "--format", "json",
              "--fail-on", "never")
    report = json.loads(run.stdout)
    assert [line["line_id"] for line in report["lines"]] == ["C"]
    assert [(r["row"], r["reasons"]) for r in report["rejected"]] == [
        (2, ["date: '2025-06-01 13:45:00' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)"]),
        (3, ["amount: '12.345' has fractions of a penny"])]


def test_only_the_first_sheet_is_read(tmp_path):
    path = workbook(tmp_path, [HEADER, ["A", "2025-06-01", 1, None]],
                    extra_sheet=[HEADER, ["Z", "2025-06-01", 99, None]])
    assert read_input(path).table["line_id"].to_list() == ["A"]


def test_trailing_empty_header_cells_are_not_columns(tmp_path):
    path = workbook(tmp_path, [HEADER + [None, None], ["A", "2025-06-01", 1, None]])
    assert read_input(path).table["line_id"].to_list() == ["A"]


@pytest.mark.parametrize("rows,fragment", [
    ([], ":1: the first sheet is empty"),
    ([["line_id", None, "amount"], ["A", None, 1]], ":1: column 2 has no name"),
    ([["line_id", "amount", "amount"], ["A", 1, 2]], ":1: amount: column 'amount' appears twice"),
])
def test_a_sheet_without_a_usable_header_is_one_error(tmp_path, rows, fragment):
    path = workbook(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        read_input(path)
    assert str(caught.value).startswith(f"{path}{fragment}")


def test_a_file_that_is_not_a_workbook_is_one_line(tmp_path, awards, cli):
    path = tmp_path / "ledger.xlsx"
    path.write_text("line_id,amount\nA,1\n")
    run = cli("check", path, "--awards", awards)
    assert run.code == 2
    [message] = run.stderr.strip().splitlines()
    assert message.startswith(f"ringfence: {path}: not a readable .xlsx workbook")


def test_an_excel_ledger_goes_through_a_column_map(tmp_path, awards, cli):
    path = workbook(tmp_path, [["Posting Date", "Net", "Area"],
                               [dt.datetime(2025, 6, 1), 10, "Early Help"],
                               [dt.datetime(2025, 6, 2), 20, "Highways"]])
    column_map = tmp_path / "map.yaml"
    column_map.write_text("columns: {Posting Date: date, Net: amount}\nline_id: row\n"
                          "derive:\n  purpose: {from: Area, rules: [{matches: early help, "
                          "value: family_help}]}\n")
    run = cli("check", path, "--awards", awards, "--map", column_map, "--format", "json",
              "--fail-on", "never")
    lines = json.loads(run.stdout)["lines"]
    assert [(line["line_id"], line["purpose"]) for line in lines] == [
        ("ledger.xlsx:2", "family_help"), ("ledger.xlsx:3", None)]


def test_a_formula_excel_never_computed_is_a_rejected_row_not_an_empty_cell(tmp_path, cli,
                                                                             awards):
    """openpyxl and other programs write formulas without their values; read as empty,
    the supplier (or amount) would be lost without a word."""
    path = workbook(tmp_path, [
        ["line_id", "date", "amount", "supplier"],
        ["A", "2025-06-01", 10, "Acme"],
        ["B", "2025-06-02", 20, '=UPPER("acme")'],
    ])
    run = cli("check", path, "--awards", awards)
    assert run.code == 2
    assert f"{path}:3: row: formulas with no computed value (supplier='=UPPER(\"acme\")')" \
        in run.stderr
    assert "Traceback" not in run.stderr

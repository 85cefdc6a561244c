"""The Excel reader (fastexcel) keeps what the sheet shows: rows numbered as Excel numbers
them wherever the values start, dates typed, times refused, every row whatever the
sheet's <dimension> says, and formulas with no computed value refused."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

from openpyxl import Workbook

from ringfence.engine.inputs import read_input

HEADER = ["line_id", "date", "amount"]


def save(tmp_path, fill, name="ledger.xlsx"):
    book = Workbook()
    fill(book.active)
    path = tmp_path / name
    book.save(path)
    return path


def with_dimension(path, ref):
    """The workbook with its sheet's <dimension> rewritten (as some exporters write it)."""
    out = path.with_name(f"dim-{path.name}")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(),
                              data)
                assert f'<dimension ref="{ref}"/>'.encode() in data
            dst.writestr(item, data)
    return out


def test_values_starting_below_and_right_of_a1_keep_their_excel_row_numbers(tmp_path):
    def fill(sheet):
        for column, name in enumerate(HEADER, start=2):
            sheet.cell(row=3, column=column, value=name)
        for column, value in enumerate(["A", dt.datetime(2025, 6, 1), 12.5], start=2):
            sheet.cell(row=4, column=column, value=value)
        for column, value in enumerate(["B", dt.date(2025, 6, 2), 7], start=2):
            sheet.cell(row=6, column=column, value=value)

    read = read_input(save(tmp_path, fill))
    assert list(zip(read.table["_row"], read.table["line_id"], read.table["amount"])) == [
        (4, "A", 1250), (6, "B", 700)]
    assert [d.isoformat() for d in read.table["date"]] == ["2025-06-01", "2025-06-02"]
    assert [(row, kind) for row, kind in
            ((s["row"], s["kind"]) for s in read.skipped)] == [(1, "preamble"), (2, "preamble"),
                                                               (5, "blank")]


def test_a_time_of_day_in_the_date_column_is_refused_naming_the_row(tmp_path):
    def fill(sheet):
        sheet.append(HEADER)
        sheet.append(["A", dt.time(10, 30), 1])
        sheet.append(["B", dt.date(2025, 6, 2), 2])

    read = read_input(save(tmp_path, fill))
    assert read.table["line_id"].to_list() == ["B"]
    [row] = read.rejected
    assert row.row == 2
    assert row.reasons == ("date: '10:30:00' is not a date (expected YYYY-MM-DD or DD/MM/YYYY)",)


def test_a_dimension_that_under_reports_the_sheet_does_not_lose_rows(tmp_path):
    def fill(sheet):
        sheet.append(HEADER)
        for number in range(1, 6):
            sheet.append([f"L{number}", dt.date(2025, 6, number), number])

    path = with_dimension(save(tmp_path, fill), "A1:C2")
    assert read_input(path).table["line_id"].to_list() == ["L1", "L2", "L3", "L4", "L5"]


def test_a_dimension_claiming_the_whole_sheet_reads_only_what_is_there(tmp_path):
    def fill(sheet):
        sheet.append(HEADER)
        sheet.append(["A", dt.date(2025, 6, 1), 1])

    path = with_dimension(save(tmp_path, fill), "A1:XFD1048576")
    read = read_input(path)
    assert read.table["line_id"].to_list() == ["A"] and read.rows == 1


def test_styled_empty_cells_above_the_values_do_not_move_the_row_numbers(tmp_path):
    from openpyxl.styles import Font

    def fill(sheet):
        for column in range(1, 4):
            sheet.cell(row=1, column=column).font = Font(bold=True)  # styled, no value
        for column, name in enumerate(HEADER, start=1):
            sheet.cell(row=3, column=column, value=name)
        for column, value in enumerate(["A", dt.date(2025, 6, 1), 1], start=1):
            sheet.cell(row=4, column=column, value=value)

    path = save(tmp_path, fill)
    with zipfile.ZipFile(path) as book:
        assert re.search(rb'<c r="A1" s="1"[^>]*/>', book.read("xl/worksheets/sheet1.xml"))
    read = read_input(path)
    assert list(zip(read.table["_row"], read.table["line_id"])) == [(4, "A")]


def test_floats_are_the_penny_excel_means_at_any_size(tmp_path):
    values = [0.1 + 0.2, 1234.5600000000002, 99999999999.99, -0.5, 12.345]

    def fill(sheet):
        sheet.append(HEADER)
        for number, value in enumerate(values):
            sheet.append([f"L{number}", dt.date(2025, 6, 1), value])

    read = read_input(save(tmp_path, fill))
    assert read.table["amount"].to_list() == [30, 123456, 9999999999999, -50]
    [row] = read.rejected
    assert row.reasons == ("amount: '12.345' has fractions of a penny",)

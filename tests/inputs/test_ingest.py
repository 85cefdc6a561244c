"""Ledgers as finance systems export them: encodings, amounts, dates, bad rows, Excel."""

from __future__ import annotations

import datetime as dt
import json

import pytest

HEADER = "line_id,date,amount,purpose,description,Cost Centre\n"
def check_json(cli, *args):
    run = cli("check", *args, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("prefix,encoding", [
    (b"", "utf-8"), (b"\xef\xbb\xbf", "utf-8"), (b"\xc3\xaf\xc2\xbb\xc2\xbf", "utf-8"),
    (b"", "cp1252")])
def test_encodings_as_found_in_real_exports(tmp_path, awards, cli, prefix, encoding):
    text = HEADER + "A1,2025-06-01,100.00,family_help,Caf\u00e9 \u2013 session,CC1\n"
    path = tmp_path / "ledger.csv"
    path.write_bytes(prefix + text.encode(encoding))
    report = check_json(cli, path, "--awards", awards)
    line = report["lines"][0]
    assert line["line_id"] == "A1"
    assert line["description"] == "Caf\u00e9 \u2013 session"
    assert line["extra"] == {"Cost Centre": "CC1"}


def test_amounts_and_dates_in_every_form(tmp_path, awards, cli):
    path = tmp_path / "ledger.csv"
    path.write_text(HEADER + "\n".join([
        'A1,2025-06-01,"1,234.56",family_help,x,',
        'A2,01/07/2025,"£1,234.56",family_help,x,',
        "A3,2025-06-01,-12,family_help,x,",
        "A4,2025-06-01,(470.60),family_help,x,",
        "A5,2025-06-01 00:00:00,0.5,family_help,x,",
    ]) + "\n")
    report = check_json(cli, path, "--awards", awards)
    assert [(line["amount"], line["date"]) for line in report["lines"]] == [
        ("1234.56", "2025-06-01"), ("1234.56", "2025-07-01"), ("-12.00", "2025-06-01"),
        ("-470.60", "2025-06-01"), ("0.50", "2025-06-01")]
    assert report["summary"]["total"]["amount"] == "1987.02"


BAD = HEADER + "\n".join([
    "G1,2025-06-01,10,family_help,good,",
    "B1,2025-02-30,10,family_help,impossible date,",
    "B2,2025-06-01,12.345,family_help,sub-penny amount,",
    ",2025-06-01,10,family_help,no line id,",
    "G1,2025-06-02,20,family_help,duplicate id,",
    "B4,2025-06-01,,family_help,no amount,",
]) + "\n"


def test_bad_rows_stop_the_run_and_are_all_listed(tmp_path, awards, cli):
    path = tmp_path / "ledger.csv"
    path.write_text(BAD)
    run = cli("check", path, "--awards", awards)
    assert run.code == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 6, run.stderr
    assert f"{path}:3: date: '2025-02-30' is not a real date" in lines[0]
    assert f"{path}:4: amount: '12.345' has fractions of a penny" in lines[1]
    assert f"{path}:5: line_id: missing" in lines[2]
    assert f"{path}:6: line_id: duplicate 'G1' (first at row 2)" in lines[3]
    assert f"{path}:7: amount: missing" in lines[4]
    assert "--skip-bad-rows" in lines[5]
    assert "Traceback" not in run.stderr


def test_skip_bad_rows_checks_the_rest_and_reports_the_rejected(tmp_path, awards, cli):
    path = tmp_path / "ledger.csv"
    path.write_text(BAD)
    report = check_json(cli, path, "--awards", awards, "--skip-bad-rows")
    assert [line["line_id"] for line in report["lines"]] == ["G1"]
    assert [(r["row"], r["reasons"][0].split(":")[0]) for r in report["rejected"]] == [
        (3, "date"), (4, "amount"), (5, "line_id"), (6, "line_id"), (7, "amount")]
    assert report["rejected"][0]["raw"]["description"] == "impossible date"
    assert report["summary"]["rejected"] == {"rows": 5, "amount": "40.00",
                                             "unreadable_amounts": 2}


def test_a_line_charged_to_a_grant_with_no_award_is_a_rejected_row(tmp_path, awards, cli):
    path = tmp_path / "ledger.csv"
    path.write_text("line_id,date,amount,grant\nA,2025-06-01,1,csc-prevention-2025-26\n"
                    "B,2025-06-01,2,ffpp-transformation-2025-26\n")
    run = cli("check", path, "--awards", awards)
    assert run.code == 2
    assert f"{path}:3: grant: line 'B' is charged to 'ffpp-transformation-2025-26'" in run.stderr
    report = check_json(cli, path, "--awards", awards, "--skip-bad-rows")
    assert report["summary"]["total"]["lines"] == 1
    assert report["summary"]["rejected"]["amount"] == "2.00"


@pytest.mark.parametrize("content,fragment", [
    ("line_id,date,amount\nA,2025-06-01,1\nB,\"2025-06-01,2\n",
     ":3: not valid CSV from this row on"),
    ("line_id,amount,amount\nA,1,2\n", ":1: amount: column 'amount' appears twice"),
    ("", ":1: the file is empty"),
])
def test_unreadable_csv_is_one_line(tmp_path, awards, cli, content, fragment):
    path = tmp_path / "ledger.csv"
    path.write_text(content)
    run = cli("check", path, "--awards", awards)
    assert run.code == 2
    assert len(run.stderr.strip().splitlines()) == 1
    assert fragment in run.stderr


def test_a_map_naming_a_missing_column(tmp_path, awards, cli):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Ref,When,Net Amt\nA,2025-06-01,1\n")
    column_map = tmp_path / "map.yaml"
    column_map.write_text("columns: {Ref: line_id, When: date, Net Amount: amount}\n")
    run = cli("check", ledger, "--awards", awards, "--map", column_map)
    assert run.code == 2
    assert "ledger.csv:1: Net Amount: no column 'Net Amount'" in run.stderr
    assert "did you mean 'Net Amt'?" in run.stderr


def test_a_map_with_a_misspelt_key(tmp_path, awards, cli):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Ref,When,Net\nA,2025-06-01,1\n")
    column_map = tmp_path / "map.yaml"
    column_map.write_text("columns: {Ref: line_id}\nderrive: {}\n")
    run = cli("check", ledger, "--awards", awards, "--map", column_map)
    assert run.code == 2
    assert "map.yaml:2" in run.stderr and "did you mean 'derive'?" in run.stderr


def test_maps_rename_set_and_derive(tmp_path, awards, cli):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("When,Net Amount,Area,Analysis\n"
                      "2025-06-01,10,Early Help - Family Hubs,REVENUE\n"
                      "2025-06-02,20,Highways,CAPITAL\n")
    column_map = tmp_path / "map.yaml"
    column_map.write_text(
        "columns: {When: date, Net Amount: amount}\nline_id: row\n"
        "set: {grant: csc-prevention-2025-26}\n"
        "derive:\n"
        "  purpose: {from: Area, rules: [{matches: 'family|early help', value: family_help}]}\n"
        "  cost_type: {from: Analysis, rules: [{equals: capital, value: capital}], "
        "default: revenue}\n")
    report = check_json(cli, ledger, "--awards", awards, "--map", column_map)
    lines = report["lines"]
    assert [line["line_id"] for line in lines] == ["ledger.csv:2", "ledger.csv:3"]
    assert [(line["purpose"], line["cost_type"]) for line in lines] == [
        ("family_help", "revenue"), (None, "capital")]
    assert lines[0]["extra"] == {"Area": "Early Help - Family Hubs", "Analysis": "REVENUE"}


def test_excel_ledger(tmp_path, awards, cli):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["line_id", "date", "amount", "purpose", "description"])
    sheet.append(["X1", dt.datetime(2025, 6, 1), 1234.56, "family_help", "navigator"])
    sheet.append(["X2", "15/07/2025", 0.1 + 0.2, "voice", "session"])
    sheet.append([3, dt.date(2025, 8, 1), 12, "workforce", None])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    report = check_json(cli, path, "--awards", awards)
    assert [(line["line_id"], line["date"], line["amount"], line["row"])
            for line in report["lines"]] == [
        ("X1", "2025-06-01", "1234.56", 2), ("X2", "2025-07-15", "0.30", 3),
        ("3", "2025-08-01", "12.00", 4)]


def test_several_files_in_one_run_keep_their_sources(tmp_path, awards, cli):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("line_id,date,amount\nA,2025-06-01,1\n")
    second.write_text("line_id,date,amount\nA,2025-06-01,2\n")
    report = check_json(cli, first, second, "--awards", awards)
    assert [(line["source"], line["row"], line["amount"]) for line in report["lines"]] == [
        (str(first), 2, "1.00"), (str(second), 2, "2.00")]

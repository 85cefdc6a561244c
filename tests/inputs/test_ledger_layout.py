"""Real exports as councils publish them: title rows above the header, decoration and
total rows among the transactions, spend outside the grant, and the file's own total.

Every data row is a line (in scope or not), a rejected row, or a skipped row (preamble,
blank, total) with its row number; the lines' money is the transactions' own, to the
penny; a stated total that the rows do not add up to fails the run in every format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from openpyxl import Workbook, load_workbook

AWARDS = "awards: [{grant: csc-prevention-2025-26, amount: 1000000}]\n"
MAP = """\
columns:
  Transaction Number: line_id
  Payment Date: date
  Supplier Name: supplier
  Net Amount: amount
derive:
  grant:
    from: Expense Area
    rules:
      - {equals: Early Help, value: csc-prevention-2025-26}
  purpose:
    from: Expense Area
    rules:
      - {equals: Early Help, value: family_help}
"""
HEADER = ["Transaction Number", "Payment Date", "Supplier Name", "Expense Area", "Net Amount"]
PREAMBLE = [["Invoices over specified amount"], ["Report date: 01/05/2025", "", ""],
            ["Parameters: all directorates"], []]
APRIL = [["T1", "01/04/2025", "Acme Ltd", "Early Help", "1,000.00"],
         ["T2", "02/04/2025", "Total Tree Care", "Parks", "250.50"],
         ["-------", "-------", "-------", "-------", "-------"],
         ["Total", "", "", "", "1,250.50"]]
MAY = [["T3", "03/05/2025", "Acme Ltd", "Early Help", "100.00"],
       ["T4", "09/05/2025", "Beta plc", "Highways", "(20.00)"],
       ["", "", "", "", "80.00"],
       ["=====", "", " ", "", ""],
       ["   ", "", "", "", ""],
       ["Grand Total", "", "", "", "£1,330.50"]]


def write_csv(path, rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    (tmp_path / "awards.yaml").write_text(AWARDS)
    (tmp_path / "map.yaml").write_text(MAP)
    write_csv(tmp_path / "ledger.csv", PREAMBLE + [HEADER] + APRIL + MAY)
    return tmp_path


def check(cli, files, ledger="ledger.csv", *more):
    return cli("check", files / ledger, "--map", files / "map.yaml", "--awards",
               files / "awards.yaml", *more)


def report(cli, files, ledger="ledger.csv", *more):
    run = check(cli, files, ledger, "--format", "json", "--fail-on", "never", *more)
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_title_rows_are_preamble_and_every_line_keeps_its_row_in_the_file(cli, files):
    got = report(cli, files)
    assert [(line["line_id"], line["row"]) for line in got["lines"]] == [("T1", 6), ("T3", 10)]
    [evidence] = got["evidence"]["inputs"]
    preamble = [(s["row"], s["text"]) for s in evidence["skipped"] if s["kind"] == "preamble"]
    assert preamble == [(1, "Invoices over specified amount"), (2, "Report date: 01/05/2025"),
                        (3, "Parameters: all directorates"), (4, "")]


def test_decoration_and_total_rows_are_never_spend(cli, files):
    got = report(cli, files)
    [evidence] = got["evidence"]["inputs"]
    kinds = {s["row"]: s["kind"] for s in evidence["skipped"] if s["kind"] != "preamble"}
    assert kinds == {8: "blank", 9: "total", 12: "total", 13: "blank", 14: "blank",
                     15: "total"}
    # The transactions' own money, in scope and out: 1000 + 250.50 + 100 - 20.
    assert evidence["lines"] == 4 and evidence["amount"] == "1330.50"
    assert evidence["rows"] == 10  # rows 6 to 15
    assert evidence["rows"] == evidence["lines"] + len(got.get("rejected", [])) + len(
        [s for s in evidence["skipped"] if s["kind"] != "preamble"])
    assert evidence["stated_total"] == "1330.50" and evidence["reconciles"] is True


def test_a_supplier_called_total_and_a_dated_row_labelled_total_are_transactions(cli, files):
    write_csv(files / "ledger.csv", [HEADER,
                                     ["", "01/04/2025", "Total Tree Care", "Early Help", "5"],
                                     ["Total", "02/04/2025", "", "Early Help", "7"],
                                     ["", "", "", "", "12"]])
    (files / "map.yaml").write_text(MAP.replace("  Transaction Number: line_id\n", "")
                                    + "line_id: row\n")
    got = report(cli, files)
    assert [(line["row"], line["amount"]) for line in got["lines"]] == [(2, "5.00"), (3, "7.00")]
    [evidence] = got["evidence"]["inputs"]
    assert [(s["row"], s["kind"]) for s in evidence["skipped"]] == [(4, "total")]
    assert evidence["reconciles"] is True


def test_out_of_scope_lines_are_counted_but_not_charged_to_the_award(cli, files):
    got = report(cli, files)
    assert got["summary"]["out_of_scope"] == {"lines": 2, "amount": "230.50"}
    assert got["summary"]["total"] == {"lines": 2, "amount": "1100.00"}
    assert [(o["line_id"], o["row"], o["amount"]) for o in got["out_of_scope"]] == [
        ("T2", 7, "250.50"), ("T4", 11, "-20.00")]
    award = next(r for r in got["ringfences"] if r["check"] == "award")
    assert award["spent"] == "1100.00"


def test_out_of_scope_lines_are_listed_in_csv_and_excel_and_counted_elsewhere(cli, files):
    out = files / "report.csv"
    assert check(cli, files, "ledger.csv", "--format", "csv", "--output", out).code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    outside = [(r["line_id"], r["row"], r["amount"]) for r in rows if r["status"] == "out_of_scope"]
    assert outside == [("T2", "7", "250.50"), ("T4", "11", "-20.00")]
    assert all(r["compliant_amount"] == "0.00" for r in rows if r["status"] == "out_of_scope")
    book = files / "report.xlsx"
    assert check(cli, files, "ledger.csv", "--format", "xlsx", "--output", book).code == 0
    sheet = load_workbook(book)["Lines"]
    statuses = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert statuses.count("out_of_scope") == 2
    table = " ".join(check(cli, files).stdout.split())
    assert "out of scope 2 £230.50" in table
    assert ("10 rows read, 4 lines (1330.50), skipped: 4 preamble, 3 blank, 3 total; stated "
            "total 1330.50: reconciles") in table
    for fmt in ("md", "html"):
        text = check(cli, files, "ledger.csv", "--format", fmt).stdout
        assert "out of scope" in text.lower() and "230.50" in text


def test_without_a_map_giving_the_grant_nothing_is_out_of_scope(cli, files):
    (files / "map.yaml").write_text(MAP.split("derive:")[0]
                                    + "set: {grant: csc-prevention-2025-26}\n")
    got = report(cli, files)
    assert "out_of_scope" not in got["summary"] and "out_of_scope" not in got
    assert got["summary"]["total"] == {"lines": 4, "amount": "1330.50"}


TAMPERED = [row if row[0] != "Grand Total" else ["Grand Total", "", "", "", "1,330.51"]
            for row in MAY]


@pytest.mark.parametrize("fmt", ["table", "json", "md", "html", "sarif", "junit", "github"])
def test_a_tampered_total_is_non_compliant_in_every_format_and_fails_the_run(cli, files, fmt):
    write_csv(files / "ledger.csv", PREAMBLE + [HEADER] + APRIL + TAMPERED)
    run = check(cli, files, "ledger.csv", "--format", fmt)
    assert run.code == 1, run.stderr
    text = " ".join(run.stdout.split())
    assert "row 15 states a total of £1,330.51" in text
    assert "add up to £1,330.50" in text


def test_a_tampered_total_in_the_json_and_excel_reports(cli, files):
    write_csv(files / "ledger.csv", PREAMBLE + [HEADER] + APRIL + TAMPERED)
    got = report(cli, files)
    assert got["status"] == "non_compliant"
    [stated] = [r for r in got["ringfences"] if r["check"] == "reconciliation"]
    assert (stated["allocated"], stated["spent"], stated["status"]) == (
        "1330.51", "1330.50", "non_compliant")
    [evidence] = got["evidence"]["inputs"]
    assert evidence["stated_total"] == "1330.51" and evidence["reconciles"] is False
    book = files / "report.xlsx"
    check(cli, files, "ledger.csv", "--format", "xlsx", "--output", book)
    # The Cabinet workbook lists every ringfence check on its Summary sheet.
    rings = list(load_workbook(book)["Summary"].iter_rows(values_only=True))
    assert any(row[1] == "reconciliation" and row[6] == "non-compliant" for row in rings)
    run = check(cli, files, "ledger.csv", "--format", "csv")
    assert run.code == 1
    [total] = [r for r in csv.DictReader(io.StringIO(run.stdout)) if not r["line_id"]]
    assert (total["row"], total["status"], total["amount"]) == ("15", "non_compliant", "")
    assert total["findings"].startswith("ringfence.reconciliation [non_compliant]: row 15 "
                                        "states a total of £1,330.51")


def test_a_wrong_monthly_subtotal_is_caught_even_when_the_grand_total_is_right(cli, files):
    april = [row if row[0] != "Total" else ["Total", "", "", "", "1,250.00"] for row in APRIL]
    write_csv(files / "ledger.csv", [HEADER] + april + MAY)
    got = report(cli, files)
    [stated] = [r for r in got["ringfences"] if r["check"] == "reconciliation"]
    assert stated["status"] == "non_compliant"
    assert "row 5 states a total of £1,250.00, but the rows above it add up to £1,250.50" \
        in stated["message"]


def test_header_row_in_the_map_overrides_the_search(cli, files):
    write_csv(files / "ledger.csv", [HEADER, ["not", "the", "header"], HEADER] + APRIL)
    (files / "map.yaml").write_text(MAP + "header_row: 3\n")
    got = report(cli, files)
    assert [line["row"] for line in got["lines"]] == [4]
    [evidence] = got["evidence"]["inputs"]
    assert [s["row"] for s in evidence["skipped"] if s["kind"] == "preamble"] == [1, 2]


def test_no_header_row_names_the_expected_columns_and_shows_the_first_rows(cli, files):
    write_csv(files / "ledger.csv", [["Spend report"], ["Ref", "When", "Paid"], ["A", "x", "1"]])
    run = check(cli, files)
    assert run.code == 2
    [message] = run.stderr.strip().splitlines()
    assert "ledger.csv:1: no header row" in message
    assert "'Transaction Number'" in message and "'Net Amount'" in message
    assert "row 1: Spend report; row 2: Ref | When | Paid" in message


def test_column_names_that_drift_in_case_and_spacing_still_match_the_map(cli, files):
    drifted = ["transaction_number", "PAYMENT DATE", "supplier name", "Expense  Area",
               "net_amount"]
    write_csv(files / "ledger.csv", PREAMBLE + [drifted] + APRIL + MAY)
    got = report(cli, files)
    assert [line["line_id"] for line in got["lines"]] == ["T1", "T3"]
    assert got["evidence"]["inputs"][0]["reconciles"] is True


def test_an_excel_export_with_title_rows_and_totals(cli, files):
    book = Workbook()
    sheet = book.active
    for row in PREAMBLE + [HEADER]:
        sheet.append(row)
    sheet.append(["T1", dt.datetime(2025, 4, 1), "Acme Ltd", "Early Help", 1000])
    sheet.append(["T2", dt.datetime(2025, 4, 2), "Total Tree Care", "Parks", 250.5])
    sheet.append([None, None, None, None, None])
    sheet.append(["Total", None, None, None, 1250.5])
    book.save(files / "ledger.xlsx")
    got = report(cli, files, "ledger.xlsx")
    assert [(line["line_id"], line["row"]) for line in got["lines"]] == [("T1", 6)]
    [evidence] = got["evidence"]["inputs"]
    assert (evidence["rows"], evidence["lines"], evidence["amount"]) == (4, 2, "1250.50")
    assert evidence["reconciles"] is True
    assert [(s["row"], s["kind"]) for s in evidence["skipped"]][-2:] == [(8, "blank"),
                                                                         (9, "total")]


def test_junit_names_the_input_at_its_total_row(cli, files):
    write_csv(files / "ledger.csv", PREAMBLE + [HEADER] + APRIL + TAMPERED)
    run = check(cli, files, "ledger.csv", "--format", "junit")
    cases = [c for c in ET.fromstring(run.stdout).iter("testcase")
             if c.get("name") == "ringfence stated total"]
    assert [c.get("line") for c in cases] == ["15"]


def test_explaining_an_out_of_scope_line_says_it_is_out_of_scope(cli, files):
    run = cli("explain", files / "ledger.csv", "--line", "T2", "--map", files / "map.yaml",
              "--awards", files / "awards.yaml")
    assert run.code == 2
    [message] = run.stderr.strip().splitlines()
    assert "ledger.csv:7: line 'T2' is out of scope: the column map gives it no grant" in message


def test_diff_compares_the_stated_total_of_one_ledger_at_two_versions(cli, files):
    (files / "head").mkdir()
    write_csv(files / "head" / "ledger.csv", PREAMBLE + [HEADER] + APRIL + TAMPERED)
    run = cli("diff", files / "ledger.csv", files / "head" / "ledger.csv", "--map",
              files / "map.yaml", "--awards", files / "awards.yaml")
    assert run.code == 1
    assert "ledger.csv stated total: £1,330.50 -> £1,330.50 (£0.00) of £1,330.51; " \
        "compliant -> non-compliant" in run.stdout


@pytest.mark.parametrize("label", ["Total", "TOTAL:", "Grand Total", "Sub-total",
                                   "Total for April 2025", "Total (2 payments)",
                                   "Total £1,250.50", "April 2025 total", "TOTAL SPEND"])
def test_total_labels_in_the_id_column_make_a_total_row(cli, files, label):
    april = [row if row[0] != "Total" else [label, "", "", "", "1,250.50"] for row in APRIL]
    write_csv(files / "ledger.csv", [HEADER] + april)
    got = report(cli, files)
    [evidence] = got["evidence"]["inputs"]
    assert [(s["row"], s["kind"]) for s in evidence["skipped"]] == [(4, "blank"), (5, "total")]
    assert evidence["reconciles"] is True and evidence["lines"] == 2


@pytest.mark.parametrize("supplier", ["Total Tree Care", "TOTAL FITNESS LTD", "Totally Local"])
def test_a_supplier_whose_name_starts_with_total_is_a_transaction(cli, files, supplier):
    write_csv(files / "ledger.csv", [HEADER, ["", "", supplier, "Early Help", "5"]])
    (files / "map.yaml").write_text(MAP.replace("  Transaction Number: line_id\n", "")
                                    + "line_id: row\n")
    got = report(cli, files)
    assert [line["supplier"] for line in got["lines"]] == [supplier]


def test_a_header_repeated_between_months_is_skipped_not_rejected(cli, files):
    write_csv(files / "ledger.csv", [HEADER] + APRIL + [HEADER] + MAY)
    got = report(cli, files)
    [evidence] = got["evidence"]["inputs"]
    assert [(s["row"], s["kind"]) for s in evidence["skipped"] if s["kind"] == "header"] == [
        (6, "header")]
    assert (evidence["lines"], evidence["amount"], evidence["reconciles"]) == (4, "1330.50", True)
    assert "rejected" not in got


def test_a_total_stated_above_every_transaction_is_the_total_of_the_rows_below(cli, files):
    write_csv(files / "ledger.csv", [HEADER, ["Total", "", "", "", "1,250.50"]] + APRIL[:2])
    got = report(cli, files)
    [evidence] = got["evidence"]["inputs"]
    assert evidence["reconciles"] is True and evidence["lines"] == 2
    write_csv(files / "ledger.csv", [HEADER, ["Total", "", "", "", "1,250.00"]] + APRIL[:2])
    assert report(cli, files)["evidence"]["inputs"][0]["reconciles"] is False


def test_header_row_further_down_than_the_search(cli, files):
    write_csv(files / "ledger.csv", [[f"note {n}"] for n in range(1, 150)] + [HEADER] + APRIL)
    (files / "map.yaml").write_text(MAP + "header_row: 150\n")
    got = report(cli, files)
    assert [(line["line_id"], line["row"]) for line in got["lines"]] == [("T1", 151)]
    (files / "map.yaml").write_text(MAP + "header_row: 1000\n")
    run = check(cli, files)
    assert run.code == 2 and "header_row 1000" in run.stderr

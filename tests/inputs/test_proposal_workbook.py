"""A proposal workbook (sheets Awards and Lines) is the same proposal as its YAML:
the same verdicts, totals and ringfence checks; its errors name sheet, row and column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from helpers import REPO, workbook_of

CASES = REPO / "cases"


def without_places(report: dict) -> dict:
    """The report less where things were read from (the input's name, digest and rows)."""
    report = dict(report)
    report["evidence"] = {k: v for k, v in report["evidence"].items() if k != "inputs"}
    report["lines"] = [{k: v for k, v in line.items() if k not in ("source", "row")}
                       for line in report["lines"]]
    # A case's reason names its lines' places too: 'R001 (proposal.yaml:26)'.
    report["cases"] = [{**case, "lines": [line["line_id"] for line in case["lines"]],
                        "reason": re.sub(r" \([^()]*:\d+\)", "", case["reason"])}
                       for case in report.get("cases", [])]
    return report


@pytest.mark.parametrize("case", ["rotherham-2025-26", "problems"])
def test_workbook_gives_the_yaml_report(cli, tmp_path, case):
    source = CASES / case / "proposal.yaml"
    book = workbook_of(source, tmp_path / "proposal.xlsx")
    from_yaml = cli("check", source, "--format", "json")
    from_book = cli("check", book, "--format", "json")
    assert from_book.code == from_yaml.code, from_book.stderr
    assert without_places(json.loads(from_book.stdout)) == \
        without_places(json.loads(from_yaml.stdout))


def test_lines_point_at_their_rows_of_the_lines_sheet(cli, tmp_path):
    book = workbook_of(CASES / "problems" / "proposal.yaml", tmp_path / "p.xlsx")
    report = json.loads(cli("check", book, "--format", "json").stdout)
    assert [line["row"] for line in report["lines"]][:3] == [2, 3, 4]
    assert {line["source"] for line in report["lines"]} == {str(book)}


def test_a_hand_filled_workbook_with_text_cells_reads(cli, tmp_path):
    """Filled in by another program: numbers and dates typed as text, a blank row,
    an id typed as a number, yes for a boolean."""
    book = openpyxl.Workbook()
    awards = book.active
    awards.title = "Awards"
    awards.append(["council", "grant", "amount", "transformation", "family_help"])
    awards.append(["Example BC", "csc-prevention-2025-26", "£10,000", 4000, "6000.00"])
    lines = book.create_sheet("Lines")
    lines.append(["line_id", "date", "amount", "purpose", "cost_type", "existing_service",
                  "grant", "description"])
    lines.append([1, "15/09/2025", "1,200.50", "family_help", "revenue", "no",
                  "csc-prevention-2025-26", "Navigator"])
    lines.append([None] * 8)
    lines.append(["2", "2025-09-16", 800, " family_help", "revenue", "Yes ",
                  "csc-prevention-2025-26", "Existing Early Help team"])
    book.save(tmp_path / "p.xlsx")
    run = cli("check", tmp_path / "p.xlsx", "--format", "json")
    report = json.loads(run.stdout)
    assert report["council"] == "Example BC"
    assert [(line["line_id"], line["row"], line["amount"], line["status"])
            for line in report["lines"]] == [("1", 2, "1200.50", "compliant"),
                                             ("2", 4, "800.00", "non_compliant")]


def _book(tmp_path, awards_rows, lines_rows) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Awards"
    for row in awards_rows:
        sheet.append(row)
    sheet = book.create_sheet("Lines")
    for row in lines_rows:
        sheet.append(row)
    book.save(tmp_path / "bad.xlsx")
    return tmp_path / "bad.xlsx"


AWARDS = [["council", "grant", "amount"], ["X", "csc-prevention-2025-26", 1000]]
LINES_HEAD = ["line_id", "date", "amount", "purpose"]


@pytest.mark.parametrize("awards, lines, message", [
    (AWARDS, [LINES_HEAD, ["L1", "2025-09-15", "12.345", "voice"]],
     "bad.xlsx (sheet Lines):2: amount (column C): "),
    (AWARDS, [LINES_HEAD, ["L1", "2025-09-15", 5, "voice"], ["L2", "2025-02-30", 5, "voice"]],
     "bad.xlsx (sheet Lines):3: date (column B): "),
    (AWARDS, [LINES_HEAD, ["L1", "2025-09-15", 5, "voice"], ["L1", "2025-09-15", 5, "voice"]],
     "bad.xlsx (sheet Lines):3: line_id (column A): duplicate line_id 'L1' (first at row 2)"),
    ([["council", "grant", "amount", "voice"], ["X", "csc-prevention-2025-26", "lots", 5]],
     [LINES_HEAD, ["L1", "2025-09-15", 5, "voice"]],
     "bad.xlsx (sheet Awards):2: amount (column C): "),
    ([["council", "grant", "amount", "voice"], ["X", "csc-prevention-2025-26", 10, "-5"]],
     [LINES_HEAD, ["L1", "2025-09-15", 5, "voice"]],
     "bad.xlsx (sheet Awards):2: voice (column D): cannot be negative"),
    (AWARDS, [["line_id", "date", "amount", None, "purpose"]],
     "bad.xlsx (sheet Lines):1: column D: a column has no name in the header row"),
    (AWARDS, [LINES_HEAD, ["L1", "2025-09-15", 5, "voice", "stray"]],
     "bad.xlsx (sheet Lines):2: column E: a value in a column with no header"),
    ([["council", "grant"]], [LINES_HEAD, ["L1", "2025-09-15", 5, "voice"]],
     "bad.xlsx (sheet Awards):1: amount: no column 'amount'"),
])
def test_errors_name_sheet_row_and_column(cli, tmp_path, awards, lines, message):
    run = cli("check", _book(tmp_path, awards, lines))
    assert run.code == 2
    assert message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_awards_option_overrides_the_awards_sheet(cli, tmp_path):
    book = _book(tmp_path, AWARDS, [LINES_HEAD, ["L1", "2025-09-15", 5000, "voice"]])
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards: [{grant: csc-prevention-2025-26, amount: 9000}]\n")
    alone = json.loads(cli("check", book, "--format", "json").stdout)
    overridden = json.loads(cli("check", book, "--awards", awards, "--format", "json").stdout)
    award = [c for c in overridden["ringfences"] if c["check"] == "award"]
    assert award[0]["allocated"] == "9000.00"
    assert alone["lines"][0]["status"] == "non_compliant"  # beyond the sheet's £1,000
    assert overridden["lines"][0]["status"] == "compliant"


def test_any_other_xlsx_is_still_a_ledger(cli, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["line_id", "date", "amount", "purpose", "grant"])
    book.active.append(["L1", "2025-09-15", 50, "voice", "csc-prevention-2025-26"])
    book.save(tmp_path / "ledger.xlsx")
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards: [{grant: csc-prevention-2025-26, amount: 9000}]\n")
    run = cli("check", tmp_path / "ledger.xlsx", "--awards", awards, "--format", "json")
    assert run.code == 0, run.stderr


def test_new_proposal_writes_a_workbook_to_fill_in(cli, tmp_path):
    out = tmp_path / "new.xlsx"
    run = cli("new", "proposal", out, "--council", "Rotherham MBC",
              "--grant", "csc-prevention-2025-26")
    assert run.code == 0, run.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["Awards", "Lines", "Guide"]
    awards = book["Awards"]
    assert [c.value for c in awards[1]] == ["council", "grant", "amount", "transformation",
                                            "family_help", "workforce", "voice"]
    assert [c.value for c in awards[2]][:2] == ["Rotherham MBC", "csc-prevention-2025-26"]
    lines = book["Lines"]
    assert [c.value for c in lines[1]] == [
        "line_id", "date", "amount", "description", "purpose", "cost_type", "category",
        "supplier", "reference", "grant", "existing_service"]
    lists = book["Lists"]
    choices = {lists.cell(1, col).value: [lists.cell(r, col).value for r in
                                          range(2, lists.max_row + 1)
                                          if lists.cell(r, col).value]
               for col in range(1, 5)}
    validated = {}
    for rule in lines.data_validations.dataValidation:
        column = lines.cell(1, openpyxl.utils.column_index_from_string(
            str(rule.sqref).split(":")[0].rstrip("0123456789"))).value
        letter, first, last = rule.formula1.replace("$", "").replace("Lists!", "").partition(":")
        validated[column] = choices[lists.cell(1, openpyxl.utils.column_index_from_string(
            letter.rstrip("0123456789"))).value]
    assert validated["grant"] == ["children-families-2025-26", "csc-prevention-2025-26",
                                  "ffpp-transformation-2025-26"]
    assert "supporting_families" in validated["purpose"] and "voice" in validated["purpose"]
    assert validated["cost_type"] == ["revenue", "capital"]
    assert validated["existing_service"] == ["yes", "no"]
    guide = "\n".join(str(c.value) for row in book["Guide"].iter_rows() for c in row if c.value)
    assert "Children and Families (Revenue) Grant 2025-26 (31/7834)" in guide
    assert "existing-service" in guide and "31/7833 para 2" in guide
    assert "continuing an existing service is what it is for" in guide  # the pack's summary
    assert "by 10% before it is at risk" in guide


def test_an_empty_new_workbook_says_it_has_no_lines(cli, tmp_path):
    out = tmp_path / "new.xlsx"
    cli("new", "proposal", out, "--grant", "csc-prevention-2025-26")
    run = cli("check", out)
    assert run.code == 2
    assert "(sheet Lines):2: no lines" in run.stderr


def test_new_proposal_with_an_unknown_grant_is_a_usage_error(cli, tmp_path):
    run = cli("new", "proposal", tmp_path / "n.xlsx", "--grant", "csc-prevention-2025")
    assert run.code == 2
    assert "did you mean 'csc-prevention-2025-26'" in run.stderr


def test_headers_are_read_whatever_their_case_and_spacing(cli, tmp_path):
    book = _book(tmp_path, [["Council", "Grant", "Amount"], ["X", "csc-prevention-2025-26", 1000]],
                 [["Line ID", "Date", "Amount", "Purpose", "Cost Type"],
                  ["L1", "2025-09-15", 5, "voice", "revenue"]])
    report = json.loads(cli("check", book, "--format", "json").stdout)
    assert report["lines"][0]["cost_type"] == "revenue"
    assert report["lines"][0]["status"] == "compliant"


def test_a_formula_without_a_computed_value_is_named_not_read_as_empty(cli, tmp_path):
    book = _book(tmp_path, AWARDS, [LINES_HEAD, ["L1", "2025-09-15", "=2+3", "voice"]])
    run = cli("check", book)
    assert run.code == 2
    assert "bad.xlsx (sheet Lines):2: amount (column C): formula '=2+3' has no computed value" \
        in run.stderr


def test_new_proposal_never_writes_over_a_workbook_unasked(cli, tmp_path):
    out = tmp_path / "filled.xlsx"
    out.write_bytes(b"a proposal filled in over days")
    run = cli("new", "proposal", out)
    assert run.code == 2
    assert "already exists" in run.stderr
    assert out.read_bytes() == b"a proposal filled in over days"
    assert cli("new", "proposal", out, "--force").code == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Awards"


@pytest.mark.parametrize("awards, message", [
    ([["council", "grant", "amount", "voic"], ["X", "csc-prevention-2025-26", 100, 50]],
     "bad.xlsx (sheet Awards):2: plan.voic: unknown purpose 'voic' for csc-prevention-2025-26; "
     "did you mean 'voice'?"),
    ([["council", "grant", "amount"], ["X", "csc-prevention-2025", 100]],
     "bad.xlsx (sheet Awards):2: grant: no grant pack 'csc-prevention-2025'; "
     "did you mean 'csc-prevention-2025-26'?"),
])
def test_awards_the_packs_refuse_are_named_in_the_awards_sheet(cli, tmp_path, awards, message):
    run = cli("check", _book(tmp_path, awards, [LINES_HEAD, ["L1", "2025-09-15", 5, "voice"]]))
    assert run.code == 2
    assert message in run.stderr


def test_sheet_names_are_read_whatever_their_case(cli, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "awards"
    book.active.append(["council", "grant", "amount"])
    book.active.append(["X", "csc-prevention-2025-26", 1000])
    lines = book.create_sheet("LINES")
    lines.append(LINES_HEAD)
    lines.append(["L1", "2025-09-15", 5, "voice"])
    book.save(tmp_path / "p.xlsx")
    run = cli("check", tmp_path / "p.xlsx", "--format", "json")
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["lines"][0]["status"] == "compliant"

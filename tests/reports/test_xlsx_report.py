"""The Cabinet workbook (`--format xlsx`), read back with openpyxl and rendered by
LibreOffice: Summary, Lines, Findings and Evidence sheets that agree with the JSON
report, and a well-formed workbook whatever text the input holds."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import polars as pl
import pytest
import yaml
from helpers import REPO, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

PROBLEMS = REPO / "cases" / "problems" / "proposal.yaml"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def problems(tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    assert run_cli("check", PROBLEMS, "--format", "xlsx", "-o", out).code == 1
    report = json.loads(run_cli("check", PROBLEMS, "--format", "json").stdout)
    return load_workbook(out), report, out


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def pounds(text: str) -> Decimal:
    return Decimal(text)


def test_the_sheets_a_cabinet_paper_needs(problems):
    book, _, _ = problems
    assert book.sheetnames == ["Summary", "Lines", "Findings", "Evidence"]


def test_summary_totals_by_status_agree_with_the_json(problems):
    book, report, _ = problems
    cells = list(book["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(cells) if row[0] == "Totals by status") + 2
    shown = {row[0]: (row[1], Decimal(str(row[2]))) for row in cells[start:start + 4]}
    labels = {"compliant": "compliant", "at_risk": "at risk", "non_compliant": "non-compliant",
              "total": "total"}
    assert shown == {labels[k]: (v["lines"], pounds(v["amount"]))
                     for k, v in report["summary"].items()}
    assert cells[1][:2] == ("Overall", "non-compliant")


def test_summary_shows_spend_against_plan_with_the_tolerance(problems):
    book, report, _ = problems
    cells = list(book["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(cells) if row[0] == "Spend against plan") + 1
    assert cells[start][:8] == ("grant", "purpose", "planned", "spent", "difference",
                                "tolerance", "status", "finding")
    purposes = [c for c in report["ringfences"] if c["check"] == "purpose"]
    shown = cells[start + 1:start + 1 + len(purposes)]
    for row, check in zip(shown, purposes):
        assert row[0:2] == (check["grant"], check["purpose"])
        assert Decimal(str(row[2])) == pounds(check["allocated"])
        assert Decimal(str(row[3])) == pounds(check["spent"])
        assert row[5] == 0.1
        assert row[7] == check["message"]
    section = next(i for i, row in enumerate(cells) if row[0] == "Ringfence checks")
    assert len([r for r in cells[section + 2:] if r[0]]) == len(report["ringfences"])


def test_summary_totals_the_funding_advice_by_grant(problems):
    book, report, _ = problems
    cells = list(book["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(cells) if str(row[0]).startswith("Funding advice"))
    assert cells[start + 1][:6] == ("grant", "determination", "lines", "amount",
                                    "council's award", "left")
    expected = {}
    for line in report["lines"]:
        for advice in line.get("advice", []):
            lines, amount = expected.get(advice["grant"], (0, Decimal(0)))
            expected[advice["grant"]] = (lines + 1, amount + pounds(line["amount"]))
    shown = {row[0]: (row[2], Decimal(str(row[3]))) for row in cells[start + 2:]
             if row[0] and row[1] and row[1].startswith("31/")}
    assert shown == expected
    assert expected["children-families-2025-26"][0] >= 1


def test_lines_sheet_has_every_line_with_its_status_amount_findings_and_advice(problems):
    book, report, _ = problems
    shown = rows(book["Lines"])
    assert [r["line_id"] for r in shown] == [line["line_id"] for line in report["lines"]]
    for row, line in zip(shown, report["lines"]):
        assert row["status"] == line["status"]
        assert Decimal(str(row["amount"])) == pounds(line["amount"])
        for finding in line["findings"]:
            assert finding["message"] in row["findings"]
        assert bool(row["advice"]) == ("advice" in line)
    e12 = next(r for r in shown if r["line_id"] == "E12")
    assert "children-families-2025-26 (31/7834)" in e12["advice"]
    assert e12["existing_service"] is True


def test_lines_sheet_is_laid_out_for_reading_and_printing(problems):
    book, report, _ = problems
    sheet = book["Lines"]
    header = [c.value for c in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:S{len(report['lines']) + 1}"
    amount = sheet.cell(2, header.index("amount") + 1)
    assert "£" in amount.number_format
    assert sheet.cell(2, header.index("date") + 1).is_date
    status = chr(ord("A") + header.index("status"))
    colours = {rule.formula[0].strip('"'): rule.dxf.fill.bgColor.rgb
               for cf in sheet.conditional_formatting for rule in cf.rules
               if str(cf.sqref).startswith(status)}
    assert set(colours) >= {"compliant", "at_risk", "non_compliant"}
    assert len(set(colours.values())) == len(colours)
    assert sheet.column_dimensions["I"].width >= 50  # findings
    assert sheet.print_title_rows == "$1:$1"  # the header on every printed page
    assert sheet.page_setup.orientation == "landscape"


def test_findings_sheet_has_one_row_per_finding_with_its_clause(problems):
    book, report, _ = problems
    shown = [(r["line_id"], r["rule"], r["status"], r["clause"], r["message"])
             for r in rows(book["Findings"])]
    assert shown == [(line["line_id"], f["rule"], f["status"], f["clause"], f["message"])
                     for line in report["lines"] for f in line["findings"]]


def test_evidence_sheet_names_the_input_and_its_digest(problems):
    book, _, _ = problems
    text = "\n".join(str(v) for row in book["Evidence"].iter_rows(values_only=True)
                     for v in row if v)
    assert hashlib.sha256(PROBLEMS.read_bytes()).hexdigest() in text
    assert "cases/problems/proposal.yaml" in text


def test_rows_written_in_chunks_keep_their_numbers(cli, tmp_path, monkeypatch):
    from ringfence.engine.reports import xlsx_report

    monkeypatch.setattr(xlsx_report, "_CHUNK", 4)
    out = tmp_path / "r.xlsx"
    cli("check", PROBLEMS, "--format", "xlsx", "-o", out)
    sheet = load_workbook(out)["Lines"]
    assert [r[0].row for r in sheet.iter_rows(min_row=2)] == list(range(2, sheet.max_row + 1))
    assert sheet.max_row == 23


def _same(cell, text: str) -> bool:
    """A Lines cell as the CSV report writes the same value."""
    if cell is None:
        return text == ""
    if isinstance(cell, bool):
        return text == str(cell).lower()
    if isinstance(cell, dt.datetime):
        return text == cell.date().isoformat()
    if isinstance(cell, int | float):
        return Decimal(str(cell)) == Decimal(text)
    return cell == text


def test_a_large_workbook_has_every_row_whole_across_chunks(cli, tmp_path, monkeypatch):
    """Rows are made a chunk at a time, each while the one before is compressed: every row
    comes once, in order and whole, where chunks meet too, as the CSV and JSON have it."""
    from ringfence.engine.reports import xlsx_report

    monkeypatch.setattr(xlsx_report, "_CHUNK", 97)  # 26 chunks of Lines, 3 of Findings
    ledger = tmp_path / "ledger.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "2500", str(ledger),
                    "--seed", "7", "--descriptions", "own"], check=True)
    awards = ledger.with_suffix(".awards.yaml")
    out, flat = tmp_path / "r.xlsx", tmp_path / "r.csv"
    for fmt, path in (("xlsx", out), ("csv", flat)):
        run = cli("check", ledger, "--awards", awards, "--format", fmt, "-o", path)
        assert run.code in (0, 1), run.stderr
    report = json.loads(cli("check", ledger, "--awards", awards, "--format", "json").stdout)
    with flat.open(newline="", encoding="utf-8") as stream:
        expected = list(csv.reader(stream))
    with zipfile.ZipFile(out) as book:
        numbers = [int(n) for n in re.findall(rb'<row r="(\d+)"',
                                              book.read("xl/worksheets/sheet2.xml"))]
    assert numbers == list(range(1, len(expected) + 1))  # the header, then each row
    workbook = load_workbook(out, read_only=True)
    shown = list(workbook["Lines"].iter_rows(values_only=True))
    assert len(shown) == len(expected) == 2501
    assert list(shown[0]) == expected[0]
    differ = [(index, name, cell, text) for index, (row, line) in enumerate(
        zip(shown[1:], expected[1:]), start=2) for name, cell, text in zip(expected[0], row, line)
        if not _same(cell, text)]
    assert differ == []
    findings = [row[:2] + row[5:6] for row in workbook["Findings"].iter_rows(
        min_row=2, values_only=True)]
    assert findings == [(line["line_id"], line["source"], f["rule"])
                        for line in report["lines"] for f in line["findings"]]
    assert len(findings) > 2 * 97


def _proposal(tmp_path, text: str):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump({
        "council": text, "awards": [{"grant": "csc-prevention-2025-26", "amount": 1000}],
        "lines": [{"line_id": "L1", "date": "2025-06-01", "amount": 10, "purpose": "voice",
                   "description": text, "supplier": text, "category": text,
                   "extra column": text}]}, allow_unicode=True))
    return path


def _well_formed(path) -> None:
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                ElementTree.fromstring(book.read(name))


FORBIDDEN = "a\x00b\x01\x08\x0b\x0c\x0e\x1f c\ufffe d\uffff e"


def test_characters_xml_forbids_never_corrupt_the_workbook(cli, tmp_path):
    out = tmp_path / "r.xlsx"
    run = cli("check", _proposal(tmp_path, FORBIDDEN), "--format", "xlsx", "-o", out,
              "--fail-on", "never")
    assert run.code == 0, run.stderr
    _well_formed(out)
    book = load_workbook(out)
    line = rows(book["Lines"])[0]
    cleaned = "a\ufffdb\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd c\ufffd d\ufffd e"
    assert line["description"] == line["supplier"] == line["extra column"] == cleaned
    assert book["Summary"]["A1"].value == f"ringfence check: {cleaned}"


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
               max_size=40).filter(lambda s: s.strip()))
def test_any_text_gives_a_well_formed_workbook(cli, tmp_path, text):
    out = tmp_path / "r.xlsx"
    run = cli("check", _proposal(tmp_path, text), "--format", "xlsx", "-o", out,
              "--fail-on", "never")
    assert run.code in (0, 1), run.stderr
    _well_formed(out)
    load_workbook(out)


def test_text_that_looks_like_a_formula_stays_text(cli, tmp_path):
    out = tmp_path / "r.xlsx"
    cli("check", _proposal(tmp_path, "=1+1"), "--format", "xlsx", "-o", out,
        "--fail-on", "never")
    cell = load_workbook(out)["Lines"]["R2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


@pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed")
def test_libreoffice_renders_the_workbook(problems, tmp_path):
    _, _, book = problems
    profile = f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}"
    done = subprocess.run([SOFFICE, "--headless", profile,
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                          capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file(), done.stderr
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    assert content.count(b"/Type /Page") + content.count(b"/Type/Page") >= 4  # a page a sheet


@pytest.mark.parametrize("rows, what", [(2, "2 lines"), (3, "3 findings")])
def test_what_a_worksheet_cannot_hold_is_refused_not_cut(cli, tmp_path, monkeypatch, rows, what):
    from ringfence.engine.reports import xlsx_report

    monkeypatch.setattr(xlsx_report, "EXCEL_ROWS", rows)
    proposal = tmp_path / "p.yaml"
    proposal.write_text("awards: [{grant: csc-prevention-2025-26, amount: 1000}]\n"
                        "lines:\n"
                        "  - {line_id: A, amount: 5, cost_type: capital}\n"  # 3 findings
                        "  - {line_id: B, amount: 5, date: 2025-06-01, purpose: voice}\n")
    out = tmp_path / "r.xlsx"
    run = cli("check", proposal, "--format", "xlsx", "-o", out)
    assert run.code == 2
    assert f"--format xlsx: {what} do not fit in a worksheet" in run.stderr
    assert not out.exists()


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
       | st.text(st.sampled_from("a\x00\x0b\ufffe\U0001f9fe"), min_size=1, max_size=9)
       .map(lambda unit: unit * (32_770 // len(unit))))
def test_a_cell_written_alone_is_cleaned_as_a_column_is(text):
    """Summary and Cases cells are cleaned in Python, the Lines sheet's on columns."""
    from ringfence.engine.reports.xlsx_report import _cell_text, _clean

    assert _cell_text(text) == pl.select(_clean(pl.lit(text, dtype=pl.Utf8))).item()

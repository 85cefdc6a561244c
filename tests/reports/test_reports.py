"""Reports: golden files, safe CSV, Markdown and HTML, Excel, and their evidence."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest
import yaml
from helpers import REPO

sys.path.insert(0, str(REPO / "tests" / "golden"))
import regenerate  # noqa: E402

HOSTILE = [
    {"line_id": "H1", "date": "2025-06-01", "amount": 10, "purpose": "family_help",
     "supplier": "=HYPERLINK(\"http://evil\",\"x\")", "description": "<script>alert(1)</script>"},
    {"line_id": "H2", "date": "2025-06-01", "amount": 10, "purpose": "family_help",
     "supplier": "+SUM(A1:A2)", "description": "@cmd|' /C calc'!A0 </td></tr><b>bold"},
    {"line_id": "H3", "date": "2025-06-01", "amount": -20, "purpose": "family_help",
     "supplier": "-2+3", "description": "\tTabbed | pipe *stars* `code`"},
]


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump({"council": "<i>Evil</i> Council", "awards": [
        {"grant": "csc-prevention-2025-26", "amount": 1000}], "lines": HOSTILE}))
    return path


@pytest.mark.parametrize("case,fmt", [(c, f) for c in regenerate.CASES for f in regenerate.FORMATS])
def test_report_matches_golden_file(case, fmt):
    expected = (REPO / "tests" / "golden" / f"{case}.{fmt}").read_bytes()
    assert regenerate.render(case, fmt) == expected, \
        "report changed: run tests/golden/regenerate.py and review the diff"


def test_csv_neutralises_formulas_and_keeps_amounts_numeric(hostile, cli):
    run = cli("check", hostile, "--format", "csv", "--fail-on", "never")
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    by_id = {row["line_id"]: row for row in rows}
    assert by_id["H1"]["supplier"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert by_id["H2"]["supplier"] == "'+SUM(A1:A2)"
    assert by_id["H2"]["description"].startswith("'@cmd")
    assert by_id["H3"]["supplier"] == "'-2+3"
    assert by_id["H3"]["description"] == "Tabbed | pipe *stars* `code`"  # input is stripped
    assert by_id["H3"]["amount"] == "-20.00"
    for row in rows:
        for name, value in row.items():
            if name not in ("amount", "compliant_amount", "at_risk_amount", "non_compliant_amount"):
                assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), (name, value)


def test_csv_evidence_goes_beside_the_file(hostile, cli, tmp_path):
    out = tmp_path / "report.csv"
    cli("check", hostile, "--format", "csv", "--output", out, "--fail-on", "never")
    evidence = json.loads((tmp_path / "report.csv.evidence.json").read_text())
    assert evidence["inputs"][0]["path"] == str(hostile)


def test_html_escapes_every_input_text(hostile, cli):
    page = cli("check", hostile, "--format", "html", "--fail-on", "never").stdout
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "</td></tr><b>bold" not in page
    assert "<i>Evil</i>" not in page
    assert page.count("<script>") == 1  # only the page's own filter script
    assert "http://" not in page.replace("http://evil", "") .replace("http://www.w3.org", "")


def test_markdown_escapes_input_text(hostile, cli):
    text = cli("check", hostile, "--format", "md", "--fail-on", "never").stdout
    assert "\\<i\\>Evil\\</i\\> Council" in text
    assert "<i>" not in text and "<script>" not in text


def test_xlsx_needs_output_and_stores_text_as_text(hostile, cli, tmp_path):
    assert cli("check", hostile, "--format", "xlsx").code == 2
    out = tmp_path / "report.xlsx"
    cli("check", hostile, "--format", "xlsx", "--output", out, "--fail-on", "never")
    from openpyxl import load_workbook

    book = load_workbook(out)
    sheet = book["Lines"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c for c in row])) for row in sheet.iter_rows(min_row=2)]
    h1 = next(r for r in rows if r["line_id"].value == "H1")
    assert h1["supplier"].data_type == "s"
    assert h1["supplier"].value.startswith("=HYPERLINK")
    assert {"Summary", "Lines", "Findings", "Evidence"} <= set(book.sheetnames)


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_every_report_carries_its_evidence(fmt, cli):
    text = cli("check", "cases/problems/proposal.yaml", "--format", fmt,
               "--fail-on", "never").stdout
    for needle in ("ringfence", "0.1.0", "csc-prevention-2025-26", "cases/problems/proposal.yaml"):
        assert needle in text
    digest = __import__("hashlib").sha256((REPO / "cases/problems/proposal.yaml").read_bytes())
    assert digest.hexdigest() in text


@pytest.fixture
def ledger_with_clashing_columns(tmp_path):
    """A ledger whose own columns share names with the report's, or look like formulas."""
    path = tmp_path / "ledger.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["line_id", "date", "amount", "purpose", "supplier", "status", "findings",
                         "source", "=cmd()"])
        writer.writerow(["L1", "2025-06-01", "10.00", "family_help", "Acme\x01 Ltd" + "x" * 40000,
                         "paid", "none", "AP", "=1+1"])
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards:\n  - {grant: csc-prevention-2025-26, amount: 1000}\n")
    return path, awards


def test_a_ledgers_own_columns_never_clash_with_the_reports(ledger_with_clashing_columns, cli):
    path, awards = ledger_with_clashing_columns
    run = cli("check", path, "--awards", awards, "--format", "csv", "--fail-on", "never")
    assert run.code == 0, run.stderr
    row = next(csv.DictReader(io.StringIO(run.stdout)))
    assert row["status"] == "compliant" and row["findings"] == ""
    assert row["status (input)"] == "paid" and row["findings (input)"] == "none"
    assert row["source (input)"] == "AP"
    assert row["'=cmd()"] == "'=1+1"  # the header is neutralised as well as the cell


def test_xlsx_holds_text_a_workbook_cannot(ledger_with_clashing_columns, cli, tmp_path):
    path, awards = ledger_with_clashing_columns
    out = tmp_path / "report.xlsx"
    run = cli("check", path, "--awards", awards, "--format", "xlsx", "--output", out,
              "--fail-on", "never")
    assert run.code == 0, run.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(out)["Lines"]
    header = [c.value for c in sheet[1]]
    supplier = sheet.cell(row=2, column=header.index("supplier") + 1).value
    assert supplier.startswith("Acme\ufffd Ltd") and len(supplier) == 32767

"""Reports: golden files, safe CSV and HTML, Excel, evidence, quiet progress."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import REPO

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
                assert not value[:1] in ("=", "+", "-", "@", "\t", "\r"), (name, value)


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
    sheet = book["lines"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c for c in row])) for row in sheet.iter_rows(min_row=2)]
    h1 = next(r for r in rows if r["line_id"].value == "H1")
    assert h1["supplier"].data_type == "s"
    assert h1["supplier"].value.startswith("=HYPERLINK")
    assert {"summary", "ringfences", "evidence"} <= set(book.sheetnames)


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_every_report_carries_its_evidence(fmt, cli):
    text = cli("check", "cases/problems/proposal.yaml", "--format", fmt, "--fail-on", "never").stdout
    for needle in ("ringfence", "0.1.0", "csc-prevention-2025-26", "cases/problems/proposal.yaml"):
        assert needle in text
    digest = __import__("hashlib").sha256((REPO / "cases/problems/proposal.yaml").read_bytes())
    assert digest.hexdigest() in text


def test_no_progress_output_when_stderr_is_not_a_terminal():
    done = subprocess.run([sys.executable, "cli.py", "check", "cases/problems/proposal.yaml",
                           "--format", "json"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == ""


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")
def test_html_renders_and_filters_in_a_real_browser(tmp_path, cli):
    page = tmp_path / "report.html"
    cli("check", "cases/problems/proposal.yaml", "--format", "html", "--output", page)
    done = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert 'data-ready="1"' in dom, done.stderr[-2000:]
    assert dom.count("<tr data-status=") == 22
    assert '<span id="shown">22</span>' in dom

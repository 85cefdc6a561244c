"""Every report format shows the cross-line cases: the JSON `cases`, a cases column in
CSV and Excel (and a cases sheet), a cases section in Markdown, HTML and the table, and
the case named in the findings SARIF, JUnit and GitHub carry."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from openpyxl import load_workbook

AWARDS = [{"grant": "csc-prevention-2025-26", "amount": 10**9}]
# A duplicate at risk (D1), a split at risk (S1), two fees on one day for review (D2).
LINES = [dict(zip(("line_id", "date", "amount", "supplier", "reference"), row)) for row in (
    ("A", "2025-06-01", 250, "Acme Ltd", "INV-1"),
    ("B", "2025-06-03", 250, "Acme Ltd", "INV-1"),
    ("C", "2025-06-02", 4900, "Brill Ltd", "S-1"),
    ("D", "2025-06-02", 4850, "Brill Ltd", "S-2"),
    ("E", "2025-06-05", 700, "School", "F-1"),
    ("F", "2025-06-05", 700, "School", "F-2"),
    ("G", "2025-06-09", 90, "Clean Ltd", "X-1"),
)]


@pytest.fixture
def proposal(tmp_path):
    path = tmp_path / "p.yaml"
    lines = [{**line, "purpose": "family_help", "cost_type": "revenue"} for line in LINES]
    path.write_text(yaml.safe_dump({"awards": AWARDS, "lines": lines}))
    return path


def run(cli, proposal, fmt: str, *extra) -> str:
    result = cli("check", proposal, "--format", fmt, "--fail-on", "never", *extra)
    assert result.code == 0, result.stderr
    return result.stdout


def test_json_lists_each_case_once_ranked_and_findings_name_them(cli, proposal):
    report = json.loads(run(cli, proposal, "json"))
    cases = report["cases"]
    assert [(c["id"], c["kind"], c["strength"], c["status"]) for c in cases] == [
        ("S1", "split", "high", "at_risk"), ("D1", "duplicate", "high", "at_risk"),
        ("D2", "duplicate", "low", "review")]
    assert [[line["line_id"] for line in c["lines"]] for c in cases] == [
        ["C", "D"], ["A", "B"], ["E", "F"]]
    assert [c["amount"] for c in cases] == ["9750.00", "500.00", "1400.00"]
    assert all(c["reason"] and "\n" not in c["reason"] for c in cases)
    cases_of = {line["line_id"]: [f.get("case") for f in line["findings"]
                                  if f["rule"].startswith("crossline")]
                for line in report["lines"]}
    assert cases_of == {"A": ["D1"], "B": ["D1"], "C": ["S1"], "D": ["S1"], "E": [],
                        "F": [], "G": []}
    statuses = {line["line_id"]: line["status"] for line in report["lines"]}
    assert statuses["E"] == statuses["F"] == statuses["G"] == "compliant"


def test_csv_and_excel_have_each_lines_cases(cli, proposal, tmp_path):
    rows = list(csv.DictReader(io.StringIO(run(cli, proposal, "csv"))))
    assert {row["line_id"]: row["cases"] for row in rows} == {
        "A": "D1", "B": "D1", "C": "S1", "D": "S1", "E": "D2", "F": "D2", "G": ""}
    out = tmp_path / "r.xlsx"
    run(cli, proposal, "xlsx", "--output", out)
    book = load_workbook(out, read_only=True)
    header, *lines = [row for row in book["Lines"].iter_rows(values_only=True)]
    assert [dict(zip(header, row))["cases"] for row in lines] == [
        "D1", "D1", "S1", "S1", "D2", "D2", None]
    assert [row[0] for row in book["Cases"].iter_rows(values_only=True)] == [
        "case", "S1", "D1", "D2"]


@pytest.mark.parametrize("fmt", ["md", "html", "table"])
def test_readable_formats_have_a_cases_section(cli, proposal, fmt):
    text = run(cli, proposal, fmt)
    assert "Cross-line cases" in text
    for case in ("S1", "D1", "D2"):
        assert case in text
    assert "review" in text


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_ci_formats_name_the_case_in_the_findings(cli, proposal, fmt):
    text = run(cli, proposal, fmt)
    assert "case D1: possible duplicate payment" in text
    assert "case S1: possible split purchase" in text

"""The CSV report accounts for every data row: rejected rows are rows of it too."""

from __future__ import annotations

import csv
import io

from helpers import REPO

AWARDS = REPO / "cases" / "rotherham-2025-26" / "awards.yaml"
HEADER = "line_id,date,amount,supplier,purpose,grant,cost_type\n"
ROWS = ("A1,2025-09-01,100.00,Acme,family_help,csc-prevention-2025-26,revenue\n"
        "A2,2025-09-02,1.234,Acme,family_help,csc-prevention-2025-26,revenue\n"
        "A3,31/02/2025,50.00,=HYPERLINK(\"x\"),family_help,csc-prevention-2025-26,revenue\n")


def test_csv_report_lists_rejected_rows_so_nothing_is_lost(cli, tmp_path):
    """Issue 3: with --skip-bad-rows the rejected rows are listed "in the report"; a CSV
    report that drops them does not reconcile with the file's row count."""
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(HEADER + ROWS)
    run = cli("check", ledger, "--awards", AWARDS, "--skip-bad-rows", "--format", "csv",
              "--fail-on", "never")
    assert run.code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(rows) == 3  # every data row of the file: one line and two rejected rows
    rejected = [r for r in rows if r["status"] == "rejected"]
    assert [r["row"] for r in rejected] == ["3", "4"]
    assert "fractions of a penny" in rejected[0]["findings"]
    # the raw values are kept, neutralised like every other text cell
    assert rejected[1]["supplier"] == "'=HYPERLINK(\"x\")"


def test_a_rejected_rows_own_columns_go_where_the_lines_show_them(cli, tmp_path):
    """A ledger's own `status` column is `status (input)` in the report, for the lines
    and for the rows that could not be read alike."""
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("line_id,date,amount,grant,status,note\n"
                      "A1,2025-09-01,100.00,csc-prevention-2025-26,paid,fine\n"
                      "A2,2025-09-02,1.234,csc-prevention-2025-26,held,sub-penny\n")
    run = cli("check", ledger, "--awards", AWARDS, "--skip-bad-rows", "--format", "csv",
              "--fail-on", "never")
    assert run.code == 0, run.stderr
    rows = {r["line_id"]: r for r in csv.DictReader(io.StringIO(run.stdout))}
    assert (rows["A1"]["status"], rows["A1"]["status (input)"]) == ("at_risk", "paid")
    assert (rows["A2"]["status"], rows["A2"]["status (input)"], rows["A2"]["note"]) == \
        ("rejected", "held", "sub-penny")

"""`ringfence map draft`: a starter map a new auditor edits, that reads the files as they are."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from helpers import SHARED

LEDGERS = SHARED / "data" / "ledgers"
GROUPS = {
    "oxford": ["oxford-2014-q1.csv", "oxford-2014-q4.csv", "oxford-2016-q1.csv"],
    "manchester": ["manchester-2022-05.csv"],
    "calderdale": ["calderdale-2022-04.csv", "calderdale-2022-08-card.csv"],
}


@pytest.fixture
def awards(tmp_path):
    path = tmp_path / "awards.yaml"
    path.write_text("awards: [{grant: csc-prevention-2025-26, amount: 100000000}]\n")
    return path


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_a_drafted_map_reads_every_row_of_real_files(group, cli, awards, tmp_path, shared_dir):
    paths = [LEDGERS / name for name in GROUPS[group]]
    out = tmp_path / "map.yaml"
    run = cli("map", "draft", *paths, "--output", out)
    assert run.code == 0, run.stderr
    check = cli("check", *paths, "--map", out, "--awards", awards, "--format", "json",
                "--fail-on", "never")
    assert check.code == 0, check.stderr
    got = json.loads(check.stdout)
    assert "rejected" not in got
    for evidence in got["evidence"]["inputs"]:
        assert evidence["lines"] + len(evidence["skipped"]) == evidence["rows"]


def test_a_repeating_transaction_number_is_a_reference_and_lines_go_by_row(cli, shared_dir):
    text = cli("map", "draft", LEDGERS / "manchester-2022-05.csv").stdout
    drafted = yaml.safe_load(text)
    assert drafted["columns"]["Transaction Number"] == "reference"
    assert drafted["line_id"] == "row"
    assert {drafted["columns"][c] for c in ("Invoice Payment Date", "Net Amount",
                                             "Supplier Name")} == {"date", "amount", "supplier"}


def test_a_time_only_date_column_is_left_out_and_saying_why(cli, shared_dir):
    text = cli("map", "draft", LEDGERS / "oxford-2014-q1.csv").stdout
    assert "date" not in (yaml.safe_load(text)["columns"] or {}).values()
    assert "# Paid Date: date  # left out: 3836 of its cells are not dates (e.g. '00:00:00')" \
        in text
    assert yaml.safe_load(text)["columns"]["Trans No"] == "line_id"


def test_title_rows_and_area_values_as_candidates(cli, tmp_path, awards):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["Payments over £500"], ["Run on 01/05/2025"], [],
                      ["Trans Ref", "Payment Date", "Supplier", "Service Area", "Net Amount"],
                      ["X1", "01/04/2025", "Acme", "Early Help", "10"],
                      ["X2", "02/04/2025", "Beta", "Highways", "20"],
                      ["X3", "03/04/2025", "Acme", "Early Help", "5"],
                      ["Total", "", "", "", "35"]])
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(out.getvalue())
    text = cli("map", "draft", ledger).stdout
    assert "# ledger.csv: header found at row 4" in text
    assert "#     Early Help  (2)" in text and "#     Highways  (1)" in text
    drafted = yaml.safe_load(text)
    assert drafted["columns"] == {"Payment Date": "date", "Net Amount": "amount",
                                  "Supplier": "supplier", "Trans Ref": "line_id"}
    (tmp_path / "map.yaml").write_text(text)
    got = json.loads(cli("check", ledger, "--map", tmp_path / "map.yaml", "--awards", awards,
                         "--format", "json", "--fail-on", "never").stdout)
    assert got["summary"]["total"] == {"lines": 3, "amount": "35.00"}
    assert got["evidence"]["inputs"][0]["reconciles"] is True


def test_a_file_with_no_recognisable_header_is_one_line(cli, tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("a,b\n1,2\n")
    run = cli("map", "draft", ledger)
    assert run.code == 2
    [message] = run.stderr.strip().splitlines()
    assert "ledger.csv:1: no header row" in message and "row 1: a | b" in message


def test_monthly_totals_labelled_in_the_id_column_do_not_make_the_id_repeat(cli, tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("Transaction ID,Date Paid,Creditor Name,Net Value\n"
                      "P1,01/04/2025,Acme,10\nTotal,,,10\n"
                      "P2,01/05/2025,Beta,5\nTotal,,,5\n")
    drafted = yaml.safe_load(cli("map", "draft", ledger).stdout)
    assert drafted["columns"] == {"Date Paid": "date", "Net Value": "amount",
                                  "Creditor Name": "supplier", "Transaction ID": "line_id"}
    assert "line_id" not in drafted  # no `line_id: row`: the ids are unique

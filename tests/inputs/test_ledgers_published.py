"""Oxford's files as published, and re-exported as other councils publish theirs.

The line counts and money are worked out here independently (csv module, Decimal) from
the transactions themselves: rows with a transaction number. The map charges two
organisational units to the grant; every other line is out of scope.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from helpers import REPO, SHARED

LEDGERS = SHARED / "data" / "ledgers"
MAPS = REPO / "cases" / "maps"
IN_SCOPE = {"Community Services", "Leisure, Parks & Communities"}
FILES = {"oxford-2014-q1.csv": "oxford-undated", "oxford-2014-q4.csv": "oxford",
         "oxford-2016-q1.csv": "oxford"}


def transactions(path) -> list[dict]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    header = [name.strip().lower().replace(" ", "_") for name in rows[0]]
    return [dict(zip(header, row)) for row in rows[1:] if row[header.index("trans_no")].strip()]


def pounds(rows) -> str:
    return f"{sum(Decimal(r['amount']) for r in rows):.2f}"


@pytest.fixture(scope="module")
def awards(tmp_path_factory):
    path = tmp_path_factory.mktemp("awards") / "awards.yaml"
    path.write_text("awards:\n  - {grant: csc-prevention-2025-26, amount: 100000000}\n")
    return path


def check(cli, awards, *paths, map_name="oxford", code=0):
    run = cli("check", *paths, "--map", MAPS / f"{map_name}.yaml", "--awards", awards,
              "--format", "json", "--fail-on", "never" if code == 0 else "non_compliant")
    assert run.code == code, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_transaction_is_a_line_in_scope_or_out_to_the_penny(name, awards, cli,
                                                                    shared_dir):
    rows = transactions(LEDGERS / name)
    inside = [r for r in rows if r["organisational_unit"] in IN_SCOPE]
    outside = [r for r in rows if r["organisational_unit"] not in IN_SCOPE]
    got = check(cli, awards, LEDGERS / name, map_name=FILES[name])
    assert got["summary"]["total"] == {"lines": len(inside), "amount": pounds(inside)}
    assert got["summary"]["out_of_scope"] == {"lines": len(outside), "amount": pounds(outside)}
    assert got.get("rejected", []) == []
    [award] = [r for r in got["ringfences"] if r["check"] == "award"]
    assert award["spent"] == pounds(inside)
    [evidence] = got["evidence"]["inputs"]
    assert (evidence["lines"], evidence["amount"]) == (len(rows), pounds(rows))
    assert evidence["stated_total"] is None and evidence["reconciles"] is None


def test_the_junk_last_row_is_skipped_and_total_tree_care_is_a_supplier(awards, cli,
                                                                          shared_dir):
    q4 = check(cli, awards, LEDGERS / "oxford-2014-q4.csv")
    assert q4["evidence"]["inputs"][0]["skipped"] == [{"row": 3861, "kind": "blank",
                                                        "text": "xxx"}]
    q1 = check(cli, awards, LEDGERS / "oxford-2016-q1.csv")
    tree_care = [r for r in transactions(LEDGERS / "oxford-2016-q1.csv")
                 if r["supplier_name"].strip() == "Total Tree Care"]
    listed = [o for o in q1["out_of_scope"] if o["line_id"] in {r["trans_no"] for r in tree_care}]
    listed += [line for line in q1["lines"] if line.get("supplier") == "Total Tree Care"]
    assert tree_care and len(listed) == len(tree_care)


def republished(rows: list[dict], header: list[str], tamper: bool = False) -> str:
    """The rows as another council exports them: title rows, each month's rows followed
    by a rule and a labelled subtotal, a blank row, and an unlabelled grand total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([["Oxford City Council"], ["Payments over £500: report run 01/07/2016"],
                      ["", "", ""], header])
    by_month: dict[str, list[dict]] = {}
    for row in rows:
        by_month.setdefault(row["paid_date"][3:], []).append(row)
    grand = Decimal(0)
    for month, month_rows in by_month.items():
        writer.writerows([[r[k] for k in ("body_name", "organisational_unit",
                                          "expenditure_category", "expenditure_code",
                                          "paid_date", "trans_no", "amount", "type",
                                          "supplier_id", "supplier_name")]
                          for r in month_rows])
        subtotal = sum(Decimal(r["amount"]) for r in month_rows)
        grand += subtotal
        writer.writerow(["-" * 10] * 10)
        shown = subtotal + Decimal("0.01") if tamper and month == "05/2016" else subtotal
        writer.writerow([f"Total for {month}", "", "", "", "", "", f"{shown:,.2f}", "", "", ""])
    writer.writerows([[], ["", "", "", "", "", "", f"£{grand:,.2f}", "", "", ""]])
    return out.getvalue()


HEADER_2016 = ["body_name", "organisational_unit", "expenditure_category", "expenditure_code",
               "paid_date", "trans_no", "amount", "type", "supplier_id", "supplier_name"]
HEADER_DRIFTED = ["Body Name", "Organisational Unit", "Expenditure Category",
                  "Expenditure Code", "Paid Date", "Trans No", "Amount", "Type", "Supplier ID",
                  "Supplier Name"]


def test_title_rows_monthly_subtotals_and_header_drift_leave_the_money_as_it_is(
        awards, cli, shared_dir, tmp_path):
    rows = transactions(LEDGERS / "oxford-2016-q1.csv")
    april = [r for r in rows if r["paid_date"].endswith("04/2016")]
    later = [r for r in rows if not r["paid_date"].endswith("04/2016")]
    first, second = tmp_path / "april.csv", tmp_path / "may-june.csv"
    first.write_text(republished(april, HEADER_2016), encoding="utf-8")
    second.write_text(republished(later, HEADER_DRIFTED), encoding="utf-8")
    got = check(cli, awards, first, second)
    inside = [r for r in rows if r["organisational_unit"] in IN_SCOPE]
    assert got["summary"]["total"] == {"lines": len(inside), "amount": pounds(inside)}
    assert got["summary"]["out_of_scope"]["lines"] == len(rows) - len(inside)
    for evidence, part in zip(got["evidence"]["inputs"], (april, later)):
        assert (evidence["lines"], evidence["amount"]) == (len(part), pounds(part))
        assert evidence["stated_total"] == pounds(part) and evidence["reconciles"] is True
        kinds = [s["kind"] for s in evidence["skipped"]]
        assert kinds.count("preamble") == 3 and kinds.count("total") == kinds.count("blank")
    # April's file: three title rows and the header, then its rows from row 5.
    position = {r["trans_no"]: index for index, r in enumerate(april)}
    rows = [(line["row"], 5 + position[line["line_id"]]) for line in got["lines"]
            if line["source"] == str(first)]
    assert rows and all(row == expected for row, expected in rows)


def test_a_subtotal_a_penny_out_fails_the_run(awards, cli, shared_dir, tmp_path):
    rows = transactions(LEDGERS / "oxford-2016-q1.csv")
    path = tmp_path / "ledger.csv"
    path.write_text(republished(rows, HEADER_2016, tamper=True), encoding="utf-8")
    got = check(cli, awards, path, code=1)
    [stated] = [r for r in got["ringfences"] if r["check"] == "reconciliation"]
    assert stated["status"] == "non_compliant"
    assert "£0.01 apart" in stated["message"]
    assert got["evidence"]["inputs"][0]["reconciles"] is False

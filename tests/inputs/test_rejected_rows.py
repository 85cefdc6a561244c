"""Nothing is lost: every data row becomes a line or a rejected row, and every penny with it.

Rejected rows stop the run by default (exit 2, one line per row naming file, row, field,
reason and the raw values); with --skip-bad-rows they are listed in the report instead.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.engine.core.dates import DateError, parse_date
from ringfence.engine.core.money import BLANKS, MoneyError, format_plain, parse_pence
from ringfence.engine.pipeline.check import CheckRequest, run_check
from ringfence.engine.reports.json_report import report

AWARDS = "awards: [{grant: csc-prevention-2025-26, amount: 100000000}]\n"
AMOUNTS = ["1,234.56", "£1,234.56", "-12", "(470.60)", "0.5", " 7 ", "£-0.50",
           "12.345", "1.2.3", "", "  ", "abc", "(5", "1,23", "- 3", "£", "(£2,000.00)"]
DATES = ["2025-06-01", "01/06/2025", "1/6/2025", "2026-03-31 00:00:00", "", " ",
         "2025-02-30", "31/06/2025", "June 2025", "2025-6-1", "2025/06/01"]


def scalar_amount(text: str) -> tuple[int | None, bool]:
    """(pence or None, whether the amount makes the row bad), by the scalar parser."""
    if not text.strip(BLANKS):
        return None, True
    try:
        return parse_pence(text), False
    except MoneyError:
        return None, True


def scalar_date_is_bad(text: str) -> bool:
    if not text.strip(BLANKS):
        return False
    try:
        parse_date(text)
        return False
    except DateError:
        return True


rows = st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D", "E", "F", " ", ""]),
                          st.sampled_from(DATES), st.sampled_from(AMOUNTS)),
                min_size=1, max_size=25)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_every_row_is_a_line_or_a_rejected_row_and_the_money_reconciles(tmp_path, data):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line_id", "date", "amount", "description"])
    for number, (line_id, day, amount) in enumerate(data):
        writer.writerow([line_id, day, amount, f"row {number + 2}"])
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(out.getvalue())
    awards = tmp_path / "awards.yaml"
    awards.write_text(AWARDS)

    result = run_check(CheckRequest([str(ledger)], awards=str(awards), skip_bad_rows=True))
    got = report(result)

    seen: set[str] = set()
    expected_bad, expected_total, expected_rejected_amount = [], 0, 0
    totals = []  # rows with an amount and nothing naming a payment: the file's totals
    for number, (line_id, day, amount) in enumerate(data):
        pence, amount_bad = scalar_amount(amount)
        key = line_id.strip()
        if not key and not day.strip(BLANKS) and not amount_bad:
            totals.append(number + 2)
            continue
        bad = not key or amount_bad or scalar_date_is_bad(day) or key in seen
        if key:
            seen.add(key)
        if bad:
            expected_bad.append(number + 2)
            expected_rejected_amount += pence or 0
        else:
            expected_total += pence
    summary = got["summary"]
    assert [r["row"] for r in got.get("rejected", [])] == expected_bad
    assert [line["row"] for line in got["lines"]] == [
        n + 2 for n in range(len(data)) if n + 2 not in expected_bad + totals]
    assert summary["total"] == {"lines": len(data) - len(expected_bad) - len(totals),
                                "amount": format_plain(expected_total)}
    [evidence] = got["evidence"]["inputs"]
    assert [s["row"] for s in evidence["skipped"] if s["kind"] == "total"] == totals
    assert evidence["rows"] == len(data)
    buckets = [summary[s] for s in ("compliant", "at_risk", "non_compliant")]
    assert sum(b["lines"] for b in buckets) == summary["total"]["lines"]
    assert sum(Decimal(b["amount"]) for b in buckets) == Decimal(summary["total"]["amount"])
    if expected_bad:
        assert summary["rejected"]["rows"] == len(expected_bad)
        assert summary["rejected"]["amount"] == format_plain(expected_rejected_amount)
        for rejected in got["rejected"]:  # the raw values are the file's text, as written
            number = rejected["row"] - 2
            assert rejected["raw"]["description"] == f"row {rejected['row']}"
            assert (rejected["raw"]["amount"] or "") == data[number][2] or \
                not data[number][2].strip()
    else:
        assert "rejected" not in got


BAD = ("line_id,date,amount,description\n"
       "G1,2025-06-01,10.00,good\n"
       "B1,2025-13-01,£1,2x,\"hostile\nnewline\"\n"
       ",,12.345,three problems\n"
       "G1,2025-06-03,5,duplicate of row 2\n"
       "G2,2025-06-04,(20.00),good credit\n")


def test_by_default_every_rejected_row_is_one_line_and_the_run_exits_2(tmp_path, cli):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(BAD)
    awards = tmp_path / "awards.yaml"
    awards.write_text(AWARDS)
    run = cli("check", ledger, "--awards", awards)
    assert run.code == 2 and run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 4, run.stderr
    assert lines[0].startswith(f"ringfence: {ledger}:3: row: has values beyond the header's "
                               "4 columns: 'hostile\\nnewline'")
    assert "date: '2025-13-01' is not a real date" in lines[0]
    assert "amount: '£1' is not an amount" not in lines[0]  # '£1' is an amount: £1.00
    assert lines[1].startswith(f"ringfence: {ledger}:4: line_id: missing; "
                               "amount: '12.345' has fractions of a penny (row: ")
    assert "description='three problems'" in lines[1]
    assert lines[2].startswith(f"ringfence: {ledger}:5: line_id: duplicate 'G1' "
                               "(first at row 2)")
    assert lines[3] == ("ringfence: 3 rows could not be read: fix them, or pass "
                        "--skip-bad-rows to check the rest and list these in the report")


def test_skip_bad_rows_checks_the_rest_and_the_report_lists_the_rejected(tmp_path, cli):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(BAD)
    awards = tmp_path / "awards.yaml"
    awards.write_text(AWARDS)
    run = cli("check", ledger, "--awards", awards, "--skip-bad-rows", "--format", "json",
              "--fail-on", "never")
    assert run.code == 0, run.stderr
    got = json.loads(run.stdout)
    keys = list(got)
    assert keys.index("rejected") > keys.index("ringfences")
    assert [line["line_id"] for line in got["lines"]] == ["G1", "G2"]
    assert got["summary"]["total"] == {"lines": 2, "amount": "-10.00"}
    assert got["summary"]["rejected"] == {"rows": 3, "amount": "6.00", "unreadable_amounts": 1}
    assert [(r["source"], r["row"]) for r in got["rejected"]] == [
        (str(ledger), 3), (str(ledger), 4), (str(ledger), 5)]
    assert got["rejected"][0]["raw"] == {"line_id": "B1", "date": "2025-13-01",
                                         "amount": "£1", "description": "2x"}
    assert got["rejected"][2]["reasons"] == ["line_id: duplicate 'G1' (first at row 2)"]



def test_each_reason_a_row_is_rejected_for_is_a_diagnostic_at_its_file_row_and_field(tmp_path):
    from ringfence.engine.inputs import read_input

    ledger = tmp_path / "l.csv"
    ledger.write_text("line_id,date,amount\nA1,2025-13-01,12x\n")
    [row] = read_input(ledger).rejected
    assert [(d.source, d.line, d.field) for d in row.diagnostics] == [
        (str(ledger), 2, "amount"), (str(ledger), 2, "date")]
    assert row.explain().startswith("; ".join(row.reasons))

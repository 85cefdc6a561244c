"""Cross-line cases are stable: an unrelated line never removes a flag or changes a case.

An unrelated line is a payment to a supplier no other line names, with a
reference of its own, dated within the ledger's dates: it shares nothing with
any other line, so it cannot be evidence for or against any suspect.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.engine.checks.crossline import cross_line_checks
from ringfence.engine.models.awards import CrossLineChecks
from ringfence.engine.models.table import concat

SUPPLIERS = ["Acme Ltd", "ACME LIMITED", "Beta Services", "Agency Ltd", "REDACTED", None]
REFERENCES = ["INV-1", "inv 01", "INV-2", "S-1", "S-2", "RENT", None]
AMOUNTS = [4000, 18000, 180000, 475000, 490000, 2450000, 2490000, -180000, -490000]
FIRST_DAY = date(2025, 4, 1)


def table(rows: list[dict]) -> pl.DataFrame:
    return concat([pl.DataFrame({
        "_source": ["l.csv"] * len(rows), "_row": list(range(2, len(rows) + 2)),
        "line_id": [f"L{i}" for i in range(len(rows))],
        "amount": [row["amount"] for row in rows], "date": [row["date"] for row in rows],
        "supplier": [row["supplier"] for row in rows],
        "reference": [row["reference"] for row in rows],
    }, schema={"_source": pl.Utf8, "_row": pl.Int64, "line_id": pl.Utf8, "amount": pl.Int64,
               "date": pl.Date, "supplier": pl.Utf8, "reference": pl.Utf8})])


def outcome(rows: list[dict]) -> tuple[set, set]:
    """(the (line, rule) findings, the (kind, strength, lines) cases)."""
    found = cross_line_checks(table(rows), CrossLineChecks())
    findings = set(found.findings.select("_seq", "rule").iter_rows())
    cases = {(kind, tuple(lines)) for kind, lines in
             found.cases.select("kind", "_seq").iter_rows()}
    return findings, cases


line = st.fixed_dictionaries({
    "amount": st.sampled_from(AMOUNTS),
    "date": st.integers(0, 120).map(lambda n: FIRST_DAY + timedelta(n)),
    "supplier": st.sampled_from(SUPPLIERS),
    "reference": st.sampled_from(REFERENCES),
})


@settings(max_examples=150, deadline=None)
@given(st.lists(line, min_size=2, max_size=25), st.integers(1, 10**7), st.floats(0, 1))
def test_an_unrelated_line_never_removes_a_flag_or_changes_a_case(rows, amount, where):
    before_findings, before_cases = outcome(rows)
    first, last = min(row["date"] for row in rows), max(row["date"] for row in rows)
    unrelated = {"amount": amount, "supplier": "Unrelated Supplies Ltd",
                 "reference": "UNRELATED-1",
                 "date": first + timedelta(round((last - first).days * where))}
    after_findings, after_cases = outcome([*rows, unrelated])
    assert before_findings <= after_findings
    assert before_cases <= after_cases

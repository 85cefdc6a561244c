"""Generated exports: whatever title rows, decoration, blank and total rows surround the
transactions, the lines are the transactions, to the penny, and each stated total
reconciles exactly when it was written as the sum of its block."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.engine.inputs import read_input
from ringfence.engine.models.column_map import ColumnMap

HEADER = ["Ref", "Paid", "Supplier", "Net"]
MAP = ColumnMap.model_validate({"columns": {"Ref": "line_id", "Paid": "date",
                                            "Supplier": "supplier", "Net": "amount"}})
TITLES = [["Payments over £500"], ["Period: April-June", ""], [], ["", "", ""]]
DECORATION = [["-----", "-----", "-----", "-----"], ["====", "", "", ""], ["", " ", "", ""],
              ["*", "*", "*", "*"], ["xxx", "", "", ""], []]
LABELS = ["Total", "", "Sub-total", "TOTAL:", "Total for month"]

transaction = st.tuples(st.integers(-500_00, 50_000_00),
                        st.sampled_from(["Acme Ltd", "Total Tree Care", "Beta plc", ""]))
block = st.tuples(st.lists(transaction, min_size=0, max_size=6),
                  st.sampled_from(DECORATION + [None]),
                  st.sampled_from(LABELS + [None]),  # None: no subtotal
                  st.integers(-2, 2))  # what the subtotal is off by, in pence (mostly 0)


def pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(TITLES)), st.lists(block, min_size=1, max_size=5),
       st.booleans())
def test_lines_are_the_transactions_and_totals_reconcile_when_true(tmp_path, titles, blocks,
                                                                    grand):
    rows, expected, number, stated = TITLES[:titles] + [HEADER], [], 0, []
    grand_total = block_total = 0  # block: the rows since the last total row
    for transactions, decoration, label, off in blocks:
        for pence, supplier in transactions:
            number += 1
            rows.append([f"T{number}", "01/06/2025", supplier, pounds(pence)])
            expected.append((f"T{number}", len(rows), pence))
            block_total += pence
            grand_total += pence
        if decoration is not None:
            rows.append(decoration)
        if label is not None and number:  # (a total above every row: its own test)
            rows.append([label, "", "", pounds(block_total + off)])
            # A subtotal may also be a running total (everything above it).
            stated.append((len(rows), off == 0 or block_total + off == grand_total))
            block_total = 0
    if grand:
        rows.append(["Grand total", "", "", pounds(grand_total)])
        stated.append((len(rows), True))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "ledger.csv"
    path.write_text(out.getvalue(), encoding="utf-8")

    read = read_input(path, MAP)
    assert read.rejected == []
    assert list(zip(read.table["line_id"], read.table["_row"], read.table["amount"])) == expected
    assert [(t.row, t.reconciles) for t in read.totals] == stated
    below = [s for s in read.skipped if s["kind"] != "preamble"]
    assert read.rows == len(expected) + len(below)
    assert [s["row"] for s in read.skipped if s["kind"] == "preamble"] == list(
        range(1, titles + 1))

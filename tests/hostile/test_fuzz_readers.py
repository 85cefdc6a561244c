"""Fuzzing the readers (issue 18): whatever the bytes, a check either accounts for every
row (exit 0 or 1: each row a line or a rejected row, each line's money what its text
says) or refuses the file in one line naming it (exit 2). Never an internal error
(exit 3), never a traceback, never money changed silently.

Amounts are judged against the scalar parser (core/money.parse_pence), which the
columnar readers must agree with cell by cell.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.engine.core.money import MoneyError, parse_pence

AWARDS = "awards:\n  - grant: csc-prevention-2025-26\n    amount: 1000000\n"
FUZZ = settings(max_examples=15, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

#: Cell text: anything, with a bias to what breaks readers and terminals.
nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(list(',"\'\r\n\t\x00\x1b[]/=+-@£€ \u00a0\ufeff\u202e'
                                          "abc123")), max_size=20),
    st.sampled_from(["", " ", "[/2025]", "=HYPERLINK(\"x\")", "\x1b[31mred", "caf\u00e9",
                     "line\nbreak", "\ufffe", "𝕏"]))

amount_text = st.one_of(
    st.integers(min_value=-10**9, max_value=10**9).map(lambda p: f"{Decimal(p).scaleb(-2)}"),
    st.sampled_from(["1,234.56", "£1,234.56", "(470.60)", "-12", "1e3", "1.001", "", "  5 ",
                     "999999999999999.99", "1000000000000000", "0.00", "-£0.01", "12.3.4",
                     "£", "()", "1,23", "١٢٣"]),
    st.text(alphabet="0123456789.,£()- \u00a0", max_size=12))


def _expected_pence(text: str) -> int | None:
    try:
        return parse_pence(text)
    except MoneyError:
        return None


def _assert_invariant(run, path, rows: list[dict] | None) -> None:
    assert run.code in (0, 1, 2), (run.code, run.stderr[:500])
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr[:500]
    if run.code == 2:
        lines = run.stderr.splitlines()
        assert len(lines) == 1 and str(path.name) in lines[0], run.stderr[:500]
        return
    report = json.loads(run.stdout)
    if rows is None:
        return
    counted = report["summary"]["total"]["lines"] + len(report.get("rejected", []))
    assert counted == len(rows), (counted, len(rows))
    by_id = {line["line_id"]: line for line in report["lines"]}
    for row in rows:
        line = by_id.get(row["line_id"])
        expected = _expected_pence(row["amount"])
        if line is None:
            continue  # rejected, with its reasons in the report
        assert expected is not None, (row, line["amount"])
        assert parse_pence(line["amount"]) == expected, (row["amount"], line["amount"])


rows_strategy = st.lists(st.fixed_dictionaries({"amount": amount_text, "description": nasty_text,
                                                "supplier": nasty_text}),
                         min_size=1, max_size=8)


@FUZZ
@given(rows=rows_strategy)
def test_csv_rows_are_all_accounted_for(cli, tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("csv")
    rows = [{"line_id": f"L{i}", **row} for i, row in enumerate(rows)]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["line_id", "date", "amount", "description",
                                                "supplier", "grant"])
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "date": "2025-09-15", "grant": "csc-prevention-2025-26"})
    path = folder / "ledger.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    (folder / "awards.yaml").write_text(AWARDS)
    run = cli("check", path, "--awards", folder / "awards.yaml", "--skip-bad-rows",
              "--format", "json")
    _assert_invariant(run, path, rows)


@FUZZ
@given(data=st.binary(max_size=300))
def test_csv_bytes_never_crash(cli, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / "ledger.csv"
    path.write_bytes(b"line_id,amount,grant\n" + data)
    (folder / "awards.yaml").write_text(AWARDS)
    run = cli("check", path, "--awards", folder / "awards.yaml", "--skip-bad-rows",
              "--format", "json")
    _assert_invariant(run, path, None)


def _yaml_scalar(text: str) -> str:
    return json.dumps(text)  # JSON strings are YAML double-quoted scalars


@FUZZ
@given(rows=rows_strategy, tail=st.one_of(st.just(""), st.text(max_size=60)))
def test_yaml_proposals_are_read_exactly_or_refused(cli, tmp_path_factory, rows, tail):
    folder = tmp_path_factory.mktemp("yaml")
    rows = [{"line_id": f"L{i}", **row} for i, row in enumerate(rows)]
    text = "council: Fuzz\n" + AWARDS + "lines:\n" + "".join(
        f"  - {{line_id: {row['line_id']}, date: 2025-09-15, "
        f"amount: {_yaml_scalar(row['amount'])}, "
        f"description: {_yaml_scalar(row['description'])}, "
        f"supplier: {_yaml_scalar(row['supplier'])}}}\n"
        for row in rows) + tail
    path = folder / "proposal.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    run = cli("check", path, "--format", "json")
    # A proposal is all or nothing: any bad line refuses the file (exit 2), naming it.
    _assert_invariant(run, path, rows if not tail.strip() else None)


cell = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                 # Past 1e15 the reader fails: test_a_huge_number_cell_in_xlsx below.
                 st.floats(allow_nan=True, allow_infinity=True, width=64).filter(
                     lambda x: not abs(x) >= 1e15),
                 st.decimals(allow_nan=False, allow_infinity=False, places=3,
                             min_value=-10**9, max_value=10**9), amount_text, nasty_text)


@FUZZ
@given(cells=st.lists(st.tuples(cell, cell), min_size=1, max_size=8))
def test_xlsx_cells_are_read_exactly_or_refused(cli, tmp_path_factory, cells):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    folder = tmp_path_factory.mktemp("xlsx")
    book = Workbook()
    sheet = book.active
    sheet.append(["line_id", "date", "amount", "description", "grant"])
    for index, (amount, description) in enumerate(cells):
        values = [amount, description]
        # openpyxl refuses control characters, and writes U+FFFE and U+FFFF into a corrupt
        # workbook (test_a_workbook_with_xml_forbidden_text below): both are left out.
        values = [ILLEGAL_CHARACTERS_RE.sub("", v).replace("\ufffe", "").replace("\uffff", "")
                  if isinstance(v, str) else v for v in values]
        sheet.append([f"L{index}", "2025-09-15", values[0], values[1], "csc-prevention-2025-26"])
    path, run = _check_workbook(cli, folder, book)
    if run.code != 2:
        report = json.loads(run.stdout)
        counted = report["summary"]["total"]["lines"] + len(report.get("rejected", []))
        assert counted == len(cells)


def test_a_huge_number_cell_in_xlsx(cli, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["line_id", "date", "amount", "description", "grant"])
    book.active.append(["L0", "2025-09-15", 5, 1e26, "csc-prevention-2025-26"])
    _check_workbook(cli, tmp_path, book)


def _check_workbook(cli, folder, book):
    """Saves `book` as a ledger, checks it, asserts the invariant; (path, run)."""
    path = folder / "ledger.xlsx"
    book.save(path)
    (folder / "awards.yaml").write_text(AWARDS)
    run = cli("check", path, "--awards", folder / "awards.yaml", "--skip-bad-rows",
              "--format", "json")
    _assert_invariant(run, path, None)
    return path, run


def test_a_workbook_with_xml_forbidden_text(cli, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["line_id", "date", "amount", "description", "grant"])
    book.active.append(["L0", "2025-09-15", 5, "\ufffe", "csc-prevention-2025-26"])
    _check_workbook(cli, tmp_path, book)

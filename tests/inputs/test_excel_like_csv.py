"""The same ledger as .csv and as .xlsx (as bench/excel.py writes it: amounts as numbers,
dates as dates) gives the same lines, statuses and money."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from helpers import REPO, run_cli


def _bench_excel():
    spec = importlib.util.spec_from_file_location("bench_excel", REPO / "bench" / "excel.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_excel_in_equals_csv_in(tmp_path):
    ledger = tmp_path / "ledger.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "2000", str(ledger)],
                   check=True, capture_output=True)
    book = _bench_excel().workbook(ledger)
    awards = ledger.with_suffix(".awards.yaml")
    reports = []
    for path in (ledger, book):
        run = run_cli("check", path, "--awards", awards, "--format", "json", "--fail-on",
                      "never")
        assert run.code == 0, run.stderr
        reports.append(json.loads(run.stdout))
    as_csv, as_xlsx = reports
    assert as_xlsx["summary"] == as_csv["summary"]
    assert as_xlsx["ringfences"] == as_csv["ringfences"]
    # Messages name lines by file and row: the files differ only in their names.
    lines = [json.dumps(r["lines"]).replace(str(book), str(ledger)) for r in reports]
    assert lines[1] == lines[0]

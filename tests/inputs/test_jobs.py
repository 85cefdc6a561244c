"""Several input files read at once (--jobs) give the same report as one at a time."""

from __future__ import annotations

from helpers import REPO

LEDGER = REPO / "cases" / "rotherham-2025-26" / "ledger-2025-26.csv"
MAP = REPO / "cases" / "maps" / "rotherham-ledger.yaml"
AWARDS = REPO / "cases" / "rotherham-2025-26" / "awards.yaml"


def test_files_read_at_once_report_as_read_in_turn(cli, tmp_path):
    header, *rows = LEDGER.read_text(encoding="utf-8").splitlines(keepends=True)
    parts = []
    for index in range(4):
        part = tmp_path / f"part{index + 1}.csv"
        part.write_text(header + "".join(rows[index::4]), encoding="utf-8")
        parts.append(part)
    runs = [cli("check", *parts, "--map", MAP, "--awards", AWARDS, "--format", "json",
                "--fail-on", "never", "--jobs", jobs) for jobs in ("1", "4")]
    assert runs[0].code == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout


def test_an_error_in_one_of_the_files_names_that_file(cli, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("line_id,date,amount\nA,2025-06-01,1\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("line_id,date,amount\nB,2025-06-01,1.234\n")
    run = cli("check", good, bad, "--awards", AWARDS, "--jobs", "2")
    assert run.code == 2
    assert f"{bad}:2: amount" in run.stderr and "Traceback" not in run.stderr

"""A report written over an earlier one replaces it as `open(path, "w")` would: same
name, same permissions, links still pointing where they did, nothing left behind."""

from __future__ import annotations

import csv
import os

import pytest
from helpers import REPO

from ringfence.engine.reports.replacing import replacing

PROPOSAL = REPO / "cases" / "rotherham-2025-26" / "proposal.yaml"


def _write(path, text: str) -> None:
    with replacing(str(path)) as target:
        with open(target, "w") as stream:
            stream.write(text)


def test_an_earlier_report_is_replaced_and_nothing_is_left_beside_it(tmp_path):
    report = tmp_path / "report.csv"
    report.write_text("last run\n" * 1000)
    report.chmod(0o600)
    _write(report, "this run\n")
    assert report.read_text() == "this run\n"
    assert oct(report.stat().st_mode & 0o777) == oct(0o600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_a_new_report_is_simply_written(tmp_path):
    _write(tmp_path / "report.csv", "first\n")
    assert (tmp_path / "report.csv").read_text() == "first\n"


def test_a_symlinked_report_is_written_through_the_link(tmp_path):
    target = tmp_path / "reports" / "latest.csv"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "report.csv"
    link.symlink_to(target)
    _write(link, "new\n")
    assert link.is_symlink()
    assert target.read_text() == "new\n"


def test_a_report_with_another_name_is_changed_under_both(tmp_path):
    report = tmp_path / "report.csv"
    report.write_text("old\n")
    other = tmp_path / "copy.csv"
    os.link(report, other)
    _write(report, "new\n")
    assert other.read_text() == "new\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_report_stays_refused(cli, tmp_path):
    report = tmp_path / "report.csv"
    report.write_text("kept\n")
    report.chmod(0o444)
    run = cli("check", PROPOSAL, "--format", "csv", "--output", report)
    assert run.code == 2
    assert "cannot write the report: Permission denied" in run.stderr
    assert report.read_text() == "kept\n"


def test_the_cli_overwrites_a_csv_report_it_wrote_before(cli, tmp_path):
    report = tmp_path / "report.csv"
    for _ in range(2):
        run = cli("check", PROPOSAL, "--format", "csv", "--output", report)
        assert run.code == 0, run.stderr
    rows = list(csv.DictReader(report.open(newline="")))
    assert rows and all(row["status"] for row in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv",
                                                          "report.csv.evidence.json"]


def test_a_killed_runs_temporary_file_is_deleted_by_the_next_run_but_a_live_ones_is_not(
        tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        report = tmp_path / "report.json"
        left = tmp_path / f".report.json.{dead.pid}.tmp"
        writing = tmp_path / f".report.json.{live.pid}.tmp"
        other = tmp_path / f".other.json.{dead.pid}.tmp"
        for path in (left, writing, other):
            path.write_text("half a report")
        _write(report, "this run\n")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [report.name, writing.name, other.name])
    finally:
        live.kill()

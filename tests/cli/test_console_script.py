"""The console entry point, run as a user runs it: in its own process.

`cli.run` exits at once after main() (it skips freeing a large check's tables
one by one); what a user sees must not change: the output, all of it, and the
exit code.
"""

from __future__ import annotations

import subprocess
import sys

from helpers import REPO

ROTHERHAM = REPO / "cases" / "rotherham-2025-26"
CHECK = [sys.executable, "-m", "ringfence.cli", "check", str(ROTHERHAM / "ledger-2025-26.csv"),
         "--map", str(REPO / "cases" / "maps" / "rotherham-ledger.yaml"),
         "--awards", str(ROTHERHAM / "awards.yaml"), "--format", "csv"]


def test_the_whole_report_is_written_before_the_process_exits(cli):
    done = subprocess.run(CHECK, cwd=REPO, capture_output=True, text=True)
    in_process = cli(*CHECK[3:])
    assert done.returncode == in_process.code
    assert done.stdout == in_process.stdout
    assert done.stdout.count("\n") > 1000


def test_a_reader_that_stops_early_is_not_an_internal_error():
    process = subprocess.Popen(CHECK, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 1
    assert "internal error" not in stderr


def test_a_usage_error_keeps_its_exit_code():
    done = subprocess.run([sys.executable, "-m", "ringfence.cli", "check"], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "INPUTS" in done.stderr

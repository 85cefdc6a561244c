"""Progress: the engine reports its stages; the CLI draws them on stderr only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from helpers import REPO

from ringfence.engine.pipeline.check import STAGES_AFTER_READING, CheckRequest, run_check

LEDGER = ["cases/rotherham-2025-26/ledger-2025-26.csv", "--map", "cases/maps/rotherham-ledger.yaml",
          "--awards", "cases/rotherham-2025-26/awards.yaml"]


def test_the_engine_reports_each_stage_in_order(tmp_path):
    inputs = []
    for name in ("april.yaml", "may.yaml"):
        path = tmp_path / name
        path.write_text(f"lines:\n  - {{line_id: {name[:3]}, date: 2025-05-01, amount: 10}}\n")
        inputs.append(str(path))
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards:\n  - {grant: csc-prevention-2025-26, amount: 1000}\n")
    seen = []
    run_check(CheckRequest(inputs, awards=str(awards),
                           progress=lambda stage, done, total: seen.append((stage, done, total))))
    total = len(inputs) + len(STAGES_AFTER_READING)
    assert [(done, t) for _, done, t in seen] == [(step, total) for step in range(total)]
    assert [stage for stage, _, _ in seen] == [
        "reading april.yaml (file 1 of 2)", "reading may.yaml (file 2 of 2)", "classifying 2 lines",
        "cross-line checks", "ringfence totals"]


def run(stderr) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ringfence.cli", "check", *LEDGER,
                           "--format", "json", "--fail-on", "never"], cwd=REPO,
                          stdout=subprocess.PIPE,
                          stderr=stderr, env={**os.environ, "TERM": "xterm"})


def test_nothing_is_written_to_stderr_when_it_is_not_a_terminal():
    done = run(subprocess.PIPE)
    assert done.returncode == 0
    assert done.stderr == b""
    json.loads(done.stdout)


def test_a_terminal_gets_a_bar_and_the_report_is_untouched():
    plain = run(subprocess.PIPE).stdout
    controller, terminal = pty.openpty()
    try:
        done = run(terminal)
        os.close(terminal)
        drawn = b""
        try:
            while chunk := os.read(controller, 65536):
                drawn += chunk
        except OSError:  # the terminal's other end is closed: all is read
            pass
    finally:
        os.close(controller)
    assert done.returncode == 0
    assert b"\x1b[" in drawn  # the bar was drawn (and cleared: it is transient)
    assert done.stdout == plain

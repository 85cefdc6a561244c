"""Benchmark: the Cabinet workbook (`--format xlsx`) against the CSV report, end to end.

    python bench/xlsx.py [--sizes 100000] [--repeat 5]

For each ledger size (bench/generate.py, seeded, cached in bench/out/ as bench/run.py
keeps it) it times `ringfence check LEDGER --awards A --format csv --output OUT` and
the same with `--format xlsx`, each in its own process, taking turns (A B A B ...), and
prints the medians, peak memory and their ratio. The target (issue 20): the workbook
within 3x the CSV path at 100,000 lines. Compare ratios from one run, not seconds
across runs: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import sys

import run
from run import OUT, ledger, timed


def command(path, fmt: str) -> list[str]:
    return [sys.executable, "-m", "ringfence.cli", "check", str(path), "--awards",
            str(path.with_suffix(".awards.yaml")), "--format", fmt, "--output",
            str(OUT / f"report.{fmt}"), "--fail-on", "never"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    run.REPEAT = args.repeat
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; each time the "
          f"median of {args.repeat} runs")
    print("\n| lines | --format csv | csv peak MB | --format xlsx | xlsx peak MB | xlsx / csv |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size in (int(s) for s in args.sizes.split(",")):
        path = ledger(size)
        csv_run, xlsx_run = timed(command(path, "csv"), command(path, "xlsx"))
        print(f"| {size:,} | {csv_run.seconds:.2f} s | {csv_run.peak} | "
              f"{xlsx_run.seconds:.2f} s | {xlsx_run.peak} | "
              f"{xlsx_run.seconds / csv_run.seconds:.2f}x |", flush=True)


if __name__ == "__main__":
    main()

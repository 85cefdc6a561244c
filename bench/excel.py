"""Excel in against CSV in: `ringfence check` on the same ledger as .csv and as .xlsx.

    python bench/excel.py [--size 100000] [--repeat 3]

The ledger is bench/generate.py's; the workbook is written from it by openpyxl in
write-only mode (constant memory), with amounts as numbers and dates as dates, as a
finance system's Excel export has them. Each command runs in its own process, the
two taking turns (bench/run.py's timed()); the figures are medians, to be read as a
ratio. For comparison, openpyxl alone only reading the workbook's cells (as the
reader did before fastexcel) is timed too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: ledger(), xlsx_ledger(), timed(), check_command())

OPENPYXL_READ = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True, data_only=True)
sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=run.REPEAT)
    args = parser.parse_args()
    run.REPEAT = args.repeat
    ledger = run.ledger(args.size)
    awards = ledger.with_suffix(".awards.yaml")
    book = run.xlsx_ledger(ledger)
    csv_in, xlsx_in, openpyxl_only = run.timed(
        run.check_command(ledger, awards), run.check_command(book, awards),
        run.python_snippet(OPENPYXL_READ) + [str(book)])
    print("| lines | check .csv | check .xlsx | xlsx / csv | openpyxl only reading the .xlsx |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| {args.size:,} | {csv_in.seconds:.2f} s | {xlsx_in.seconds:.2f} s | "
          f"{xlsx_in.seconds / csv_in.seconds:.2f} | {openpyxl_only.seconds:.2f} s |")


if __name__ == "__main__":
    main()

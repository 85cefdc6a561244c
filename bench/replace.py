"""Benchmark: replacing an earlier report, atomically, as ratios in one run.

    python bench/replace.py [--megabytes 250] [--repeat 5]

Times each way of putting a newly written report of --megabytes where an earlier
one of the same size is (each earlier report flushed to disk first, as last
run's report would be): the swap engine/reports/replacing.py makes (renameat2
RENAME_EXCHANGE, then deleting the earlier report), os.replace over the earlier
report, and truncating the earlier report and writing it again (what open(path,
"w") does, not atomic). Only the step after the new report is complete is timed
for the atomic ways; the truncating way is timed from the truncation to close.
The ways take turns; each figure is the median of --repeat.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine" / "reports"))
from replacing import _exchange  # noqa: E402  (the module alone: no package import)


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(data)


def _earlier(path: str, data: bytes) -> None:
    _write(path, data)
    os.sync()


def exchange(folder: str, data: bytes) -> float:
    target, new = os.path.join(folder, "r.csv"), os.path.join(folder, ".r.csv.tmp")
    _earlier(target, data)
    _write(new, data)
    started = time.perf_counter()
    if not _exchange(new, target):
        raise SystemExit("renameat2(RENAME_EXCHANGE) is not available here")
    os.unlink(new)
    return time.perf_counter() - started


def replace(folder: str, data: bytes) -> float:
    target, new = os.path.join(folder, "r.csv"), os.path.join(folder, ".r.csv.tmp")
    _earlier(target, data)
    _write(new, data)
    started = time.perf_counter()
    os.replace(new, target)
    return time.perf_counter() - started


def truncate(folder: str, data: bytes) -> float:
    target = os.path.join(folder, "r.csv")
    _earlier(target, data)
    started = time.perf_counter()
    _write(target, data)
    return time.perf_counter() - started - _write_only(folder, data)


def _write_only(folder: str, data: bytes) -> float:
    """Writing the same bytes to a new file: what truncating adds is the rest."""
    path = os.path.join(folder, "fresh.csv")
    started = time.perf_counter()
    _write(path, data)
    took = time.perf_counter() - started
    os.unlink(path)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = b"x" * (args.megabytes << 20)
    ways = {"exchange, then delete (replacing.py)": exchange, "os.replace": replace,
            "truncate and write again (not atomic)": truncate}
    times: dict[str, list[float]] = {name: [] for name in ways}
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as folder:
        for _ in range(args.repeat):
            for name, way in ways.items():
                times[name].append(way(folder, data))
    fastest = min(statistics.median(t) for t in times.values())
    print(f"| replacing a {args.megabytes} MB report | seconds (median of {args.repeat}) "
          "| / fastest |\n| --- | --- | --- |")
    for name, taken in times.items():
        median = statistics.median(taken)
        print(f"| {name} | {median:.3f} | {median / fastest:.1f} |")


if __name__ == "__main__":
    main()

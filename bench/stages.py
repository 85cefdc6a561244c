"""Where a check's CPU goes: each stage of run_check, and the report, timed alone.

    python bench/stages.py [LEDGER.csv] [--awards A] [--format csv]

The pipeline runs some stages side by side (the cross-line checks and the
award limits beside classification, the input's digest beside reading); here
every stage runs on the calling thread, one after another, so each stage's
CPU seconds (every thread's, polars' own included) are its own. Their sum is
what a run costs; the end-to-end time of bench/run.py is shorter, as both
cores share it. (The cross-line checks are then done before the lines' own
findings would be rendered beside them, so the report renders them: that is
in its time.) Defaults: the million-line ledger bench/run.py generates.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import Future
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The stages, as the pipeline calls them (names in ringfence.engine.pipeline.check).
STAGES = ("load_packs", "_read_inputs", "classify", "award_limits", "cross_line_checks",
          "award_checks", "funding_advice", "own_findings", "final_status", "evidence",
          "sha256_of")


class _OnThisThread:
    """The pipeline's pool, doing each task when it is given."""

    def submit(self, work, *args, **kwargs) -> Future:
        done: Future = Future()
        done.set_result(work(*args, **kwargs))
        return done

    def shutdown(self, **_) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *_) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", nargs="?", default=str(REPO / "bench/out/ledger-1000000.csv"))
    parser.add_argument("--awards")
    parser.add_argument("--format", default="csv")
    args = parser.parse_args()
    started = time.process_time()
    from ringfence.engine.pipeline import check, threads
    from ringfence.engine.reports import WRITERS, WriteContext

    spent = {"imports": time.process_time() - started}

    def timed(name, work):
        def run(*a, **k):
            before = time.process_time()
            try:
                return work(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - before
        return run

    for name in STAGES:
        setattr(check, name, timed(name, getattr(check, name)))
    threads.pool = lambda *_: _OnThisThread()
    awards = args.awards or str(Path(args.ledger).with_suffix(".awards.yaml"))
    before = time.process_time()
    result = check.run_check(check.CheckRequest([args.ledger], awards=awards,
                                                skip_bad_rows=True))
    spent["the rest of the check"] = time.process_time() - before - sum(
        seconds for name, seconds in spent.items() if name != "imports")
    out = REPO / "bench" / "out" / f"stages-report.{args.format}"
    writer = WRITERS[args.format]
    before = time.process_time()
    if writer.binary or writer.to_file or args.format == "json":
        writer.write(result, None, WriteContext(output=str(out)))
    else:
        with out.open("w", encoding="utf-8", newline="") as stream:
            writer.write(result, stream, WriteContext(output=str(out)))
    spent[f"writing the {args.format} report"] = time.process_time() - before
    total = sum(spent.values())
    print(f"{Path(args.ledger).name}: CPU seconds per stage, each alone\n")
    print("| stage | CPU s | share |")
    print("| --- | --- | --- |")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"| {name} | {seconds:.2f} | {seconds / total:.0%} |")
    print(f"| all | {total:.2f} | 100% |")


if __name__ == "__main__":
    main()

"""Check a CSV report line by line, without polars and without durable-rules.

    python bench/verify.py LEDGER.csv REPORT.csv [--rules DIR]

For a canonical-column ledger (bench/generate.py) and the report of
`ringfence check LEDGER.csv --awards A --format csv --output REPORT.csv`.
Each ledger row is read with csv.DictReader and typed by the Line model (the
scalar parsers proposals are read with); the reference evaluator (plain
Python) names the rules it breaks. For every
line the report must:
- name exactly those rules, in pack order;
- give the status of its worst finding (compliant with none);
- split its amount, to the penny, into compliant, at-risk and non-compliant.
This is what the fast path is judged on: a million lines take a minute or
two here, as the reference decides each distinct line in Python. Exits 1 on the
first few disagreements, listed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from itertools import zip_longest
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ringfence.engine.core.money import BLANKS, parse_pence  # noqa: E402
from ringfence.engine.models.lines import Line  # noqa: E402
from ringfence.engine.packs.compiled import CompiledPack  # noqa: E402
from ringfence.engine.packs.loading import load_packs  # noqa: E402
from ringfence.engine.packs.reference import matching_rules  # noqa: E402

STATUSES = ("compliant", "at_risk", "non_compliant")
SHOWN = 5


def typed(row: dict) -> dict:
    """The row as a Line (the model proposals are read with), its text trimmed as the
    ledger reader trims it."""
    line = Line.model_validate(row)
    return {name: (value.strip(BLANKS) or None) if isinstance(value, str) else value
            for name in Line.model_fields for value in [getattr(line, name)]}


def findings(text: str) -> list[tuple[str, str]]:
    """(rule, status) of each finding in a report's `findings` cell."""
    out = []
    for part in text.split(" | ") if text else []:
        head = part.split(": ", 1)[0]
        if head.endswith("]") and " [" in head:
            rule, status = head[:-1].split(" [", 1)
            if status in STATUSES:
                out.append((rule, status))
    return out


def disagreements(ledger: Path, report: Path, packs: dict[str, CompiledPack]):
    """(line_id, what is wrong) for each line the report gets wrong."""
    decided: dict[tuple, tuple[str, ...]] = {}
    with ledger.open(newline="", encoding="utf-8") as lines, \
            report.open(newline="", encoding="utf-8") as rows:
        for row, out in zip_longest(csv.DictReader(lines), csv.DictReader(rows)):
            if row is None or out is None or row["line_id"] != out["line_id"]:
                ledger_id, report_id = (row or {}).get("line_id"), (out or {}).get("line_id")
                yield ledger_id, f"the report has {report_id} in its place"
                return
            line = typed(row)
            pack = packs[row["grant"]].for_date(line["date"])
            fact = pack.fact(line)
            key = (row["grant"], line["date"], repr(sorted(fact.items())))
            if key not in decided:
                decided[key] = matching_rules(pack, fact)
            found = findings(out["findings"])
            rules = tuple(rule for rule, _ in found
                          if not rule.startswith(("ringfence.", "crossline.")))
            if rules != decided[key]:
                yield row["line_id"], f"rules {rules}, reference {decided[key]}"
            worst = max((STATUSES.index(status) for _, status in found), default=0)
            if out["status"] != STATUSES[worst]:
                yield row["line_id"], f"status {out['status']}, worst finding {STATUSES[worst]}"
            parts = sum(parse_pence(out[f"{s}_amount"]) for s in STATUSES)
            if parse_pence(out["amount"]) != line["amount"] or parts != line["amount"]:
                yield row["line_id"], (f"amount {out['amount']} split into {parts} pence, "
                                       f"ledger {row['amount']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("report", type=Path)
    parser.add_argument("--rules", type=Path, default=None)
    args = parser.parse_args()
    packs = {pid: CompiledPack(loaded) for pid, loaded in load_packs(args.rules).items()}
    wrong, count = [], 0
    for wrong_line in disagreements(args.ledger, args.report, packs):
        count += 1
        if len(wrong) < SHOWN:
            wrong.append(wrong_line)
    for line_id, what in wrong:
        print(f"{line_id}: {what}")
    print(f"{count} disagreement(s)" if count else "every line agrees")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())

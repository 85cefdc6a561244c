"""The cross-line checks on the real ledgers: what share of lines they flag, and how
many planted suspects they catch.

    python bench/crossline.py [--shared ../shared] [--plant]

Each ledger in SHARED/data/ledgers with a shipped column map is checked with
default settings (and Calderdale's five monthly files once more in one run, as
a ledger of five months). For each it prints, as a Markdown table, the share of
lines at risk by the cross-line checks, split by kind and strength (a line in
cases of two strengths counts under each), the lines only in cases for
review, and the cases at risk and for review.

With --plant, a copy of each ledger (in a temporary folder) also gets 20
planted duplicate payments (a payment repeated 0-5 days later) and 10 planted
split purchases (2-3 invoices to one supplier, within three days, each just
below a threshold), and the table says how many of them are at risk by the
right check and what share of lines is flagged in cases with no plant.
tests/checks/test_crossline_planted.py plants the same way.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: file -> (map, date, amount, supplier, reference column)
FILES = {
    "bradford-2019-09.csv": ("bradford", "Payment date", "Net Amount", "Supplier Name",
                             "Transaction Number"),
    **{f"calderdale-2022-{month}.csv": ("calderdale", "Date", "Net Amount",
                                        "Supplier(Beneficiary) Name", "Invoice Number")
       for month in ("04", "05", "06", "07", "08")},
    "calderdale-2022-08-card.csv": ("calderdale", "Transaction Date", "Net Amount",
                                    "Supplier Name", "Transaction number"),
    "london-2022-P13.csv": ("gla", "Clearing Date", "Amount", "Vendor Name", "Document No"),
    "manchester-2022-05.csv": ("manchester", "Invoice Payment Date", "Net Amount",
                               "Supplier Name", "Transaction Number"),
}
CALDERDALE_MONTHS = [f"calderdale-2022-{month}.csv" for month in ("04", "05", "06", "07", "08")]
THRESHOLDS = (5000, 25000, 100000)
AWARDS = "awards:\n  - {grant: csc-prevention-2025-26, amount: 100000000000}\n"


def read_rows(path: Path) -> tuple[list[str], list[dict], str]:
    """(header, rows, encoding) of a ledger as its exporter wrote it."""
    raw = path.read_bytes()
    for mark in (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf"):
        raw = raw.removeprefix(mark)
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252"), "cp1252"
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames), list(reader), encoding


def _pounds(text: str) -> float:
    text = text.strip().replace(",", "").replace("£", "")
    return -float(text[1:-1]) if text.startswith("(") else float(text)


def plant(path: Path, name: str, rng: random.Random, duplicates: int, splits: int,
          out: Path) -> list[tuple[str, list[int], int | None]]:
    """Write the ledger at `path` with plants appended to `out`; return each plant as
    (kind, the rows it added as the report numbers them, the row a duplicate repeats)."""
    _, date, amount, supplier, reference = FILES[name]
    header, rows, encoding = read_rows(path)
    payments = [i for i, row in enumerate(rows)
                if _pounds(row[amount]) > 0 and row[supplier].strip() and row[date].strip()
                and "redacted" not in row[supplier].lower()]
    plants = []
    for original in rng.sample(payments, duplicates):
        copy = dict(rows[original])
        day = dt.date.fromisoformat(copy[date][:10]) + dt.timedelta(days=rng.randint(0, 5))
        copy[date] = day.isoformat()
        rows.append(copy)
        plants.append(("duplicate", [len(rows) + 1], original + 2))
    suppliers = sorted({rows[i][supplier] for i in payments})
    for number in range(splits):
        threshold = rng.choice(THRESHOLDS)
        template = rows[rng.choice(payments)]
        # Half to a supplier the ledger already pays, half to one it never did.
        who = rng.choice(suppliers) if number % 2 else f"Planted Supplies {number} Ltd"
        day = dt.date.fromisoformat(template[date][:10])
        added = []
        for part in range(rng.choice((2, 3))):
            row = dict(template)
            row[supplier] = who
            row[amount] = f"{threshold * rng.uniform(0.95, 0.995):.2f}"
            row[reference] = f"PLANT-{number}-{part}"
            row[date] = (day + dt.timedelta(days=rng.randint(0, 3))).isoformat()
            rows.append(row)
            added.append(len(rows) + 1)
        plants.append(("split", added, None))
    with out.open("w", newline="", encoding=encoding) as stream:
        writer = csv.DictWriter(stream, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return plants


def caught(report: dict, kind: str, rows: list[int], repeated: int | None) -> bool:
    """Whether every row a plant added is at risk by its check, a duplicate's case
    holding the row it repeats."""
    by_row = {line["row"]: line for line in report["lines"]}
    cases = {case["id"]: case for case in report.get("cases", [])}
    for row in rows:
        findings = [f for f in by_row[row]["findings"] if f["rule"] == f"crossline.{kind}"]
        if not findings or findings[0]["status"] != "at_risk":
            return False
        if repeated is not None and not any(
                repeated in {line["row"] for line in cases[f["case"]]["lines"]}
                for f in findings):
            return False
    return True


def unplanted_share(report: dict, plants) -> float:
    """The share of lines flagged at risk in cases that hold no plant (a plant's case can
    hold more than the plant: the other equal lines of the invoice it repeats)."""
    planted = {row for _, added, repeated in plants for row in [*added, repeated] if row}
    with_plants = {case["id"] for case in report.get("cases", [])
                   if planted & {line["row"] for line in case["lines"]}}
    others = [line for line in report["lines"] if line["row"] not in planted
              and any(f["rule"].startswith("crossline") and f["case"] not in with_plants
                      for f in line["findings"])]
    return len(others) / len(report["lines"])


def check(paths: list[Path], map_name: str, awards: Path) -> dict:
    sys.path.insert(0, str(REPO))
    from cli import main

    out = io.StringIO()
    saved = sys.stdout
    sys.stdout = out
    try:
        main(["check", *map(str, paths), "--map", str(REPO / "cases" / "maps" /
                                                     f"{map_name}.yaml"),
              "--awards", str(awards), "--format", "json", "--fail-on", "never"])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    finally:
        sys.stdout = saved
    return json.loads(out.getvalue())


def shares(report: dict) -> dict:
    """The row of the table for one report."""
    lines = len(report["lines"])
    # Rows repeat across files in one run: lines are counted by (source, row).
    by_strength: dict[tuple[str, str], set] = {}
    review: set = set()
    flagged = {(line["source"], line["row"]) for line in report["lines"]
               if any(f["rule"].startswith("crossline") for f in line["findings"])}
    cases = report.get("cases", [])
    for case in cases:
        members = {(line["source"], line["row"]) for line in case["lines"]}
        if case["status"] == "at_risk":
            by_strength.setdefault((case["kind"], case["strength"]), set()).update(members)
        else:
            review |= members

    def share(count: int) -> str:
        return f"{100 * count / lines:.2f}%"

    return {
        "lines": f"{lines:,}", "at risk": share(len(flagged)),
        **{f"{kind} {strength}": share(len(by_strength.get((kind, strength), ())))
           for kind in ("duplicate", "split") for strength in ("high", "medium")},
        "for review only": share(len(review - flagged)),
        "cases at risk": str(sum(1 for c in cases if c["status"] == "at_risk")),
        "cases for review": str(sum(1 for c in cases if c["status"] != "at_risk")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--plant", action="store_true")
    args = parser.parse_args()
    ledgers = Path(args.shared) / "data" / "ledgers"
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        awards = Path(folder) / "awards.yaml"
        awards.write_text(AWARDS)
        runs = [(name, [ledgers / name], FILES[name][0]) for name in FILES]
        runs.append(("calderdale-2022-04..08 (one run)",
                     [ledgers / name for name in CALDERDALE_MONTHS], "calderdale"))
        for label, paths, map_name in runs:
            row = {"ledger": label, **shares(check(paths, map_name, awards))}
            if args.plant and len(paths) == 1:
                planted = Path(folder) / paths[0].name
                plants = plant(paths[0], paths[0].name, random.Random(f"bench-{label}"),
                               20, 10, planted)
                report = check([planted], map_name, awards)
                found = [caught(report, kind, added, repeated)
                         for kind, added, repeated in plants]
                row["planted caught"] = f"{sum(found)} of {len(found)}"
                row["at risk, not planted"] = f"{100 * unplanted_share(report, plants):.2f}%"
            rows.append(row)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    print("| " + " | ".join(columns) + " |")
    print("| " + " | ".join("---" for _ in columns) + " |")
    for row in rows:
        print("| " + " | ".join(row.get(column, "") for column in columns) + " |")


if __name__ == "__main__":
    main()

"""Seeded generator of realistic grant ledgers of any size.

    python bench/generate.py 1000000 out/ledger-1m.csv [--seed 7833] [--layout canonical|calderdale]
                             [--descriptions shared|own]

`canonical` writes the line fields as columns; beside the ledger it writes
OUTPUT.awards.yaml, awards sized to what the ledger spends; `calderdale` writes the layout of
Calderdale's published spend files (checked with --map cases/maps/calderdale.yaml).
With `--descriptions own` every description ends with its invoice reference, as
many finance systems write them, so no two lines share one.
Lines are charged to the two Rotherham grants with realistic descriptions,
suppliers and amounts, and a few per cent of them carry each kind of
problem: dates outside the grant period, capital items, missing or
unknown purposes, continuation of existing services, excluded costs,
duplicate payments and split invoices.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

CANONICAL = ["line_id", "date", "amount", "description", "purpose", "cost_type", "category",
             "supplier", "reference", "grant", "existing_service"]
PREVENTION, TRANSFORMATION = "csc-prevention-2025-26", "ffpp-transformation-2025-26"
PURPOSES = ["transformation", "family_help", "family_help", "workforce", "voice"]
WORK = {
    "transformation": ["Strategic Programme Lead salary", "Programme manager backfill",
                       "Service design consultancy", "Partnership board facilitation",
                       "Communication and Marketing Manager salary", "Data analyst secondment"],
    "family_help": ["Family Help Navigator salary", "Family Group Decision Making coordinator",
                    "FGDM family meeting", "Family Help hub sessional workers",
                    "Parenting programme delivery", "Domestic abuse outreach worker"],
    "workforce": ["Practice framework training", "Restorative practice course",
                  "Case management system configuration", "ICT licences (annual, revenue)",
                  "Social work academy places", "Multi-agency child protection training"],
    "voice": ["Participation Lead salary", "Young advisers engagement session",
              "Family voice survey", "Youth forum travel and subsistence",
              "Interpreter for family engagement"],
}
CATEGORIES = ["Salaries", "Agency Staff", "Training", "ICT Software", "Consultancy",
              "Professional Services", "Room Hire", "Travel", "Printing", "Commissioned Services"]
#: Shares of lines that are credit notes, and that break a rule (by default).
CREDITS, PROBLEM_SHARE = 0.03, 0.05
PROBLEMS = [  # (weight, description, category, overrides)
    (3, "Staff hospitality for programme launch", "Hospitality", {}),
    (2, "Gift vouchers for staff", "Gifts", {}),
    (2, "Parking fine", "Fines and Penalties", {}),
    (1, "Late payment interest", "Finance Charges", {}),
    (1, "Recoverable VAT on ICT order", "VAT", {}),
    (1, "Public affairs lobbying support", "Consultancy", {}),
    (4, "Laptops for Family Help Navigators", "ICT Hardware", {"cost_type": "capital"}),
    (4, "Existing Early Help team salaries", "Salaries", {"existing_service": "true"}),
    (4, "Accrual from 2024-25", "Salaries", {"date": "2025-03-28"}),
    (3, "Invoice for April 2026 sessions", "Commissioned Services", {"date": "2026-04-07"}),
    (3, "Unallocated spend", "Professional Services", {"purpose": ""}),
    (2, "Youth club refurbishment", "Premises", {"purpose": "buildings"}),
]
START = dt.date(2025, 4, 1)
DAYS = 365


def _suppliers(count: int) -> list[str]:
    stems = ["Northern", "Valley", "Riverside", "Pennine", "Don", "Civic", "Oak", "Bright",
             "Kinship", "Harbour", "Meadow", "Unity", "Beacon", "Summit", "Hallam", "Moor",
             "Dale", "Brook", "Ridge", "Vale"]
    kinds = ["Consulting Ltd", "Training CIC", "Care Services", "Solutions Ltd", "Partnership",
             "Family Trust", "Digital Ltd", "Associates", "Learning Ltd", "Youth Project"]
    return [f"{stems[i % 20]} {kinds[i // 20 % 10]} {i // 200 + 1}" for i in range(count)] + [
        "REDACTED PERSONAL DATA"]


def generate(count: int, seed: int, own_descriptions: bool = False,
             problems: float = PROBLEM_SHARE):
    """Yield canonical line dicts; about `problems` of them break a rule of their pack."""
    for line in _lines(count, seed, problems):
        yield {**line, "description": f"{line['description']} {line['reference']}"} \
            if own_descriptions else line


def _lines(count: int, seed: int, problems: float):
    rng = random.Random(seed)
    # Across many councils' ledgers a supplier is paid a few times a year.
    suppliers = _suppliers(max(200, count // 5))
    problem_weights = [p[0] for p in PROBLEMS]
    emitted = 0
    while emitted < count:
        grant = PREVENTION if rng.random() < 0.94 else TRANSFORMATION
        purpose = "transformation" if grant == TRANSFORMATION else rng.choice(PURPOSES)
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        pence = int(rng.lognormvariate(11.0, 1.3))
        line = {
            "line_id": f"T{emitted + 1:08d}",
            "date": day.isoformat(),
            "amount": f"{pence // 100}.{pence % 100:02d}",
            "description": rng.choice(WORK[purpose]),
            "purpose": purpose,
            "cost_type": "revenue",
            "category": rng.choice(CATEGORIES),
            "supplier": rng.choice(suppliers),
            "reference": f"INV{rng.randrange(10**7):07d}",
            "grant": grant,
            "existing_service": "false",
        }
        roll = rng.random()
        if roll < CREDITS:
            line["amount"] = f"-{line['amount']}"
            line["description"] = "Credit note: " + line["description"]
        elif roll < CREDITS + problems:
            _, description, category, overrides = rng.choices(PROBLEMS, problem_weights)[0]
            line.update({"description": description, "category": category, **overrides})
        yield line
        emitted += 1
        if emitted < count and rng.random() < 0.004:  # an exact duplicate payment
            yield {**line, "line_id": f"T{emitted + 1:08d}"}
            emitted += 1
        elif emitted + 3 <= count and rng.random() < 0.002:  # an invoice split below £5,000
            for part in range(3):
                split_day = day + dt.timedelta(days=part * 4)
                yield {**line, "line_id": f"T{emitted + 1:08d}", "amount": "1900.00",
                       "date": split_day.isoformat(),
                       "reference": f"{line['reference']}-{part + 1}"}
                emitted += 1


CALDERDALE = ["Body", "Organisation Name", "Date", "Internal Ref Number", "Invoice Number",
              "Net Amount", "Irrecoverable VAT", "Supplier(Beneficiary) Name",
              "Supplier Registered Company Number", "Supplier Registered Charity Number",
              "Supplier ID", "VAT Registration Number", "Expense Area",
              "Procurement Classification: Council's Procurement Category Name", "Expense Code",
              "BVACOP", "Proclass", "Extended Description", "Source", "Subsource", "Definition",
              "Purpose of Spend (Summary)", "Voluntary Community and Social Enterprise Supplier"]


def as_calderdale(line: dict) -> dict:
    day = dt.date.fromisoformat(line["date"])
    return {
        "Body": "http://statistics.data.gov.uk/doc/local-authority-district/00CY",
        "Organisation Name": "The Borough of Calderdale",
        "Date": day.strftime("%d/%m/%Y"),
        "Internal Ref Number": line["line_id"][1:],
        "Invoice Number": line["reference"],
        "Net Amount": line["amount"],
        "Irrecoverable VAT": "N/A",
        "Supplier(Beneficiary) Name": line["supplier"],
        "Expense Area": "Children and Young People's Services-Early Intervention",
        "Procurement Classification: Council's Procurement Category Name": line["category"],
        "Extended Description": line["description"],
        "Purpose of Spend (Summary)": line["description"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=7833)
    parser.add_argument("--layout", choices=["canonical", "calderdale"], default="canonical")
    parser.add_argument("--descriptions", choices=["shared", "own"], default="shared")
    parser.add_argument("--problems", type=float, default=PROBLEM_SHARE,
                        help="the share of lines that break a rule of their pack (0 to 0.97): "
                             "each is refused by its grant, and advised to another's")
    args = parser.parse_args()
    if not 0 <= args.problems <= 1 - CREDITS:
        parser.error(f"--problems is a share from 0 to {1 - CREDITS}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    columns = CANONICAL if args.layout == "canonical" else CALDERDALE
    totals: dict[tuple[str, str], int] = {}
    with args.output.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, extrasaction="ignore", restval="")
        writer.writeheader()
        for line in generate(args.lines, args.seed, args.descriptions == "own", args.problems):
            writer.writerow(line if args.layout == "canonical" else as_calderdale(line))
            key = (line["grant"], line["purpose"] or "-")
            pence = int(line["amount"].replace(".", ""))
            totals[key] = totals.get(key, 0) + pence
    write_awards(args.output.with_suffix(".awards.yaml"), totals)


def write_awards(path: Path, totals: dict[tuple[str, str], int]) -> None:
    """Awards a little below what the ledger spends, so the award limit bites near the end."""
    lines = ["council: Benchmark Borough Council", "awards:"]
    for grant in (PREVENTION, TRANSFORMATION):
        spent = {p: t for (g, p), t in totals.items() if g == grant and p in PURPOSES + ["-"]}
        plan = {p: max(t, 0) // 100 for p, t in spent.items() if p in PURPOSES}
        amount = sum(plan.values()) * 98 // 100
        lines.append(f"  - grant: {grant}\n    amount: {amount}")
        lines.append("    plan: {" + ", ".join(f"{p}: {v}" for p, v in sorted(plan.items()))
                     + "}")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

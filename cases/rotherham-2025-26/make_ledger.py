"""Generate ledger-2025-26.csv: a year of grant transactions as a finance system exports them.

    python cases/rotherham-2025-26/make_ledger.py [OUTPUT]

Seeded, so the file is the same every time; it is generated, never edited by
hand. About 2,000 transactions charged to Rotherham's two 2025-26 grants
through project codes, in the export's own column names (checked with
cases/maps/rotherham-ledger.yaml and awards.yaml), with planted problems the
check must find: exact duplicate payments, a purchase split into invoices
below the procurement threshold, credits, accruals dated outside the grant period,
capital items and costs grant conditions exclude.

"Invoice No" is the supplier's invoice: the lines of one invoice share it
(the split purchase includes one invoice spread over two lines), a duplicate
payment repeats it, payroll journals have none.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

OUT = Path(__file__).with_name("ledger-2025-26.csv")
COLUMNS = ["Trans Date", "Transaction No", "Invoice No", "Supplier Name", "Net Amount",
           "Expense Type", "Cost Centre", "Cost Centre Description", "Project Code",
           "Capital/Revenue", "Narrative"]
PROJECTS = {  # project code -> (cost centre, share of spend, activities)
    "FFCSC-TRN": ("CY4410", 0.28, ["Programme support", "Service design sessions",
                                   "Data and performance reporting", "Partnership workshop"]),
    "FFCSC-FH": ("CY4420", 0.47, ["Family Help hub session", "FGDM family meeting",
                                  "Family Network support", "Parenting group delivery",
                                  "Interpreting for family session"]),
    "FFCSC-WF": ("CY4430", 0.14, ["Practice training place", "Restorative practice course",
                                  "Case system configuration", "Mobile app licence"]),
    "FFCSC-VO": ("CY4440", 0.05, ["Young advisers session", "Participation activity",
                                  "Family voice survey incentive"]),
    "FFPP-TRN": ("CY4450", 0.06, ["Transformation consultancy", "Pathway redesign workshop"]),
}
PLACES = ["Pennine", "Valley", "Riverside", "Don", "Rother", "Dearne", "Kinship", "Harbour",
          "Meadow", "Unity", "Beacon", "Bright", "Hallam", "Civic", "Oakwood", "Wentworth",
          "Maltby", "Wath", "Dinnington", "Kiveton", "Thurcroft", "Rawmarsh", "Swinton",
          "Brinsworth", "Aston", "Wickersley", "Bramley", "Canklow", "Eastwood", "Ferham"]
KINDS = ["Service Design Ltd", "Family Meetings CIC", "Parenting Partnership", "Family Trust",
         "Language Services", "Practice Academy", "Case Systems Ltd", "Research CIC",
         "Sessional Staffing", "Facilitation CIC", "Print and Design"]
SUPPLIERS = [f"{place} {kind}" for place in PLACES for kind in KINDS]
EXPENSE = ["Professional Services", "Commissioned Services", "Training", "ICT Software",
           "Agency Staff", "Room Hire", "Printing"]
START = dt.date(2025, 4, 1)


def money(pence: int, rng: random.Random) -> str:
    """As finance exports write it: sometimes with £ and commas, credits in brackets."""
    pounds = f"{abs(pence) // 100:,}.{abs(pence) % 100:02d}"
    if rng.random() < 0.5:
        pounds = pounds.replace(",", "")
    if rng.random() < 0.2:
        pounds = "£" + pounds
    return f"({pounds})" if pence < 0 else pounds


def rows(rng: random.Random) -> list[dict]:
    out = []
    number = 5_200_000

    def add(day, supplier, pence, expense, project, narrative, kind="Revenue", invoice=None):
        nonlocal number
        number += rng.randint(1, 9)
        centre, _, _ = PROJECTS[project]
        if invoice is None and supplier:
            invoice = f"{'CN' if pence < 0 else 'SI'}{number - 5_000_000:06d}"
        out.append({"Trans Date": day.strftime("%d/%m/%Y"), "Transaction No": f"AP{number}",
                    "Invoice No": invoice,
                    "Supplier Name": supplier, "Net Amount": pence, "Expense Type": expense,
                    "Cost Centre": centre, "Cost Centre Description": "Families First",
                    "Project Code": project, "Capital/Revenue": kind, "Narrative": narrative})

    for month in range(12):  # payroll journals for the posts, monthly
        day = dt.date(2025 + (month + 3) // 12, (month + 3) % 12 + 1, 25)
        for project, post, pence in (("FFCSC-TRN", "Strategic Programme Lead", 675000),
                                     ("FFCSC-TRN", "Communication and Marketing Manager", 483300),
                                     ("FFCSC-FH", "Family Help Navigators (6 FTE)", 1700000),
                                     ("FFCSC-FH", "FGDM coordinators (4 FTE)", 1266600),
                                     ("FFCSC-VO", "Participation Lead", 433300),
                                     ("FFPP-TRN", "Transformation programme manager", 400000)):
            add(day, "", pence, "Salaries", project, f"{post} - payroll journal")
    weights = [share for _, share, _ in PROJECTS.values()]
    while len(out) < 1930:
        project = rng.choices(list(PROJECTS), weights)[0]
        day = START + dt.timedelta(days=rng.randrange(365))
        pence = int(rng.lognormvariate(10.9, 0.9))
        activity = rng.choice(PROJECTS[project][2])
        add(day, rng.choice(SUPPLIERS), pence, rng.choice(EXPENSE), project, activity)
    base = [r for r in out if r["Supplier Name"]]
    for original in rng.sample(base, 6):  # exact duplicate payments
        out.append(dict(original, **{"Transaction No": original["Transaction No"] + "D"}))
    for part in range(3):  # a purchase split into invoices below the £5,000 threshold
        add(dt.date(2025, 11, 3) + dt.timedelta(days=4 * part), "Northern Training Solutions Ltd",
            190000, "Training", "FFCSC-WF", f"Practice training, part {part + 1} of 3",
            invoice=f"NTS-{4471 + 7 * part}")
    for original in rng.sample(base, 8):  # credit notes
        add(dt.date.fromisoformat("2026-02-10") - dt.timedelta(days=rng.randrange(200)),
            original["Supplier Name"], -int(original["Net Amount"]) // 2,
            original["Expense Type"], original["Project Code"], "Credit note")
    for day in (dt.date(2025, 3, 28), dt.date(2025, 3, 31), dt.date(2026, 4, 2)):  # accruals
        add(day, rng.choice(SUPPLIERS), 245000, "Commissioned Services", "FFCSC-FH",
            "Accrual for sessions outside 2025-26")
    for narrative in ("Laptops for Family Help Navigators", "Family hub building works"):
        add(START + dt.timedelta(days=rng.randrange(365)), "Civic Case Systems Ltd", 1850000,
            "ICT Hardware", "FFCSC-WF", narrative, kind="Capital")
    add(dt.date(2025, 12, 12), "The Carlton Suite", 64000, "Hospitality", "FFCSC-TRN",
        "Staff Christmas party")
    add(dt.date(2025, 9, 9), "RMBC Parking Services", 7000, "Fines and Penalties", "FFCSC-FH",
        "Parking fine - pool car")
    add(dt.date(2025, 7, 7), "Pennine Service Design Ltd", 3520, "Finance Charges", "FFCSC-TRN",
        "Late payment interest")
    add(dt.date(2025, 10, 1), "Kinship Family Meetings CIC", 1200000, "Commissioned Services",
        "FFCSC-FH", "Early Help team continuation (existing service)")
    # The first part's invoice has a second line: one invoice of £2,540, not two payments.
    add(dt.date(2025, 11, 3), "Northern Training Solutions Ltd", 64000, "Training", "FFCSC-WF",
        "Practice training, course materials for part 1", invoice="NTS-4471")
    out.sort(key=lambda r: (dt.datetime.strptime(r["Trans Date"], "%d/%m/%Y"), r["Transaction No"]))
    for row in out:
        row["Net Amount"] = money(row["Net Amount"], rng)
    return out


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    with out.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(random.Random(20252026)))


if __name__ == "__main__":
    main()

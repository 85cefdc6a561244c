"""The cross-line checks against a reference written from their specification.

`engine.crossline` computes duplicate payments and split purchases on whole
columns (hash codes, sorted keys, runs, group statistics), which is fast and
easy to get subtly wrong. This file restates the rules of the module
docstrings (crossline.py, crossline_splits.py, crossline_cases.py) as plain
Python -- loops, dicts and sorted lists over a handful of lines -- and checks,
on generated tables built to collide, that the engine finds exactly the cases
the reference does (kind, strength, lines) and flags exactly the lines of the
cases at risk, each finding naming a case that holds its line.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from hypothesis import event, given, settings
from hypothesis import strategies as st

from ringfence.engine.checks.crossline import DUPLICATE, SPLIT, cross_line_checks
from ringfence.engine.models.awards import CrossLineChecks
from ringfence.engine.models.table import concat

LOW, MEDIUM, HIGH = "low", "medium", "high"


# --- The reference -------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """A line as the checks compare it: its position, amount, date, and folded names."""

    pos: int
    amount: int          # pence
    date: date | None
    supplier: str | None  # folded; None when not compared by name
    reference: str | None  # folded; None when blank
    written: tuple = ()  # every column as written, but where the line is, its id, its grant


LEGAL_FORMS = {"limited", "ltd", "plc", "llp", "lp", "inc", "incorporated", "co", "company",
               "the"}


def fold_supplier(name: str | None) -> str | None:
    """The supplier as compared: NFKC, lower case, punctuation and legal forms dropped,
    single spaces. Blank names, and names written as redacted personal data, are not
    compared by name (many different people share "Redacted"), so they fold to None."""
    if name is None:
        return None
    words = re.sub(r"[^\w\s]|_", " ", unicodedata.normalize("NFKC", name).lower()).split()
    folded = " ".join(word for word in words if word not in LEGAL_FORMS)
    if not folded or re.search(r"redact|personal (data|information|details)|withheld|"
                               r"data protection", name.lower()):
        return None
    return folded


def fold_reference(reference: str | None) -> str | None:
    """References: NFKC, lower case, letters and digits only, no leading zeros."""
    if reference is None:
        return None
    folded = re.sub(r"[\W_]", "", unicodedata.normalize("NFKC", reference).lower())
    folded = re.sub(r"(^|\D)0+(\d)", r"\1\2", folded)
    return folded or None


def as_lines(rows: list[dict]) -> list[Line]:
    return [Line(pos, row["amount"], row["date"], fold_supplier(row["supplier"]),
                 fold_reference(row["reference"]),
                 (row["amount"], row["date"], row["supplier"], row["reference"]))
            for pos, row in enumerate(rows)]


def payments(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.amount > 0]


def credits(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.amount < 0]


def reverses(credit: Line, payment: Line) -> bool:
    """A credit reverses a payment of the opposite amount with the same reference, or
    the same supplier and date (missing values never match)."""
    if credit.amount != -payment.amount:
        return False
    same_reference = credit.reference is not None and credit.reference == payment.reference
    same_supplier_day = (credit.supplier is not None and credit.date is not None
                         and (credit.supplier, credit.date) == (payment.supplier, payment.date))
    return same_reference or same_supplier_day


def unreversed(group: list[Line], lines: list[Line]) -> bool:
    """Whether two or more payments of the group are left once each credit reversing any
    of them sets one aside (so a payment reversed and posted again is one payment)."""
    reversing = {credit.pos for credit in credits(lines) for p in group if reverses(credit, p)}
    return len(group) - len(reversing) >= 2


def gaps(days) -> list[int]:
    """Days between consecutive distinct dates."""
    ordered = sorted({day for day in days if day is not None})
    return [(b - a).days for a, b in zip(ordered, ordered[1:])]


Case = tuple[str, str, frozenset]  # (rule, strength, positions)


def exact_cases(lines: list[Line], checks: CrossLineChecks) -> list[Case]:
    paid = payments(lines)
    suppliers_of: dict[str, set] = defaultdict(set)
    for p in paid:
        if p.reference is not None and p.supplier is not None:
            suppliers_of[p.reference].add(p.supplier)
    # A reference several suppliers share is a label, not an invoice number.
    keyed = [p for p in paid if p.reference is not None and len(suppliers_of[p.reference]) < 2]
    groups: dict[tuple, list[Line]] = defaultdict(list)
    for p in keyed:
        groups[p.reference, p.amount, p.supplier].append(p)
    found = []
    for group in groups.values():
        if len(group) < 2 or not unreversed(group, lines):
            continue
        days = {p.date for p in group}
        itemised = len(days) == 1 and None not in days
        between = gaps(days)
        standing = (len(days) >= checks.duplicate_recurring_payments and bool(between)
                    and statistics.median(between) > checks.duplicate_window_days)
        # Two lines equal in every column are one line written twice: never items.
        twins = len({p.written for p in group}) < len(group)
        found.append((DUPLICATE, LOW if (itemised or standing) and not twins else HIGH,
                      frozenset(p.pos for p in group)))
    return found


def close_cases(lines: list[Line], checks: CrossLineChecks) -> list[Case]:
    window, often = checks.duplicate_window_days, checks.duplicate_recurring_payments
    by_key: dict[tuple, list[Line]] = defaultdict(list)
    for p in payments(lines):
        if p.supplier is not None and p.date is not None:
            by_key[p.supplier, p.amount].append(p)
    found = []
    for same in by_key.values():
        if len(same) < 2:
            continue
        same.sort(key=lambda p: (p.date, p.pos))
        per_day = defaultdict(int)
        for p in same:
            per_day[p.date] += 1
        between = [g for g in gaps(p.date for p in same) if g > 0]
        usual = statistics.median(between) if between else None
        routine = ((len(per_day) >= often and usual is not None and usual <= window)
                   or max(per_day.values()) >= often)
        runs = [[same[0]]]
        for before, p in zip(same, same[1:]):
            if (p.date - before.date).days <= window:
                runs[-1].append(p)
            else:
                runs.append([p])
        for run in runs:
            if len(run) < 2 or not unreversed(run, lines):
                continue
            one_reference = len({p.reference for p in run}) == 1 and run[0].reference is not None
            one_day = len({p.date for p in run}) == 1
            twins = len({p.written for p in run}) < len(run)
            if routine and not one_reference and not twins:
                continue  # the supplier's routine rate: no suspect at all
            strength = LOW if one_day and not twins else MEDIUM
            found.append((DUPLICATE, strength, frozenset(p.pos for p in run)))
    return found


@dataclass(frozen=True)
class Invoice:
    supplier: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def day(self) -> date:
        return min(line.date for line in self.lines)

    @property
    def first(self) -> int:
        return min(line.pos for line in self.lines)


def invoices(lines: list[Line]) -> list[Invoice]:
    """Payments with a compared supplier and a date; those sharing a supplier and a
    reference are one invoice, any other is an invoice by itself."""
    dated = [p for p in payments(lines) if p.supplier is not None and p.date is not None]
    grouped: dict[tuple, list[Line]] = defaultdict(list)
    for p in dated:
        grouped[p.supplier, p.reference if p.reference is not None else ("line", p.pos)].append(p)
    return [Invoice(supplier, tuple(parts)) for (supplier, _), parts in grouped.items()]


def split_cases(lines: list[Line], checks: CrossLineChecks) -> list[Case]:
    dated = [p.date for p in payments(lines) if p.date is not None]
    taking_part = [p for p in payments(lines) if p.supplier is not None and p.date is not None]
    if len(taking_part) < 2:
        return []
    months = max(1.0, ((max(dated) - min(dated)).days + 1) / 30)
    paid_days: dict[str, set] = defaultdict(set)
    for p in taking_part:
        paid_days[p.supplier].add(p.date)
    totals: dict[str, list] = defaultdict(list)
    for invoice in invoices(lines):
        totals[invoice.supplier].append(invoice.total)
    usual = {supplier: statistics.median(values) for supplier, values in totals.items()}
    found = []
    for threshold in sorted(set(checks.split_thresholds)):
        below = []
        for invoice in invoices(lines):
            near = invoice.total * 100 >= threshold * checks.split_near_threshold_percent
            frequent = (len(paid_days[invoice.supplier])
                        >= checks.frequent_supplier_days_per_month * months)
            if invoice.total < threshold:
                below.append((invoice, near, frequent))
        tries = [(checks.split_window_days, None, [b for b in below if b[1]]),
                 (checks.split_window_days, None, [b for b in below if not b[2]])]
        if months >= 3:
            tries.append((checks.split_seldom_window_days,
                          checks.seldom_supplier_days_per_month * months,
                          [b for b in below if not b[2]]))
        for window, seldom, candidates in tries:
            by_supplier = defaultdict(list)
            for b in candidates:
                by_supplier[b[0].supplier].append(b)
            for supplier, mine in by_supplier.items():
                mine.sort(key=lambda b: (b[0].day, b[0].first))
                runs = [[mine[0]]]
                for before, b in zip(mine, mine[1:]):
                    if (b[0].day - before[0].day).days <= window:
                        runs[-1].append(b)
                    else:
                        runs.append([b])
                for run in runs:
                    total = sum(b[0].total for b in run)
                    days = {b[0].day for b in run}
                    if not (2 <= len(run) <= checks.split_max_invoices and total >= threshold):
                        continue
                    if seldom is not None and len(paid_days[supplier]) - len(days) > seldom:
                        continue
                    near = sum(1 for b in run if b[1]) >= 2
                    # Each invoice more than twice the supplier's median: unlike its billing.
                    unusual = min(b[0].total for b in run) > 2 * usual[supplier]
                    strength = (HIGH if near else MEDIUM if unusual or seldom is not None
                                else LOW)
                    found.append((SPLIT, strength, frozenset(
                        line.pos for b in run for line in b[0].lines)))
    return found


def reference_cases(rows: list[dict], checks: CrossLineChecks) -> set[Case]:
    """Every case, the strongest of each kind for the same lines."""
    lines = as_lines(rows)
    order = {LOW: 0, MEDIUM: 1, HIGH: 2}
    best: dict[tuple, str] = {}
    for rule, strength, positions in (exact_cases(lines, checks) + close_cases(lines, checks)
                                      + split_cases(lines, checks)):
        key = (rule, positions)
        if key not in best or order[strength] > order[best[key]]:
            best[key] = strength
    return {(rule, strength, positions) for (rule, positions), strength in best.items()}


def reference_findings(cases: set[Case]) -> set[tuple[int, str]]:
    """(_seq, rule) for every line of a case at risk; _seq is the line's position."""
    return {(pos, rule) for rule, strength, positions in cases if strength != LOW
            for pos in positions}


# --- Generated tables, built to collide ----------------------------------------------------

# Spellings of a few suppliers: each group folds to one name, except the redacted ones
# (never compared by name) and None (no supplier).
SUPPLIERS = [
    "Acme Ltd", "ACME  ltd", " acme ltd", "Ａｃｍｅ Ltd", "acme\u00a0Ltd", "Acme\tLTD",
    "Beta Services", "BETA SERVICES",
    "Redacted - personal data", "REDACTED",
    None,
]
REFERENCES = ["INV-1", "inv-01", "Inv 1", "INV-2", "inv-2", "PO 7", "S-1", "s-2", "S-3"]
# Payments below, at, just below and around typical thresholds; credits that reverse some.
AMOUNTS = [100000, 250000, 480000, 499999, 500000, -100000, -250000, 0]
FIRST_DAY = date(2025, 6, 1)
SOURCES = ["jan.csv", "feb.csv"]


def build_table(rows: list[dict]) -> pl.DataFrame:
    """The line table as the engine receives it: one frame per source file, concatenated
    by engine.table.concat (which numbers `_seq` in input order), left in chunks."""
    frames = []
    for source in SOURCES:
        mine = [row for row in rows if row["source"] == source]
        frames.append(pl.DataFrame({
            "_source": [source] * len(mine),
            "_row": [row["row"] for row in mine],
            "line_id": [row["line_id"] for row in mine],
            "amount": [row["amount"] for row in mine],
            "date": [row["date"] for row in mine],
            "supplier": [row["supplier"] for row in mine],
            "reference": [row["reference"] for row in mine],
        }, schema={"_source": pl.Utf8, "_row": pl.Int64, "line_id": pl.Utf8,
                   "amount": pl.Int64, "date": pl.Date, "supplier": pl.Utf8,
                   "reference": pl.Utf8}))
    return concat([frame for frame in frames if frame.height])


def checks_in_pence(threshold: int, window: int, duplicate_window: int = 5
                    ) -> CrossLineChecks:
    """The council's checks with the threshold in pence.

    CrossLineChecks reads its thresholds as the awards file writes them, in pounds: an
    int 5000 is £5,000 (500000 pence). So the pence are handed over as exact pounds.
    """
    checks = CrossLineChecks(split_thresholds=[Decimal(threshold).scaleb(-2)],
                             split_window_days=window,
                             duplicate_window_days=duplicate_window)
    assert checks.split_thresholds == [threshold]
    return checks


@st.composite
def ledgers(draw) -> tuple[list[dict], CrossLineChecks]:
    """1-30 lines from 2-3 supplier spellings, a few references, a few amounts and a
    few days within about six weeks, or sometimes five months (long enough to judge
    which suppliers are seldom paid), or no date, each line in one of two files.

    Each ledger draws its few spellings and days first and its lines from those, so
    that lines share supplier, reference, amount and day often enough to collide.
    """
    suppliers = draw(st.permutations(SUPPLIERS))[:draw(st.integers(2, 3))]
    span = draw(st.sampled_from([45, 150]))
    days = [FIRST_DAY + timedelta(n) for n in
            draw(st.lists(st.integers(0, span), min_size=1, max_size=4))]
    # Few references make duplicates and one invoice over several lines; more, and
    # lines without one, make separate invoices, which splits need.
    references = [*draw(st.permutations(REFERENCES))[:draw(st.integers(0, len(REFERENCES)))],
                  None]
    # Lists lean small by default; collisions need lines, so any length is as likely.
    size = draw(st.integers(1, 30))
    drawn = draw(st.lists(st.fixed_dictionaries({
        "source": st.sampled_from(SOURCES),
        "amount": st.sampled_from(AMOUNTS),
        "date": st.sampled_from([*days, None]),
        "supplier": st.sampled_from(suppliers),
        "reference": st.sampled_from(references),
    }), min_size=size, max_size=size))
    # concat puts each source's lines together: order the rows the same way, so a row's
    # position in this list is its `_seq`.
    rows = sorted(drawn, key=lambda row: SOURCES.index(row["source"]))
    for number, row in enumerate(rows):
        row["line_id"] = f"L{number}"
        row["row"] = number + 2  # a file's first line is its header
    checks = checks_in_pence(draw(st.integers(300000, 600000)), draw(st.integers(0, 20)),
                             draw(st.integers(0, 10)))
    return rows, checks


# --- The property -------------------------------------------------------------------------

CASE = re.compile(r"case ([DS]\d+): possible (duplicate payment|split purchase): ")


@settings(max_examples=300, deadline=None)
@given(ledgers())
def test_engine_finds_the_cases_the_reference_finds(ledger):
    rows, checks = ledger
    table = build_table(rows)
    # The reference numbers lines by position in `rows`: so must the table.
    assert table["_seq"].to_list() == list(range(len(rows)))
    assert table.schema["_seq"] == table.schema["_row"] == pl.Int64

    found = cross_line_checks(table, checks)
    rules = {"duplicate": DUPLICATE, "split": SPLIT}
    engine_cases = {(rules[kind], strength, frozenset(lines)) for kind, strength, lines in
                    found.cases.select("kind", "strength", "_seq").iter_rows()}
    expected = reference_cases(rows, checks)
    # What the example exercised (see --hypothesis-show-statistics).
    for rule, strength, _ in expected:
        event(f"reference finds a {strength} {rule}")
    assert engine_cases == expected
    assert len(found.cases) == len(expected)

    findings = found.findings
    assert set(findings.select("_seq", "rule").iter_rows()) == reference_findings(expected)
    # Each finding names, by id, an at-risk case of its kind that holds its line.
    lines_of = {case_id: (status, set(lines)) for case_id, status, lines in
                found.cases.select("id", "status", "_seq").iter_rows()}
    for seq, rule, message, case_id in findings.iter_rows():
        match = CASE.match(message)
        assert match and match[1] == case_id, message
        assert case_id[0] == ("D" if rule == DUPLICATE else "S")
        status, lines = lines_of[case_id]
        assert status == "at_risk" and seq in lines


def test_the_reference_folds_references_as_polars_does():
    """The reference folds with Python's re, the engine with polars (Rust regex): they
    agree on every reference generated."""
    from ringfence.engine.checks.suppliers import fold_references

    assert fold_references(pl.Series(REFERENCES)).to_list() == \
        [fold_reference(r) for r in REFERENCES]


def test_the_reference_folds_supplier_spellings_together():
    """The spellings generated fold as the docstring says, so the tables do collide; and
    the engine folds them as the reference does."""
    from ringfence.engine.checks.suppliers import fold_suppliers

    folded = {name: fold_supplier(name) for name in SUPPLIERS}
    assert {folded[name] for name in SUPPLIERS[:6]} == {"acme"}
    assert {folded[name] for name in SUPPLIERS[6:8]} == {"beta services"}
    assert {folded[name] for name in SUPPLIERS[8:]} == {None}
    assert fold_suppliers(pl.Series(SUPPLIERS, dtype=pl.Utf8)).to_list() == list(
        folded.values())


def test_a_window_is_inclusive_at_both_ends():
    """Two invoices `window` days apart share a window; one day more and they do not
    (and the reference says so, as the engine does)."""
    checks = checks_in_pence(500000, 3)

    def rows(apart: int) -> list[dict]:
        return [{"source": "jan.csv", "row": number + 2, "line_id": f"L{number}",
                 "amount": amount, "date": FIRST_DAY + timedelta(day),
                 "supplier": "Acme Ltd", "reference": f"S-{day}"}
                for number, (day, amount) in enumerate(((0, 490000), (apart, 480000)))]

    for apart, expected in ((3, {(0, SPLIT), (1, SPLIT)}), (4, set())):
        assert reference_findings(reference_cases(rows(apart), checks)) == expected
        found = cross_line_checks(build_table(rows(apart)), checks).findings
        assert set(found.select("_seq", "rule").iter_rows()) == expected

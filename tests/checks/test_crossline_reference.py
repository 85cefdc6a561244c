"""The cross-line checks against a reference written from their specification.

`engine.crossline` computes duplicate payments and split purchases on whole
columns (hash codes, sorted keys, running sums, backward fills), which is fast
and easy to get subtly wrong. This file restates the rules of its module
docstring as plain Python -- loops, dicts, and O(n^2) comparisons over a
handful of lines -- and checks, on generated tables built to collide, that the
engine flags exactly the lines the reference does, rule by rule:

- `crossline.duplicate`: two or more payments with the same supplier, amount
  and date, or the same reference and amount, less one payment for each credit
  that reverses a payment of the group;
- `crossline.split`: invoices to one supplier, each below the threshold, that
  with others in one window of days reach the threshold.

A window of `split_window_days` days holds invoices at most that many days
apart (both ends inclusive), as the engine's sorted search does; see in_window.

It also checks that every finding has a message, and that a duplicate's message
counts the lines (and reversing credits) of a group the reference flags it for.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
from hypothesis import event, given, settings, strategies as st

from ringfence.engine.checks.crossline import DUPLICATE, SPLIT, cross_line_findings
from ringfence.engine.models.awards import CrossLineChecks
from ringfence.engine.models.table import concat


# --- The reference -------------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    """A line as the checks compare it: its position, amount, date, and folded names."""

    pos: int
    amount: int          # pence
    date: date | None
    supplier: str | None  # folded; None when not compared by name
    reference: str | None  # lower case; None when blank


def fold_supplier(name: str | None) -> str | None:
    """The supplier as compared: NFKC, lower case, single spaces, stripped.

    Blank names, and names written as redacted personal data, are not compared
    by name (many different people share "Redacted"), so they fold to None.
    """
    if name is None:
        return None
    folded = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name).lower()).strip()
    if not folded or "redacted" in folded:
        return None
    return folded


def fold_reference(reference: str | None) -> str | None:
    """References are compared ignoring case."""
    return None if reference is None else reference.lower()


def as_lines(rows: list[dict]) -> list[Line]:
    return [Line(pos, row["amount"], row["date"], fold_supplier(row["supplier"]),
                 fold_reference(row["reference"])) for pos, row in enumerate(rows)]


def payments(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.amount > 0]


def credits(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.amount < 0]


# Duplicates: the two ways payments are "the same", each with the words its message uses.
# A key with a missing part (no compared supplier, no date, no reference) groups nothing.
DUPLICATE_KEYS = {
    "the same supplier, amount and date": lambda p: (p.supplier, p.amount, p.date),
    "the same reference and amount": lambda p: (p.reference, p.amount),
}


def reverses(credit: Line, payment: Line) -> bool:
    """A credit reverses a payment of the opposite amount with the same reference, or
    the same supplier and date (missing values never match)."""
    if credit.amount != -payment.amount:
        return False
    same_reference = credit.reference is not None and credit.reference == payment.reference
    same_supplier_day = (credit.supplier is not None and credit.date is not None
                         and (credit.supplier, credit.date) == (payment.supplier, payment.date))
    return same_reference or same_supplier_day


def duplicate_groups(lines: list[Line]) -> list[tuple[str, list[Line], int]]:
    """(how, payments, reversing credits) for each group of two or more payments that
    are the same one way or the other.

    A credit reversing any payment of a group counts once for the group, however
    many of its payments it matches.
    """
    found = []
    for how, key in DUPLICATE_KEYS.items():
        groups: dict[tuple, list[Line]] = defaultdict(list)
        for payment in payments(lines):
            if None not in key(payment):
                groups[key(payment)].append(payment)
        for group in groups.values():
            if len(group) >= 2:
                reversing = {credit.pos for credit in credits(lines)
                             for payment in group if reverses(credit, payment)}
                found.append((how, group, len(reversing)))
    return found


def flagged_duplicates(lines: list[Line]) -> list[tuple[str, list[Line], int]]:
    """The groups flagged: each reversing credit sets one payment aside, and a group is
    flagged while two or more remain (so a payment reversed and posted again is one)."""
    return [(how, group, reversing) for how, group, reversing in duplicate_groups(lines)
            if len(group) - reversing >= 2]


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


def invoices(lines: list[Line], threshold: int) -> list[Invoice]:
    """The invoices that can be part of a split: each below the threshold.

    Only payments with a compared supplier and a date take part. Those sharing a
    supplier and a reference (two or more of them) are one invoice, its total
    their sum and its day the earliest of theirs; any other payment is an
    invoice by itself.
    """
    dated = [p for p in payments(lines) if p.supplier is not None and p.date is not None]
    by_reference: dict[tuple[str, str], list[Line]] = defaultdict(list)
    for payment in dated:
        if payment.reference is not None:
            by_reference[payment.supplier, payment.reference].append(payment)
    found = []
    for payment in dated:
        shared = by_reference.get((payment.supplier, payment.reference), [])
        if len(shared) >= 2:
            if payment is shared[0]:  # the invoice once, at its first line
                found.append(Invoice(payment.supplier, tuple(shared)))
        else:
            found.append(Invoice(payment.supplier, (payment,)))
    return [invoice for invoice in found if invoice.total < threshold]


def in_window(invoice: Invoice, last_day: date, window: int) -> bool:
    """Whether an invoice falls in the window ending on `last_day`.

    The engine's window ending on day d holds the invoices of days d - window to d,
    both inclusive (search_sorted(key - window, side="left") starts it at the
    first invoice on or after d - window; it ends with the last invoice on day d).
    So `window` is the most days two invoices of one window can be apart: with 30,
    1 June and 1 July share one; with 0, only invoices of the same day do.
    """
    return last_day - timedelta(days=window) <= invoice.day <= last_day


def split_invoices(lines: list[Line], checks: CrossLineChecks) -> list[Invoice]:
    """Invoices flagged as split: some window of one supplier's invoices holds this one
    and at least one other, and together they reach the threshold.

    Every window worth trying ends on some invoice's day (ending it later, before
    the next invoice, holds no more), so those are the windows tried.
    """
    threshold, window = checks.split_threshold, checks.split_window_days
    below = invoices(lines, threshold)
    flagged = []
    for invoice in below:
        suppliers = [other for other in below if other.supplier == invoice.supplier]
        for last_day in {other.day for other in suppliers}:
            held = [other for other in suppliers if in_window(other, last_day, window)]
            if (invoice in held and len(held) >= 2
                    and sum(other.total for other in held) >= threshold):
                flagged.append(invoice)
                break
    return flagged


def reference_findings(rows: list[dict], checks: CrossLineChecks) -> set[tuple[int, str]]:
    """(_seq, rule) for every line the reference flags; _seq is the line's position."""
    lines = as_lines(rows)
    found = {(payment.pos, DUPLICATE)
             for _, group, _ in flagged_duplicates(lines) for payment in group}
    found |= {(line.pos, SPLIT)
              for invoice in split_invoices(lines, checks) for line in invoice.lines}
    return found


# --- Generated tables, built to collide ----------------------------------------------------

# Spellings of a few suppliers: each group folds to one name, except the redacted ones
# (never compared by name) and None (no supplier).
SUPPLIERS = [
    "Acme Ltd", "ACME  ltd", " acme ltd", "Ａｃｍｅ Ltd", "acme\u00a0Ltd", "Acme\tLTD",
    "Beta Services", "BETA SERVICES",
    "Redacted - personal data", "REDACTED",
    None,
]
REFERENCES = ["INV-1", "inv-1", "Inv-1", "INV-2", "inv-2", "PO 7", "S-1", "s-2", "S-3"]
# Payments below, at and around typical thresholds; credits that reverse some of them.
AMOUNTS = [100000, 250000, 499999, 500000, -100000, -250000, 0]
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


def checks_in_pence(threshold: int, window: int) -> CrossLineChecks:
    """The council's checks with the threshold in pence.

    CrossLineChecks reads its threshold as the awards file writes it, in pounds: an
    int 5000 is £5,000 (500000 pence). So the pence are handed over as exact pounds.
    """
    checks = CrossLineChecks(split_threshold=Decimal(threshold).scaleb(-2),
                             split_window_days=window)
    assert checks.split_threshold == threshold
    return checks


@st.composite
def ledgers(draw) -> tuple[list[dict], CrossLineChecks]:
    """1-30 lines from 2-3 supplier spellings, a few references, a few amounts and a
    few days within about six weeks (or no date), each line in one of two files.

    Each ledger draws its few spellings and days first and its lines from those, so
    that lines share supplier, reference, amount and day often enough to collide.
    """
    suppliers = draw(st.permutations(SUPPLIERS))[:draw(st.integers(2, 3))]
    days = [FIRST_DAY + timedelta(n) for n in
            draw(st.lists(st.integers(0, 45), min_size=1, max_size=4))]
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
    checks = checks_in_pence(draw(st.integers(300000, 600000)), draw(st.integers(0, 40)))
    return rows, checks


# --- The property -------------------------------------------------------------------------

# "possible duplicate payment: 2 lines with the same reference and amount (£2,500.00):
# L1 (jan.csv:3), L4 (feb.csv:6); 1 reversing credits: L2 (jan.csv:4)" -- labels hold no ";".
DUPLICATE_MESSAGE = re.compile(r"possible duplicate payment: (\d+) lines with (.+?) "
                               r"\(£[\d,]+\.\d\d\): [^;]+(?:; (\d+) reversing credits: .+)?$")
SPLIT_MESSAGE = re.compile(r"possible split purchase: (\d+) invoices to ")


@settings(max_examples=300, deadline=None)
@given(ledgers())
def test_engine_flags_what_the_reference_flags(ledger):
    rows, checks = ledger
    table = build_table(rows)
    # The reference numbers lines by position in `rows`: so must the table.
    assert table["_seq"].to_list() == list(range(len(rows)))
    assert table.schema["_seq"] == table.schema["_row"] == pl.Int64

    findings = cross_line_findings(table, checks)

    engine = set(findings.select("_seq", "rule").iter_rows())
    expected = reference_findings(rows, checks)
    # What the example exercised (see --hypothesis-show-statistics).
    for rule in sorted({rule for _, rule in expected}):
        event(f"reference flags {rule}")
    if any(len(group) - reversing < 2 <= len(group)
           for _, group, reversing in duplicate_groups(as_lines(rows))):
        event("credits set a group of duplicates aside")
    assert engine == expected

    # A duplicate's message counts the lines of a group it belongs to, says how they
    # match, and counts the credits reversing them: as some group the reference flags
    # for the line does.
    groups = flagged_duplicates(as_lines(rows))
    for seq, rule, message in findings.iter_rows():
        assert message
        if rule == DUPLICATE:
            match = DUPLICATE_MESSAGE.match(message)
            assert match, message
            said = (match[2], int(match[1]), int(match[3] or 0))
            assert said in {(how, len(group), reversing) for how, group, reversing in groups
                            if any(payment.pos == seq for payment in group)}, message
        else:
            match = SPLIT_MESSAGE.match(message)
            assert match and int(match[1]) >= 2, message


def test_the_reference_folds_references_as_polars_does():
    """The reference lower-cases with str.lower, the engine with polars' to_lowercase:
    they agree on every reference generated."""
    values = REFERENCES
    assert pl.Series(values).str.to_lowercase().to_list() == [v.lower() for v in values]


def test_the_reference_folds_supplier_spellings_together():
    """The spellings generated fold as the docstring says, so the tables do collide."""
    folded = {name: fold_supplier(name) for name in SUPPLIERS}
    assert {folded[name] for name in SUPPLIERS[:6]} == {"acme ltd"}
    assert {folded[name] for name in SUPPLIERS[6:8]} == {"beta services"}
    assert {folded[name] for name in SUPPLIERS[8:]} == {None}


def test_a_window_is_inclusive_at_both_ends():
    """Two invoices `window` days apart share a window; one day more and they do not
    (and the reference says so, as the engine does)."""
    checks = checks_in_pence(500000, 30)

    def rows(apart: int) -> list[dict]:
        return [{"source": "jan.csv", "row": number + 2, "line_id": f"L{number}",
                 "amount": 250000, "date": FIRST_DAY + timedelta(day),
                 "supplier": "Acme Ltd", "reference": f"S-{day}"}
                for number, day in enumerate((0, apart))]

    for apart, expected in ((30, {(0, SPLIT), (1, SPLIT)}), (31, set())):
        assert reference_findings(rows(apart), checks) == expected
        found = cross_line_findings(build_table(rows(apart)), checks)
        assert set(found.select("_seq", "rule").iter_rows()) == expected

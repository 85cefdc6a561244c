"""Generated expenditure lines that sit on every threshold a pack tests.

Values are drawn from each pack's own boundaries (the day before, on and
after every date it compares; the penny either side of every amount) and
from text that nearly matches its word patterns, so that a disagreement
between durable-rules and the reference evaluator has somewhere to show.
"""

from __future__ import annotations

import datetime as dt
import random

from ringfence.engine.models.lines import LINE_FIELDS
from ringfence.engine.packs.compiled import CompiledPack

TEXTS = [
    None, "", "   ", "Family Help Navigator salary", "Staff lunch", "STAFF PARTY", "staff-party!",
    "Hospitality", "hospitality & entertainment", "Entertaining", "entertainments",
    "Recoverable VAT", "irrecoverable vat", "VAT reclaimable", "vat", "define", "Parking fine",
    "fines", "Late payment interest", "interest charges", "Expression of interest", "gifts",
    "Gift vouchers", "gifted and talented", "Lobbying", "public affairs consultancy",
    "Café Nero", "CAFÉ NERO", "café", "cafe x", "co-op", "Co op", "INV-001", "inv-001",
    "Acme & Sons", "acme & sons", "=HYPERLINK(\"x\")", "<script>alert(1)</script>",
    "penalty", "PENALTIES", "12345", "1234567", "ref 123", "x12", "x", "Ω unicode ünïcödé",
    "line\nbreak", "tab\there", "capital", "revenue", "alpha", "beta", "gamma", "family_help",
    "transformation", "workforce", "voice", "Family Group Decision Making", "Training",
    "ICT licences", "Salaries", "Catering for engagement session", "Conference fees",
    "Contribution in kind", "in-kind support", "kindness workshop", "Depreciation",
    "asset impairment", "impairment of fixed assets", "capital charge", "Staff Christmas party",
    "Corporate hospitality", "Leaving party", "Penalty charge notice", "fines", "lobbyist",
    "Non-recoverable VAT", "Finance charges", "Gift cards", "Wine",
]


def _boundaries(pack: CompiledPack) -> tuple[list, list]:
    days: set[dt.date] = {dt.date(2025, 9, 15)}
    amounts: set[int] = {0, 1, -1, 10_000, 4_200_000}
    for test in pack.tests:
        kind = LINE_FIELDS[test.field]
        values = test.value if isinstance(test.value, tuple) else (test.value,)
        for value in values:
            if kind == "date" and isinstance(value, int):
                day = dt.date(value // 10000, value // 100 % 100, value % 100)
                days.update({day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)})
            if kind == "money" and isinstance(value, int):
                amounts.update({value - 1, value, value + 1})
    return sorted(days), sorted(amounts)


def _codes(pack: CompiledPack) -> list:
    codes: set = {None, "unknown_code", "Family Help"}
    codes.update(pack.loaded.pack.purposes)
    for test in pack.tests:
        if LINE_FIELDS[test.field] == "text" and test.op != "matches":
            values = test.value if isinstance(test.value, tuple) else (test.value,)
            codes.update(v for v in values if isinstance(v, str))
    return sorted(codes, key=lambda v: (v is None, str(v)))


def generate_lines(pack: CompiledPack, count: int, seed: int) -> list[dict]:
    """`count` typed lines (the values a table row holds) charged to `pack`."""
    rng = random.Random(seed)
    days, amounts = _boundaries(pack)
    codes = _codes(pack)
    texts = TEXTS + codes
    lines = []
    for index in range(count):
        def text():
            value = rng.choice(texts)
            return value.strip() or None if isinstance(value, str) else value
        lines.append({
            "line_id": rng.choice([f"L{index}", f"x{index}"]),
            "date": rng.choice(days + [None]),
            "amount": rng.choice(amounts) if rng.random() < 0.8 else rng.randint(-10**6, 10**8),
            "description": text(),
            "purpose": rng.choice(codes),
            "cost_type": rng.choice(["revenue", "capital", None]),
            "category": text(),
            "supplier": text(),
            "reference": text(),
            "grant": rng.choice([pack.id, pack.id, None]),
            "existing_service": rng.choice([True, False, None]),
        })
    return lines

"""Messages rendered on whole columns (CSV, Excel) read exactly as per-line ones (JSON, table)."""

from __future__ import annotations

import csv
import random

import polars as pl
import pytest
import yaml
from helpers import REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from linegen import TEXTS

from ringfence.engine.checks.message_columns import gbp
from ringfence.engine.core.money import format_gbp
from ringfence.engine.models.table import RULES
from ringfence.engine.packs.loading import bundled_rules
from ringfence.engine.pipeline.check import CheckRequest, run_check
from ringfence.engine.reports.flat import findings_column


def _compare(result):
    texts = findings_column(result).to_list()
    assert len(texts) == result.table.height
    for text, line in zip(texts, result.lines()):
        expected = " | ".join(f"{f.rule} [{f.status}]: {f.message}" for f in line.findings)
        assert (text or "") == expected, line.line_id
    # run_check renders the lines' own findings only when it has to wait for the cross-line
    # checks; rendered afterwards, by the report, they are the same, and rendering twice
    # adds nothing twice.
    result.own_text = None
    assert findings_column(result).to_list() == texts
    assert findings_column(result).to_list() == texts


def test_problems_case():
    _compare(run_check(CheckRequest([str(REPO / "cases/problems/proposal.yaml")])))


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_ledger(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "ledger.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["line_id", "date", "amount", "purpose", "cost_type", "category",
                         "description", "supplier", "reference", "existing_service"])
        for index in range(3000):
            text = lambda: (rng.choice(TEXTS) or "").replace("\n", " ")  # noqa: E731
            writer.writerow([f"L{index}",
                             rng.choice(["2025-03-31", "2025-06-01", "2026-04-01", ""]),
                             rng.choice(["10.00", "-5.50", "1234567.89", "4999.99", "0.01"]),
                             rng.choice(["family_help", "voice", "", "other"]),
                             rng.choice(["revenue", "capital", ""]), text(), text(),
                             rng.choice(["Acme", "Beta Ltd", ""]), rng.choice(["R1", "R2", ""]),
                             rng.choice(["true", "false", ""])])
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards: [{grant: csc-prevention-2025-26, amount: 500000}]\n")
    _compare(run_check(CheckRequest([str(path)], awards=str(awards))))


_PENCE = st.one_of(
    st.integers(min_value=-(10**17), max_value=10**17),
    # each side of every thousands boundary
    st.sampled_from([sign * (10**k + d) for k in range(0, 18) for d in (-1, 0, 1)
                     for sign in (1, -1)] + [2**63 - 1, -(2**63 - 1)]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_PENCE, min_size=1, max_size=50))
def test_gbp_on_a_column_reads_as_format_gbp(values):
    shown = pl.DataFrame({"p": values}, schema={"p": pl.Int64}).select(gbp(pl.col("p")))[:, 0]
    assert shown.to_list() == [format_gbp(v) for v in values]


_TEMPLATES = [
    "rule {n}: {amount} on {date}",  # many rules, one shape: rendered together
    "{description} / {supplier} for {amount} ({pack.title}, rule {n})",
    "{amount} and {amount} again, rule {n}",
    "rule {n} names no field of the line, only {pack.id} and {{braces}}",
    "{purpose}{category}{cost_type}",
]


def test_a_pack_of_many_messages_reads_as_per_line(tmp_path):
    """Rules whose messages show the same fields are rendered together; each line still
    reads exactly as rendered on its own, its findings in pack order."""
    base = yaml.safe_load((bundled_rules() / "csc-prevention-2025-26" / "pack.yaml").read_text())
    for n in range(150):
        template = _TEMPLATES[n % len(_TEMPLATES)].replace("{n}", str(n))
        base["rules"].append({"id": f"many.rule-{n}", "clause": "test", "title": "test",
                              "status": "at_risk" if n % 3 else "non_compliant",
                              "when": {"field": "amount", "op": "gt", "value": n * 10},
                              "message": template})
    folder = tmp_path / "rules" / base["id"]
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    rng = random.Random(5)
    path = tmp_path / "ledger.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["line_id", "date", "amount", "purpose", "category", "description",
                         "supplier", "cost_type"])
        for index in range(400):
            writer.writerow([f"M{index}", rng.choice(["2025-06-01", ""]),
                             f"{rng.randrange(0, 2000)}.{rng.randrange(100):02d}",
                             rng.choice(["family_help", ""]), rng.choice(["Gifts", ""]),
                             (rng.choice(TEXTS[:20]) or "").replace("\n", " "),
                             rng.choice(["Acme", ""]), "revenue"])
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards: [{grant: csc-prevention-2025-26, amount: 1000}]\n")
    result = run_check(CheckRequest([str(path)], awards=str(awards), rules=str(tmp_path / "rules")))
    assert max(len(rules) for rules in result.table[RULES].to_list()) > 50
    _compare(result)

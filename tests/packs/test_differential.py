"""durable-rules and the reference evaluator agree on every finding of every line.

Both the per-line path (one fact per line) and the grouped path the checker
uses (one representative per group of indistinguishable lines) are compared
with the plain-Python reference, on generated lines that sit on every date
and amount threshold and near every word pattern of each pack.
"""

from __future__ import annotations

import csv
import random

import polars as pl
import pytest
from helpers import FIXTURE_PACKS
from linegen import generate_lines

from ringfence.engine.checks.classify import classify
from ringfence.engine.core.dates import parse_date
from ringfence.engine.core.money import format_gbp, format_plain, parse_pence
from ringfence.engine.models.table import CANONICAL_SCHEMA, META_SCHEMA, RULES, concat
from ringfence.engine.packs.compiled import CompiledPack
from ringfence.engine.packs.loading import bundled_rules, load_pack, pack_files
from ringfence.engine.packs.reference import matching_rules
from ringfence.engine.pipeline.check import CheckRequest, run_check

LINES_PER_PACK = 20_000
PACK_FILES = pack_files(bundled_rules()) + pack_files(FIXTURE_PACKS)


@pytest.fixture(scope="module", params=PACK_FILES, ids=lambda p: p.parent.name)
def pack_and_lines(request):
    pack = CompiledPack(load_pack(request.param))
    lines = generate_lines(pack, LINES_PER_PACK, seed=7833)
    for line in lines:
        line["grant"] = pack.id
    return pack, lines


def test_packs_to_compare_exist():
    assert len(pack_files(bundled_rules())) >= 2


def test_durable_rules_agrees_with_reference_line_by_line(pack_and_lines):
    pack, lines = pack_and_lines
    disagreements = []
    for line in lines:
        durable = pack.decide(line)
        reference = matching_rules(pack, pack.fact(line))
        if durable != reference:
            disagreements.append((line, durable, reference))
    assert not disagreements[:5], f"{len(disagreements)} of {len(lines)} lines disagree"


def test_grouped_classification_agrees_with_reference(pack_and_lines):
    pack, lines = pack_and_lines
    records = [{"_source": "generated", "_row": i + 2, **line} for i, line in enumerate(lines)]
    table = concat([pl.from_dicts(records, schema={**META_SCHEMA, **CANONICAL_SCHEMA})])
    classified = classify(table, {pack.id: pack})
    assert classified.height == len(lines)
    # An amended pack checks each line against the version in force on its date.
    wrong = [(line, got) for line, got in zip(lines, classified[RULES].to_list())
             if tuple(got) != matching_rules(pack.for_date(line["date"]),
                                             pack.for_date(line["date"]).fact(line))]
    assert not wrong[:5], f"{len(wrong)} of {len(lines)} lines misclassified"


def test_generated_lines_exercise_every_rule(pack_and_lines):
    pack, lines = pack_and_lines
    fired = {rule for line in lines for rule in matching_rules(pack, pack.fact(line))}
    never = [rule.id for rule in pack.rules if rule.id not in fired]
    assert not never, f"generated lines never trigger {never}: the comparison would prove nothing"


def _as_ledger_text(line: dict, rng) -> dict:
    """A line as a finance export writes it: amounts and dates in the forms exports use."""
    pence, day = line["amount"], line["date"]
    amount = rng.choice([format_plain(pence), format_gbp(pence).replace("£", ""),
                         format_gbp(pence)])
    if pence < 0 and rng.random() < 0.5:
        amount = f"({format_plain(-pence)})"
    return {**line, "amount": amount,
            "date": "" if day is None else rng.choice([day.isoformat(), day.strftime("%d/%m/%Y")]),
            "existing_service": {True: "true", False: "false", None: ""}[line["existing_service"]],
            **{name: line[name] or "" for name in ("description", "purpose", "cost_type",
                                                   "category", "supplier", "reference")}}


@pytest.mark.parametrize("pack_file", pack_files(bundled_rules()), ids=lambda p: p.parent.name)
def test_a_ledger_read_and_grouped_agrees_with_the_reference(pack_file, tmp_path):
    """The whole batch path: CSV text through the columnar reader and the grouping, each
    line's findings against the reference on the line as written (scalar parsers)."""
    pack = CompiledPack(load_pack(pack_file))
    rng = random.Random(7834)
    lines = [{**line, "line_id": f"L{index}", "grant": pack.id}
             for index, line in enumerate(generate_lines(pack, 5_000, seed=7969))]
    lines = [line for line in lines if line["amount"] != 0 or rng.random() < 0.5]
    path = tmp_path / "ledger.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(CANONICAL_SCHEMA))
        writer.writeheader()
        writer.writerows(_as_ledger_text(line, rng) for line in lines)
    awards = tmp_path / "awards.yaml"
    awards.write_text(f"awards: [{{grant: {pack.id}, amount: 100000000000}}]\n")
    result = run_check(CheckRequest([str(path)], awards=str(awards), skip_bad_rows=True))
    assert result.table.height + len(result.rejected) == len(lines)
    with path.open(newline="", encoding="utf-8") as stream:
        written = {row["line_id"]: row for row in csv.DictReader(stream)}
    wrong = []
    for line_id, got in zip(result.table["line_id"], result.table[RULES].to_list()):
        row = written[line_id]
        typed = {**row, "amount": parse_pence(row["amount"]),
                 "date": parse_date(row["date"]) if row["date"] else None,
                 "existing_service": {"true": True, "false": False}.get(row["existing_service"]),
                 **{name: row[name].strip() or None for name in ("description", "purpose",
                    "cost_type", "category", "supplier", "reference")}}
        in_force = pack.for_date(typed["date"])
        if tuple(got) != matching_rules(in_force, in_force.fact(typed)):
            wrong.append((row, got))
    assert not wrong[:3], f"{len(wrong)} of {result.table.height} lines disagree"

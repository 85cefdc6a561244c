"""durable-rules and the reference evaluator agree on every finding of every line.

Both the per-line path (one fact per line) and the grouped path the checker
uses (one representative per group of indistinguishable lines) are compared
with the plain-Python reference, on generated lines that sit on every date
and amount threshold and near every word pattern of each pack.
"""

from __future__ import annotations

import polars as pl
import pytest

from engine.classify import RULES, classify
from engine.compiled import CompiledPack
from engine.packs import BUNDLED_RULES, load_pack, pack_files
from engine.reference import matching_rules
from engine.table import CANONICAL_SCHEMA, META_SCHEMA, concat

from conftest import FIXTURE_PACKS
from linegen import generate_lines

LINES_PER_PACK = 20_000
PACK_FILES = pack_files(BUNDLED_RULES) + pack_files(FIXTURE_PACKS)


@pytest.fixture(scope="module", params=PACK_FILES, ids=lambda p: p.parent.name)
def pack_and_lines(request):
    pack = CompiledPack(load_pack(request.param))
    lines = generate_lines(pack, LINES_PER_PACK, seed=7833)
    for line in lines:
        line["grant"] = pack.id
    return pack, lines


def test_packs_to_compare_exist():
    assert len(pack_files(BUNDLED_RULES)) >= 2


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

"""A pack too big for one durable-rules ruleset is checked as several, and still agrees
with the reference evaluator on every line.

durable-rules spins forever registering a ruleset of ~700 simple rules and fails to
assert a fact that matches more than 64 rules of one ruleset; this pack has rules
enough for both, and lines that match more than 64 of them.
"""

from __future__ import annotations

import polars as pl
import pytest
import yaml
from linegen import generate_lines

from ringfence.engine.checks.classify import classify
from ringfence.engine.models.table import CANONICAL_SCHEMA, META_SCHEMA, RULES, concat
from ringfence.engine.packs.compiled import SHARD_RULES, CompiledPack
from ringfence.engine.packs.loading import bundled_rules, load_pack
from ringfence.engine.packs.reference import matching_rules

WORDS = ["consultancy", "training", "session", "licence", "salary", "venue"]


@pytest.fixture(scope="module")
def big_pack(tmp_path_factory) -> CompiledPack:
    base = yaml.safe_load((bundled_rules() / "csc-prevention-2025-26" / "pack.yaml").read_text())
    rules = base["rules"]
    for index in range(800):
        kind = index % 4
        if kind in (0, 3):  # thresholds on one field: a big amount passes hundreds
            when = {"field": "amount", "op": "gt", "value": 1_000 + index * 5}
        elif kind == 1:
            when = {"all": [{"field": "description", "op": "matches",
                             "value": f"{WORDS[index % len(WORDS)]}"},
                            {"field": "purpose", "op": "eq", "value": "voice"}]}
        else:
            when = {"field": "date", "op": "eq",
                    "value": f"2025-{index % 12 + 1:02d}-{index % 28 + 1:02d}"}
        rules.append({"id": f"big.rule-{index}", "clause": "test", "title": "test",
                      "status": "at_risk", "when": when, "message": "rule {amount}"})
    folder = tmp_path_factory.mktemp("packs") / base["id"]
    folder.mkdir()
    (folder / "pack.yaml").write_text(yaml.safe_dump(base, sort_keys=False))
    return CompiledPack(load_pack(folder / "pack.yaml"))


def test_the_pack_is_cut_into_rulesets_durable_rules_can_run(big_pack):
    assert len(big_pack.shards) > 1
    assert all(len(shard.rules) <= SHARD_RULES for shard in big_pack.shards)
    assert sorted(i for shard in big_pack.shards for i in shard.rules) == \
        list(range(len(big_pack.rules)))


def test_every_line_agrees_with_the_reference(big_pack):
    lines = generate_lines(big_pack, 1_500, seed=31)
    lines += [{**line, "amount": 500_000_000} for line in lines[:50]]  # passes every threshold
    for line in lines:
        line["grant"] = big_pack.id
    assert max(len(matching_rules(big_pack, big_pack.fact(line))) for line in lines) > SHARD_RULES
    records = [{"_source": "generated", "_row": i + 2, **line} for i, line in enumerate(lines)]
    table = concat([pl.from_dicts(records, schema={**META_SCHEMA, **CANONICAL_SCHEMA})])
    grouped = classify(table, {big_pack.id: big_pack})[RULES].to_list()
    wrong = [line for line, got in zip(lines, grouped)
             if tuple(got) != matching_rules(big_pack, big_pack.fact(line))
             or big_pack.decide(line) != tuple(got)]
    assert not wrong[:3], f"{len(wrong)} of {len(lines)} lines disagree"

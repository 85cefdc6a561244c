"""durable-rules' limits, found and respected (issue 18, item 8).

durable-rules refuses a fact of more than 16 MiB of JSON (error 314); word-suffixes
grow with the square of a text's length, so a 16 KB description used to fail and
100 KB took 2 GB. Long texts now carry the spans where their patterns match: durable-
rules still takes every decision, and agrees with the reference on the whole text.
"""

from __future__ import annotations

import json
import random

import pytest
from helpers import FIXTURE_PACKS
from linegen import generate_lines

from ringfence.engine.packs import conditions, facts
from ringfence.engine.packs.compiled import CompiledPack
from ringfence.engine.packs.durable_runner import RulesetRunner
from ringfence.engine.packs.facts import MAX_FACT_JSON, json_size, words
from ringfence.engine.packs.loading import bundled_rules, load_pack, pack_files
from ringfence.engine.packs.reference import matching_rules

PACK_FILES = pack_files(bundled_rules()) + pack_files(FIXTURE_PACKS)
#: Words no pattern of our packs looks for: the page a planted phrase hides in.
FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()


def _fact_of_size(size: int) -> dict:
    fact = {"line_id": "a", "description__words": ["zzz "]}
    room = size - json_size(fact)
    fact["description__words"] = ["zzz " + "x" * room]
    assert json_size(fact) == size
    return fact


def test_durable_rules_takes_a_fact_up_to_the_limit_and_refuses_one_past_16_mib():
    runner = RulesetRunner([conditions.Test("description", "matches", "zzz")], "limit")
    assert runner.decide(_fact_of_size(MAX_FACT_JSON)) == (0,)
    with pytest.raises(Exception, match="314"):
        runner.decide(_fact_of_size((1 << 24) + 1024))


def _page(rng: random.Random, planted: str | None, words_count: int) -> str:
    filler = [rng.choice(FILLER) for _ in range(words_count)]
    if planted:
        filler.insert(rng.randrange(len(filler) + 1), planted)
    return " ".join(filler)


@pytest.mark.parametrize("pack_file", PACK_FILES, ids=lambda p: p.parent.name)
def test_long_texts_are_decided_by_durable_rules_as_the_reference_decides(pack_file):
    """Generated lines whose texts are hidden, anywhere, in a page of other words: the
    durable-rules decision is the reference's on the whole text (and, where the pack only
    looks for words in those texts, the same as for the text alone), and the fact stays
    a few times the text's size."""
    pack = CompiledPack(load_pack(pack_file))
    if not pack.word_patterns:
        pytest.skip("the pack looks for no words")
    rng = random.Random(18)
    wrong, checked = [], 0
    for line in generate_lines(pack, 30, seed=18):
        long_line = dict(line)
        for name in pack.word_patterns:
            if isinstance(line.get(name), str) and words(line[name]):
                long_line[name] = _page(rng, line[name], 2_500)
        if long_line == line:
            continue
        checked += 1
        for version in pack.versions.values():
            durable = version.decide(long_line)
            fact = version.fact(long_line)
            words_only = all(test.op == "matches" for test in version.tests
                             if test.field in version.word_patterns)
            if durable != matching_rules(version, fact) or (
                    words_only and durable != version.decide(line)):
                wrong.append((line, durable))
            text = sum(len(v) for v in long_line.values() if isinstance(v, str))
            assert json_size(fact) < 3 * text + 10_000
    assert checked >= 10
    assert not wrong[:3], f"{len(wrong)} long lines disagree"


def test_a_16_kb_description_is_checked(cli, tmp_path):
    rng = random.Random(16)
    text = _page(rng, "staff party", 2_200) + " " + _page(rng, "parking fine", 2_200)
    assert len(text) > 16_000
    path = tmp_path / "p.yaml"
    path.write_text("council: X\nawards: [{grant: csc-prevention-2025-26, amount: 1000}]\n"
                    "lines:\n  - {line_id: A1, date: 2025-09-15, amount: 10, purpose: family_help,"
                    f" cost_type: revenue, description: {text}}}\n")
    run = cli("check", path, "--format", "json")
    assert run.code == 1, run.stderr
    rules = [f["rule"] for f in json.loads(run.stdout)["lines"][0]["findings"]]
    assert rules == ["excluded-cost.hospitality", "excluded-cost.fines"]


def test_text_past_what_durable_rules_can_take_names_its_file_row_and_field(cli, tmp_path,
                                                                            monkeypatch):
    # The real limit needs a 16 MB cell; a lower one shows the same path quickly.
    monkeypatch.setattr(facts, "MAX_FACT_JSON", 100_000)
    # A text of its own group (its parking fine), so durable-rules is given it.
    text = "word " * 20_000 + "parking fine " + "word " * 20_000
    path = tmp_path / "l.csv"
    path.write_text("line_id,amount,description,grant\nL1,5,short,csc-prevention-2025-26\n"
                    f"L2,5,{text},csc-prevention-2025-26\n")
    awards = tmp_path / "a.yaml"
    awards.write_text("awards: [{grant: csc-prevention-2025-26, amount: 1000}]\n")
    run = cli("check", path, "--awards", awards)
    assert run.code == 2
    assert run.stderr.startswith(f"ringfence: {path}:3: description: 200,012 characters")
    assert len(run.stderr.splitlines()) == 1


def test_facts_stay_far_below_durable_rules_limit_of_252_fields():
    """A fact of more than 252 fields fails to assert (error 302; durable-rules adds its
    own); ours carry at most the line's fields, a words field per text field, the guard."""
    runner = RulesetRunner([conditions.Test("description", "matches", "zzz")], "fields")
    fact = {"line_id": "a", "description__words": ["zzz"], **{f"f{i}": i for i in range(250)}}
    assert len(fact) == 252 and runner.decide(fact) == (0,)
    with pytest.raises(Exception, match="302"):
        runner.decide({**fact, "f250": 0})
    from ringfence.engine.models.lines import LINE_FIELDS

    assert 2 * len(LINE_FIELDS) + 1 < 252

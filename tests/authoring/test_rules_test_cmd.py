"""`rules test`: every pack's cases pass, and every rule is shown matching and not matching.

(Each YAML case also runs as its own pytest case: tests/test_pack_cases.py.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import FIXTURE_PACKS

from ringfence.engine.authoring.packtests import run_rules_tests
from ringfence.engine.packs.loading import bundled_rules

CFG = "children-families-2025-26"


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(bundled_rules(), target)
    return target


def drop_cases(folder: Path, expecting: str) -> int:
    """Remove every one-line case whose findings name `expecting`; how many went."""
    dropped = 0
    for file in (folder / "tests").glob("*.yaml"):
        lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not (line.lstrip().startswith("- {name:")
                                                and expecting in line.split("findings:")[-1])]
        dropped += len(lines) - len(kept)
        file.write_text("".join(kept), encoding="utf-8")
    return dropped


def test_the_bundled_packs_pass_and_are_covered_both_ways(cli):
    run = cli("rules", "test")
    assert run.code == 0, run.stdout
    assert run.stdout.splitlines()[-1] == f"rules test: {len(run_rules_tests())} packs, all passed"
    for pack in ("csc-prevention-2025-26", "ffpp-transformation-2025-26", CFG):
        assert f"{pack} (" in run.stdout


def test_coverage_is_shown_per_clause_and_per_rule(cli):
    out = cli("rules", "test").stdout
    assert "    ok   31/7834 para 1: a Revenue grant (Children and Families (Revenue) Grant)" in out
    rule_line = next(line for line in out.splitlines()
                     if line.strip().startswith("cost-type.capital") and " / " in line)
    matching, not_matching = (int(n) for n in rule_line.split()[-3::2])
    assert matching > 0 and not_matching > 0


def test_a_rule_that_loses_its_matching_cases_fails_the_command(cli, rules_copy):
    assert drop_cases(rules_copy / CFG, "cost-type.capital") >= 1
    run = cli("rules", "test", rules_copy)
    assert run.code == 1
    assert ("  MISSING rule 'cost-type.capital' (31/7834 para 1: a Revenue grant (Children and "
            "Families (Revenue) Grant)) is never shown matching") in run.stdout
    assert "    GAP  31/7834 para 1: a Revenue grant" in run.stdout
    assert run.stdout.splitlines()[-1].endswith(f"1 failed ({CFG})")


def test_a_pack_without_cases_names_every_rule_on_both_sides(cli, rules_copy):
    shutil.rmtree(rules_copy / CFG / "tests")
    run = cli("rules", "test", rules_copy)
    assert run.code == 1
    assert "children-families-2025-26 (" in run.stdout and ": 0 cases" in run.stdout
    assert ("  MISSING rule 'purpose.missing' (31/7834 paras 2-3: the statutory duties previously "
            "funded by the grants it comprises) is never shown matching or not matching"
            in run.stdout)


def test_a_failing_case_is_named_with_its_file_and_line(cli, rules_copy):
    file = rules_copy / CFG / "tests" / "period_and_type.yaml"
    text = file.read_text(encoding="utf-8")
    old = "{name: the first day of the period, line: {date: 2025-04-01}, findings: []}"
    assert old in text
    line = text[:text.index(old)].count("\n") + 1
    wrong = old.replace("findings: []", "findings: [period.before-start]")
    file.write_text(text.replace(old, wrong), encoding="utf-8")
    run = cli("rules", "test", rules_copy)
    assert run.code == 1
    assert (f"  FAIL {file}:{line}: case 'the first day of the period': expected "
            f"[period.before-start], durable-rules found []") in run.stdout


def test_a_case_naming_an_unknown_rule_is_bad_input(cli, rules_copy):
    file = rules_copy / CFG / "tests" / "period_and_type.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace(
        "findings: [period.after-end]}", "findings: [period.after-ned]}", 1), encoding="utf-8")
    run = cli("rules", "test", rules_copy)
    assert run.code == 2
    assert "expects unknown rule 'period.after-ned'" in run.stderr


def test_amended_rules_need_cases_of_their_own(cli, tmp_path):
    """A rule an amendment replaces is a new definition: `id@version`, covered separately."""
    rules = tmp_path / "rules"
    shutil.copytree(FIXTURE_PACKS / "amended", rules / "amended")
    assert cli("rules", "test", rules).code == 0
    cases = rules / "amended" / "tests" / "versions.yaml"
    text = cases.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines(keepends=True)
            if not ("name: v2 £6000 is large" in line or "undated lines take" in line)]
    cases.write_text("".join(kept), encoding="utf-8")
    run = cli("rules", "test", rules)
    assert run.code == 1
    assert ("  MISSING rule 'amount.large@2' (amendment 1 para 4) is never shown matching"
            in run.stdout)
    assert "'amount.large' (" not in run.stdout.split("MISSING", 1)[1]


def test_rules_test_takes_one_pack_folder(cli, rules_copy):
    run = cli("rules", "test", rules_copy / CFG)
    assert run.code == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "rules test: 1 pack, all passed"
    assert drop_cases(rules_copy / CFG, "cost-type.capital") >= 1
    assert cli("rules", "test", rules_copy / CFG).code == 1

"""`explain`: the values that decided a line, rule by rule, and its place in the award."""

from __future__ import annotations

import json

import pytest
from helpers import FIXTURE_PACKS, REPO

from ringfence.engine.packs.compiled import CompiledPack
from ringfence.engine.packs.loading import load_packs

PROBLEMS = REPO / "cases" / "problems" / "proposal.yaml"
THREE = REPO / "cases" / "three-grants-2025-26"


def explain(cli, *args):
    run = cli("explain", *args)
    assert run.code == 0, run.stderr
    return run.stdout


def rule_block(text: str, rule: str) -> str:
    """The lines explaining one rule: from its verdict line to the next rule's."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if f" {rule} (" in line and
                 line.startswith(("  MATCHED", "  no ")))
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith(("  MATCHED", "  no ")) or not lines[i].strip()),
               len(lines))
    return "\n".join(lines[start:end])


def test_a_line_after_the_period_shows_the_dates_that_decided_it(cli):
    out = explain(cli, PROBLEMS, "--line", "E06")
    assert out.startswith(f"Line E06 ({PROBLEMS}:22): non_compliant\n")
    after = rule_block(out, "period.after-end")
    assert after.startswith("  MATCHED period.after-end (non_compliant)")
    assert "clause: 31/7833 para 1" in after
    assert "holds: date 2026-04-07 > period end 2026-03-31" in after
    before = rule_block(out, "period.before-start")
    assert before.startswith("  no      period.before-start")
    assert "fails: date 2026-04-07 < period start 2025-04-01" in before


def test_every_rule_of_the_pack_is_shown_matched_or_not(cli):
    out = explain(cli, PROBLEMS, "--line", "E01")
    for rule in load_packs()["csc-prevention-2025-26"].pack.rules:
        assert rule_block(out, rule.id).startswith("  no      "), rule.id
    assert "Findings: none" in out


def test_a_missing_value_and_a_pattern_say_why(cli):
    out = explain(cli, PROBLEMS, "--line", "E13")
    hospitality = rule_block(out, "excluded-cost.hospitality")
    assert hospitality.startswith("  MATCHED excluded-cost.hospitality")
    assert "holds: any of" in hospitality
    assert "holds: category 'Hospitality' matches '" in hospitality
    assert "(the words 'hospitality' match)" in hospitality
    existing = rule_block(out, "existing-service.continuation")
    assert ("fails: existing_service (none) = true  (no existing_service: every comparison on a "
            "missing value is false)") in existing


def test_the_running_total_where_the_award_was_crossed(cli):
    crossing = explain(cli, PROBLEMS, "--line", "E20")
    assert ("running total £83,255.70 before it, £103,255.70 after it, against an award of "
            "£100,000.00; this line crossed the award, so £3,255.70 of it is beyond it") \
        in crossing
    later = explain(cli, PROBLEMS, "--line", "E21")
    assert ("the award was crossed earlier, by line 'E20' (running total £103,255.70), so "
            "£1,000.00 of this line is beyond it") in later
    earlier = explain(cli, PROBLEMS, "--line", "E01")
    assert "the award is crossed later, by line 'E20' (running total £103,255.70)" in earlier


def test_json_gives_each_test_with_both_values(cli):
    data = json.loads(explain(cli, PROBLEMS, "--line", "E06", "--format", "json"))
    (line,) = data["lines"]
    assert (line["line_id"], line["status"], line["pack_version"]) == ("E06", "non_compliant", "1")
    assert line["agree"] is True and line["disagreements"] == []
    rule = next(r for r in line["rules"] if r["rule"] == "period.after-end")
    assert (rule["matched"], rule["reference"]) == (True, True)
    assert rule["condition"] == {
        "field": "date", "op": "gt", "ref": "period.end", "line_value": "2026-04-07",
        "rule_value": "2026-03-31", "holds": True,
        "text": "date 2026-04-07 > period end 2026-03-31", "note": None}
    assert line["ringfence"]["crossing"] == "before"
    assert line["ringfence"]["crossed_by"] == "E20"
    assert [f["rule"] for f in line["findings"]] == ["period.after-end", "ringfence.over-award"]


def test_the_verdict_is_durable_rules_and_a_disagreement_is_reported(cli, monkeypatch):
    """If durable-rules ever decided otherwise than the conditions say, explain says so."""
    real = CompiledPack.decide

    def forgetful(self, line):
        found = real(self, line)
        return tuple(r for r in found if r != "period.after-end")

    monkeypatch.setattr(CompiledPack, "decide", forgetful)
    run = cli("explain", PROBLEMS, "--line", "E06")
    assert run.code == 1
    assert rule_block(run.stdout, "period.after-end").startswith("  no      period.after-end")
    assert ("DISAGREEMENT: rule 'period.after-end': durable-rules says it does not match, the "
            "reference evaluator says it matches") in run.stdout


def test_ledger_options_pass_through_and_each_line_uses_its_own_pack(cli):
    args = [THREE / "ledger.csv", "--awards", THREE / "awards.yaml", "--map",
            THREE / "ledger-map.yaml"]
    run = cli("explain", *args, "--line", "L002")
    assert run.code == 2 and "L007" in run.stderr  # a row with no grant stops the check
    ledger = explain(cli, *args, "--skip-bad-rows", "--line", "L002")
    assert ledger.startswith(f"Line L002 ({THREE / 'ledger.csv'}:3): non_compliant")
    prevention = explain(cli, THREE / "proposal.yaml", "--line", "T02")
    assert "charged to csc-prevention-2025-26" in prevention
    assert rule_block(prevention, "existing-service.continuation").startswith("  MATCHED")
    families = explain(cli, THREE / "proposal.yaml", "--line", "T03")
    assert "charged to children-families-2025-26" in families
    assert "existing-service" not in families
    assert "Findings: none" in families


def test_an_amended_pack_names_the_version_used(cli, tmp_path):
    proposal = tmp_path / "p.yaml"
    proposal.write_text(
        "awards: [{grant: amended, amount: 1000}]\n"
        "lines:\n"
        "  - {line_id: X1, date: 2026-05-01, amount: 10, purpose: gamma}\n", encoding="utf-8")
    out = explain(cli, proposal, "--rules", FIXTURE_PACKS, "--line", "X1")
    assert "version 3, in force from 2026-04-01: Amendment 2 (fixture)" in out
    assert ("fails: purpose 'gamma' not in the pack's purposes ['alpha', 'beta', 'gamma']"
            in out)


@pytest.mark.parametrize("line_id,expected", [("E99", "no line 'E99' in the input"),
                                              ("e06", "did you mean 'E06'?")])
def test_an_unknown_line_is_one_line_of_bad_input(cli, line_id, expected):
    run = cli("explain", PROBLEMS, "--line", line_id)
    assert run.code == 2
    assert expected in run.stderr and run.stderr.count("\n") == 1

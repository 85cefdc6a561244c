"""Funding advice: for a line its own grant refuses, which other bundled grant's pack
would take it, decided by durable-rules against that pack, with the award left."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
import yaml
from helpers import REPO, run_cli

from ringfence.engine.models.table import SEQ
from ringfence.engine.pipeline.check import CheckRequest, run_check

PROBLEMS = REPO / "cases" / "problems" / "proposal.yaml"


def lines_of(run) -> dict[str, dict]:
    return {line["line_id"]: line for line in json.loads(run.stdout)["lines"]}


@pytest.fixture(scope="module")
def problems():
    return lines_of(run_cli("check", PROBLEMS, "--format", "json"))


def test_continuing_an_existing_service_is_advised_to_the_children_and_families_grant(problems):
    e12 = problems["E12"]
    assert [f["rule"] for f in e12["findings"]] == ["existing-service.continuation"]
    assert e12["advice"] == [{
        "grant": "children-families-2025-26", "determination": "31/7834",
        "title": "Children and Families (Revenue) Grant 2025-26",
        "purposes": ["supporting_families", "supported_accommodation", "staying_put",
                     "virtual_school_heads", "leaving_care_allowance", "personal_advisors"],
        "any_purpose": True, "awarded": False, "left": None}]


def test_a_purpose_the_other_pack_has_is_kept_and_the_award_left_is_given(problems):
    # Family Help charged to the transformation-only grant: the prevention grant has
    # family_help (and the council's award of it is spent to the penny).
    advice = {a["grant"]: a for a in problems["E11"]["advice"]}
    assert advice["csc-prevention-2025-26"]["purposes"] == ["family_help"]
    assert advice["csc-prevention-2025-26"]["any_purpose"] is False
    assert advice["csc-prevention-2025-26"]["awarded"] is True
    assert advice["csc-prevention-2025-26"]["left"] == "0.00"


def test_spend_beyond_the_award_is_advised_to_a_grant_with_money_left(problems):
    advice = {a["grant"]: a for a in problems["E21"]["advice"]}
    assert advice["ffpp-transformation-2025-26"]["left"] == "800.00"
    assert advice["ffpp-transformation-2025-26"]["purposes"] == ["transformation"]


@pytest.mark.parametrize("line_id", ["E05", "E08", "E13", "E17"])
def test_what_no_grant_funds_gets_an_empty_advice(problems, line_id):
    # before the period, capital, hospitality, lobbying: every pack refuses them
    assert problems[line_id]["advice"] == []


def test_compliant_lines_and_cross_line_suspects_get_no_advice(problems):
    assert "advice" not in problems["E01"]
    flagged_only_by_cross_line = [line for line in problems.values()
                                  if line["status"] == "at_risk" and
                                  all(f["rule"].startswith("cross.") for f in line["findings"])]
    assert all("advice" not in line for line in flagged_only_by_cross_line)


def test_the_award_for_the_advised_grant_is_named_when_the_council_has_one(cli, tmp_path):
    proposal = tmp_path / "p.yaml"
    proposal.write_text(
        "awards:\n"
        "  - {grant: csc-prevention-2025-26, amount: 10000}\n"
        "  - {grant: children-families-2025-26, amount: 5000}\n"
        "lines:\n"
        "  - {line_id: A, date: 2025-09-01, amount: 1200, grant: csc-prevention-2025-26,"
        " purpose: family_help, cost_type: revenue, existing_service: true}\n"
        "  - {line_id: B, date: 2025-09-02, amount: 1000, grant: children-families-2025-26,"
        " purpose: supporting_families, cost_type: revenue}\n")
    advice = lines_of(cli("check", proposal, "--format", "json"))["A"]["advice"]
    assert [(a["grant"], a["awarded"], a["left"]) for a in advice] == [
        ("children-families-2025-26", True, "4000.00")]


def test_the_advice_follows_the_other_packs_rules(cli, tmp_path):
    """Decided by the packs, not by code of its own: give the Children and Families
    pack a rule against existing services and the advice goes."""
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns("__init__.py", "tests"))
    pack = rules / "children-families-2025-26" / "pack.yaml"
    text = pack.read_text()
    marker = "rules:\n"
    pack.write_text(text.replace(marker, marker + (
        "  - id: existing-service.test\n"
        "    clause: test\n"
        "    title: test\n"
        "    status: non_compliant\n"
        "    when: {field: existing_service, op: eq, value: true}\n"
        "    message: test\n"), 1))
    lines = lines_of(cli("check", PROBLEMS, "--rules", rules, "--format", "json"))
    assert lines["E12"]["advice"] == []
    assert "children-families-2025-26" in {a["grant"] for a in lines["E10"]["advice"]}


@pytest.mark.parametrize("fmt", ["table", "md", "html", "csv", "junit", "sarif", "github"])
def test_every_format_shows_the_advice(cli, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    run = cli("check", PROBLEMS, "--format", fmt, "--output", out)
    assert run.code == 1, run.stderr
    text = out.read_text(encoding="utf-8").replace("\\", "")  # Markdown escapes ( and _
    assert "children-families-2025-26 (31/7834) would take it" in text or \
        '"determination": "31/7834"' in text


def test_a_lines_advice_is_what_it_gets_checked_alone(tmp_path):
    """Lines alike in every field a pack reads are decided once for all of them: each
    line still gets the advice it would get on its own, blanks included."""
    planted = yaml.safe_load(PROBLEMS.read_text(encoding="utf-8"))["lines"]
    # awards no line can take beyond, so the lines refused are those the rules refuse
    awards = [{"grant": grant, "amount": 10**9}
              for grant in ("csc-prevention-2025-26", "ffpp-transformation-2025-26")]
    lines = []
    for line in planted:
        lines.append(line)
        # alike in what the packs read, unlike in what they do not
        lines.append({**line, "line_id": f"{line['line_id']}-again", "amount": 1,
                      "supplier": "Other Supplier Ltd", "reference": "X1"})
        # alike but for a blank where the line has a value
        for name in ("description", "category", "purpose"):
            if name in line:
                lines.append({k: v for k, v in line.items() if k != name}
                             | {"line_id": f"{line['line_id']}-no-{name}"})

    def advice_by_id(chosen: list[dict], name: str) -> dict[str, tuple]:
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump({"awards": awards, "lines": chosen}), encoding="utf-8")
        result = run_check(CheckRequest([str(path)]))
        ids = dict(result.table.select(SEQ, "line_id").iter_rows())
        # (what is left of an award depends on the other lines' spending, by design)
        return {ids[seq]: tuple(replace(a, left=None) for a in advice)
                for seq, advice in result.advice.items()}

    together = advice_by_id(lines, "all")
    assert len(together) > len(planted)  # the planted lines and their variants are refused
    # A blank the packs' rules do not mind leaves the advice as it was.
    assert together["E12"]  # an existing service: the Children and Families grant's
    assert together["E12-no-description"] == together["E12-no-category"] == together["E12"]
    for index, line in enumerate(lines):
        alone = advice_by_id([line], f"line{index}")
        assert together.get(line["line_id"]) == alone.get(line["line_id"]), line["line_id"]

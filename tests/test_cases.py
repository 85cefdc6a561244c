"""The worked cases in cases/ give the results their expected.yaml files state."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import REPO

CASES = REPO / "cases"


def test_rotherham_proposal_is_compliant_and_within_plan(cli):
    run = cli("check", CASES / "rotherham-2025-26" / "proposal.yaml", "--format", "json")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["total"] == {"lines": 80, "amount": "2180500.00"}
    assert report["summary"]["compliant"] == report["summary"]["total"]
    assert {c["status"] for c in report["ringfences"]} == {"compliant"}


def test_problems_proposal_finds_every_planted_problem(cli):
    expected = yaml.safe_load((CASES / "problems" / "expected.yaml").read_text())
    run = cli("check", CASES / "problems" / "proposal.yaml", "--format", "json")
    assert run.code == expected["exit"]
    report = json.loads(run.stdout)
    summary = {k: [v["lines"], v["amount"]] for k, v in report["summary"].items()}
    assert summary == expected["summary"]
    got = {line["line_id"]: [line["status"], *(f["rule"] for f in line["findings"])]
           for line in report["lines"]}
    assert got == expected["lines"]
    splits = {line["line_id"]: line["amounts"] for line in report["lines"] if "amounts" in line}
    assert splits == expected["split"]
    ringfences = [[c["grant"], c["purpose"], c["allocated"], c["spent"], c["status"]]
                  for c in report["ringfences"] if c["check"] != "plan-total"]
    assert ringfences == expected["ringfences"]


@pytest.mark.parametrize("level,code", [("non_compliant", 1), ("at_risk", 1), ("never", 0)])
def test_fail_on_sets_the_exit_code(cli, level, code):
    run = cli("check", CASES / "problems" / "proposal.yaml", "--fail-on", level)
    assert run.code == code


def test_at_risk_alone_fails_only_at_risk(cli, tmp_path):
    proposal = tmp_path / "p.yaml"
    proposal.write_text(yaml.safe_dump({
        "awards": [{"grant": "csc-prevention-2025-26", "amount": 1000}],
        "lines": [{"line_id": "A", "date": "2025-06-01", "amount": 10}]}))
    assert cli("check", proposal).code == 0
    assert cli("check", proposal, "--fail-on", "at_risk").code == 1

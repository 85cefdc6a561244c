"""The worked cases in cases/ give the results their expected.yaml files state."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import REPO

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


LEDGER = CASES / "rotherham-2025-26" / "ledger-2025-26.csv"


def test_rotherham_ledger_is_what_its_generator_makes(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "ledger.csv"
    subprocess.run([sys.executable, str(CASES / "rotherham-2025-26" / "make_ledger.py"), str(out)],
                   check=True)
    assert out.read_bytes() == LEDGER.read_bytes()


def test_rotherham_ledger_audit_finds_what_was_planted(cli):
    run = cli("check", LEDGER, "--map", CASES / "maps" / "rotherham-ledger.yaml",
              "--awards", CASES / "rotherham-2025-26" / "awards.yaml", "--format", "json")
    assert run.code == 1
    report = json.loads(run.stdout)
    rows = len(LEDGER.read_text(encoding="utf-8-sig").splitlines()) - 1
    assert report["summary"]["total"]["lines"] == rows
    rules = {line["line_id"]: {f["rule"] for f in line["findings"]} for line in report["lines"]}
    by_rule: dict[str, set[str]] = {}
    for line_id, found in rules.items():
        for rule in found:
            by_rule.setdefault(rule, set()).add(line_id)
    duplicates = {line_id for line_id in rules if line_id.endswith("D")}
    assert len(duplicates) == 6
    assert all(f"{d}" in by_rule["crossline.duplicate"] and d[:-1] in by_rule["crossline.duplicate"]
               for d in duplicates)
    northern = [line for line in report["lines"]
                if line.get("supplier") == "Northern Training Solutions Ltd"]
    assert len(northern) == 4 and {line["line_id"] for line in northern} <= by_rule[
        "crossline.split"]
    # two of the four lines share an invoice number: one invoice, not a duplicate payment
    assert all("3 invoices" in f["message"] for line in northern for f in line["findings"])
    assert len({line["reference"] for line in northern}) == 3
    assert len(by_rule["period.before-start"]) == 2 and len(by_rule["period.after-end"]) == 1
    assert len(by_rule["cost-type.capital"]) == 2
    for rule in ("excluded-cost.hospitality", "excluded-cost.fines", "excluded-cost.interest",
                 "existing-service.continuation"):
        assert len(by_rule[rule]) == 1, rule
    credits = [line for line in report["lines"] if line["amount"].startswith("-")]
    assert len(credits) == 8 and all(line["status"] == "compliant" for line in credits)

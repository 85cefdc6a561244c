"""Baselines: findings an earlier report already had pass; new ones, and worse ones, fail.

The baseline is `ringfence check mixed.yaml --format json` (tests/fixtures/ci):
three non-compliant lines, one at risk, three at-risk plan checks.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from helpers import REPO

MIXED = (REPO / "tests" / "fixtures" / "ci" / "mixed.yaml").read_text()
CAPITAL = "amount: 3000, purpose: workforce, cost_type: capital"


@pytest.fixture
def here(tmp_path, monkeypatch, cli):
    (tmp_path / "mixed.yaml").write_text(MIXED)
    monkeypatch.chdir(tmp_path)
    run = cli("check", "mixed.yaml", "--format", "json", "--output", "baseline.json",
              "--fail-on", "never")
    assert run.code == 0
    shutil.copy(tmp_path / "mixed.yaml", tmp_path / "before.yaml")
    return tmp_path


def edit(folder, old, new):
    path = folder / "mixed.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def check(cli, *args):
    run = cli("check", "mixed.yaml", "--baseline", "baseline.json", "--format", "json", *args)
    return run.code, json.loads(run.stdout)


def test_the_findings_the_baseline_has_do_not_fail(cli, here):
    assert cli("check", "mixed.yaml", "--fail-on", "at_risk").code == 1
    code, report = check(cli, "--fail-on", "at_risk")
    assert code == 0
    baselined = {(b.get("line_id") or b["purpose"], b["rule"]) for b in
                 report["baseline"]["baselined"]}
    assert baselined == {("M03", "purpose.missing"), ("M04", "cost-type.capital"),
                         ("M05", "period.before-start"), ("X,1", "purpose.not-permitted"),
                         ("family_help", "ringfence.purpose"), ("workforce", "ringfence.purpose"),
                         ("odd,purpose: 100%\nsecond line", "ringfence.purpose")}
    assert report["baseline"]["new"] == 0 and report["gate"]["baselined"] == 7
    m04 = next(line for line in report["lines"] if line["line_id"] == "M04")["findings"][0]
    assert m04["baseline"] == {"state": "unchanged",
                               "accepted": {"status": "non_compliant", "amount": "3000.00"}}


def test_a_new_finding_fails(cli, here):
    edit(here, "lines:\n", "lines:\n  - {line_id: N01, date: 2025-10-01, amount: 250, "
                           "purpose: transformation, cost_type: revenue, "
                           "category: Hospitality}\n")
    code, report = check(cli)
    assert code == 1
    n01 = next(line for line in report["lines"] if line["line_id"] == "N01")["findings"][0]
    assert n01["rule"] == "excluded-cost.hospitality" and n01["baseline"] == {"state": "new"}
    assert report["baseline"]["new"] == 1


def test_an_old_line_with_a_new_problem_fails(cli, here):
    edit(here, "amount: 10000, purpose: transformation, cost_type: revenue",
         "amount: 10000, purpose: transformation, cost_type: capital")
    code, report = check(cli)
    assert code == 1
    assert report["baseline"]["new"] == 1


def test_more_money_on_a_baselined_finding_is_new_money_in_question(cli, here):
    edit(here, CAPITAL, CAPITAL.replace("3000", "3500"))
    code, report = check(cli)
    assert code == 1
    updated, = report["baseline"]["updated"]
    assert (updated["line_id"], updated["amount"], updated["accepted"]["amount"]) == \
        ("M04", "3500.00", "3000.00")


def test_less_money_on_a_baselined_finding_still_passes(cli, here):
    edit(here, CAPITAL, CAPITAL.replace("3000", "2999.99"))
    assert check(cli)[0] == 0


def test_fixed_findings_are_reported_as_resolved(cli, here):
    edit(here, CAPITAL, CAPITAL.replace("capital", "revenue"))
    code, report = check(cli)
    assert code == 0
    assert {"line_id": "M04", "rule": "cost-type.capital"} in report["baseline"]["resolved"]


def test_a_baseline_reads_in_the_ci_formats(cli, here):
    edit(here, "lines:\n", "lines:\n  - {line_id: N01, date: 2025-10-01, amount: 250, "
                           "purpose: transformation, cost_type: capital}\n")
    args = ("mixed.yaml", "--baseline", "baseline.json")
    root = ET.fromstring(cli("check", *args, "--format", "junit").stdout)
    failed = {c.get("name") for c in root.iter("testcase") if c.find("failure") is not None}
    assert failed == {"N01"}
    m04 = next(c for c in root.iter("testcase") if c.get("name") == "M04")
    assert "baselined (accepted: non-compliant, £3,000.00 in question)" in \
        m04.findtext("system-out")
    log = json.loads(cli("check", *args, "--format", "sarif").stdout)
    states = {(r["properties"].get("line_id"), r["ruleId"]): r["baselineState"]
              for r in log["runs"][0]["results"]}
    assert states[("N01", "cost-type.capital")] == "new"
    assert states[("M04", "cost-type.capital")] == "unchanged"
    assert log["runs"][0]["invocations"][0]["exitCode"] == 1


@pytest.mark.parametrize("text,message", [
    ("not json", "not a JSON report"),
    ('{"summary": {}}', "missing required key 'lines'"),
    ('{"lines": [{"line_id": "A", "amount": "12.345", "findings": []}]}',
     "fractions of a penny"),
])
def test_a_bad_baseline_is_one_line_and_exit_2(cli, here, text, message):
    (here / "bad.json").write_text(text)
    run = cli("check", "mixed.yaml", "--baseline", "bad.json")
    assert run.code == 2 and run.stderr.count("\n") == 1
    assert run.stderr.startswith("ringfence: bad.json") and message in run.stderr

"""`ringfence diff BASE HEAD` as a CI gate, on a real git repository with several commits.

The first commit is tests/fixtures/ci/budget.yaml: four compliant lines,
£56,300 of a £60,000 award, every purpose within 10% of plan. Each test
commits changes to it and runs `ringfence diff HEAD~1:budget.yaml budget.yaml`
(or another pair) in the repository, as a pull-request job would.
"""

from __future__ import annotations

import json

import pytest
from gitrepo import GitRepo
from helpers import REPO

BUDGET = (REPO / "tests" / "fixtures" / "ci" / "budget.yaml").read_text()
DIFF = ("diff", "HEAD~1:budget.yaml", "budget.yaml")


def line(line_id, amount, purpose="workforce", cost_type="revenue", date="2025-09-01",
         description="New spend"):
    purpose_part = f" purpose: {purpose}," if purpose else ""
    return (f"  - {{line_id: {line_id}, date: {date}, amount: {amount},{purpose_part} "
            f"cost_type: {cost_type}, description: {description}}}\n")


@pytest.fixture
def repo(tmp_path):
    repo = GitRepo(tmp_path)
    repo.commit("budget.yaml", BUDGET, "Budget as approved")
    return repo


def commit(repo, text, message="Change"):
    repo.commit("budget.yaml", text, message)


def diff_json(repo, *args):
    run = repo.ringfence(*DIFF, "--format", "json", *args)
    assert run.stderr == ""
    return run.returncode, json.loads(run.stdout)


def test_a_compliant_addition_passes_and_shows_the_ringfence_totals(repo):
    commit(repo, BUDGET + line("B05", 1000))
    code, report = diff_json(repo)
    assert code == 0 and report["fails"] is False
    assert [c["line_id"] for c in report["lines"]["added"]] == ["B05"]
    assert report["lines"]["unchanged"] == 4
    award = next(c for c in report["ringfences"] if c["check"] == "award")
    assert (award["before"]["spent"], award["after"]["spent"], award["spent_change"]) == \
        ("56300.00", "57300.00", "1000.00")
    workforce = next(c for c in report["ringfences"] if c["purpose"] == "workforce")
    assert (workforce["before"]["spent"], workforce["after"]["spent"]) == ("8500.00", "9500.00")
    assert report["head"]["summary"]["total"] == {"lines": 5, "amount": "57300.00"}


def test_a_non_compliant_addition_fails_the_gate(repo):
    commit(repo, BUDGET + line("B05", 1000, cost_type="capital", description="Laptops"))
    run = repo.ringfence(*DIFF)
    assert run.returncode == 1
    assert "line B05: added non-compliant (£1,000.00)" in run.stdout
    assert "cost-type.capital" in run.stdout


@pytest.mark.parametrize("fail_on,code", [("non_compliant", 0), ("at_risk", 1), ("never", 0)])
def test_an_at_risk_addition_fails_only_at_fail_on_at_risk(repo, fail_on, code):
    commit(repo, BUDGET + line("B05", 500, purpose=None, description="Unallocated"))
    assert repo.ringfence(*DIFF, "--fail-on", fail_on).returncode == code


def test_worsening_a_line_fails_and_names_the_fields_and_transition(repo):
    commit(repo, BUDGET.replace("amount: 8500, purpose: workforce, cost_type: revenue",
                                "amount: 8500, purpose: workforce, cost_type: capital"))
    code, report = diff_json(repo)
    assert code == 1
    changed, = report["lines"]["changed"]
    assert changed["line_id"] == "B03"
    assert changed["fields"] == [{"field": "cost_type", "old": "revenue", "new": "capital"}]
    assert changed["status"] == {"before": "compliant", "after": "non_compliant"}
    assert changed["findings"]["added"] == ["cost-type.capital"]
    assert report["transitions"] == [{"line_id": "B03", "from": "compliant",
                                      "to": "non_compliant"}]
    assert report["failures"] == ["line B03: compliant -> non-compliant"]


def test_removing_a_line_passes_and_is_listed(repo):
    commit(repo, BUDGET + line("B05", 500, cost_type="capital"), "capital line")
    commit(repo, BUDGET, "capital line taken out")
    code, report = diff_json(repo)
    assert code == 0
    removed, = report["lines"]["removed"]
    assert removed["line_id"] == "B05" and removed["where"]["before"] == "HEAD~1:budget.yaml:14"
    assert report["transitions"] == [{"line_id": "B05", "from": "non_compliant", "to": None}]


def test_removing_a_purpose_s_only_line_worsens_its_plan_check(repo):
    commit(repo, "".join(text + "\n" for text in BUDGET.splitlines() if "B04" not in text))
    code, report = diff_json(repo)
    assert code == 1
    assert report["failures"] == ["csc-prevention-2025-26 purpose voice: compliant -> at-risk"]


def test_pushing_spend_beyond_the_award_fails_on_the_lines_it_affects(repo):
    # B02 grows by £5,000: in date order B04 (August) is the line that crosses the award.
    commit(repo, BUDGET.replace("amount: 28000", "amount: 33000"))
    code, report = diff_json(repo)
    assert code == 1
    assert [c["line_id"] for c in report["lines"]["changed"]] == ["B02"]
    affected, = report["lines"]["affected"]
    assert affected["line_id"] == "B04" and affected["fields"] == []
    assert affected["findings"]["added"] == ["ringfence.over-award"]
    award = next(c for c in report["ringfences"] if c["check"] == "award")
    assert award["fails"] == "compliant -> non-compliant"
    assert award["after"]["spent"] == "61300.00"


def test_more_money_on_a_non_compliant_line_is_worse(repo):
    capital = BUDGET + line("B05", 1000, cost_type="capital")
    commit(repo, capital, "capital line")
    commit(repo, capital.replace("amount: 1000, purpose: workforce, cost_type: capital",
                                 "amount: 2500, purpose: workforce, cost_type: capital"))
    run = repo.ringfence(*DIFF)
    assert run.returncode == 1 and "£1,500.00 more non-compliant spend" in run.stdout


def test_a_non_compliant_line_that_does_not_get_worse_passes(repo):
    capital = BUDGET + line("B05", 1000, cost_type="capital")
    commit(repo, capital, "capital line")
    commit(repo, capital.replace("description: New spend", "description: Laptops (3)")
           .replace("amount: 1000, purpose: workforce, cost_type: capital",
                    "amount: 900, purpose: workforce, cost_type: capital"))
    code, report = diff_json(repo)
    assert code == 0
    changed, = report["lines"]["changed"]
    assert {f["field"] for f in changed["fields"]} == {"amount", "description"}


def test_a_ringfence_check_that_worsens_fails_whatever_the_level(repo):
    # Moving £6,000 from family help to transformation takes both beyond the plan's tolerance.
    commit(repo, BUDGET.replace("amount: 17000", "amount: 23000")
           .replace("amount: 28000", "amount: 22000"))
    code, report = diff_json(repo)
    assert code == 1
    assert all(c["status"]["after"] == "compliant" for c in report["lines"]["changed"])
    assert sorted(f for f in report["failures"]) == [
        "csc-prevention-2025-26 purpose family_help: compliant -> at-risk",
        "csc-prevention-2025-26 purpose transformation: compliant -> at-risk"]
    assert repo.ringfence(*DIFF, "--fail-on", "never").returncode == 0


def test_any_two_revisions_compare(repo):
    commit(repo, BUDGET + line("B05", 1000, cost_type="capital"), "bad")
    commit(repo, BUDGET + line("B05", 1000), "fixed")
    assert repo.ringfence("diff", "HEAD~2:budget.yaml", "HEAD~1:budget.yaml").returncode == 1
    assert repo.ringfence("diff", "HEAD~1:budget.yaml", "HEAD:budget.yaml").returncode == 0
    assert repo.ringfence("diff", "HEAD~2:budget.yaml", "budget.yaml").returncode == 0


def test_markdown_is_a_pull_request_comment(repo):
    commit(repo, BUDGET + line("B05", 1000, cost_type="capital", description="Laptops"))
    run = repo.ringfence(*DIFF, "--format", "md")
    assert run.returncode == 1
    text = run.stdout
    assert text.startswith("## ringfence diff: `HEAD~1:budget.yaml` → `budget.yaml`")
    assert "❌ **Gate fails** at `--fail-on non_compliant`" in text
    assert "| B05 | added | budget.yaml:14 | £1,000.00 | — → ❌ non-compliant |" in text
    assert "| csc-prevention-2025-26 | award | £60,000.00 | £56,300.00 | £57,300.00 | " \
           "+£1,000.00 |" in text


@pytest.mark.parametrize("base,message", [
    ("no-such-rev:budget.yaml", "cannot read 'budget.yaml' at 'no-such-rev' from git"),
    ("HEAD:missing.yaml", "cannot read 'missing.yaml' at 'HEAD' from git"),
    ("missing.yaml", "missing.yaml: cannot read file"),
])
def test_a_bad_side_is_one_line_and_exit_2(repo, base, message):
    run = repo.ringfence("diff", base, "budget.yaml")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and message in run.stderr
    assert "Traceback" not in run.stderr


def test_an_error_in_a_git_side_names_that_side(repo):
    commit(repo, BUDGET.replace("amount: 8500", "amount: 85.001"), "typo")
    commit(repo, BUDGET, "fixed")
    run = repo.ringfence("diff", "HEAD~1:budget.yaml", "budget.yaml")
    assert run.returncode == 2
    assert run.stderr.startswith("ringfence: HEAD~1:budget.yaml:12:")
    assert "fractions of a penny" in run.stderr


def test_ledgers_diff_too_with_their_awards(repo):
    awards = "awards:\n  - grant: csc-prevention-2025-26\n    amount: 10000\n"
    header = "line_id,date,amount,purpose,cost_type,description\n"
    rows = ("L1,2025-05-01,4000,family_help,revenue,Navigator\n"
            "L2,2025-06-01,3000,voice,revenue,Forum\n")
    repo.commit("awards.yaml", awards, "awards")
    repo.commit("ledger.csv", header + rows, "ledger")
    repo.commit("ledger.csv", header + rows + "L3,2025-07-01,500,family_help,capital,Car\n",
                "more")
    run = repo.ringfence("diff", "HEAD~1:ledger.csv", "ledger.csv", "--awards", "awards.yaml",
                         "--format", "json")
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert [c["line_id"] for c in report["lines"]["added"]] == ["L3"]
    assert report["lines"]["added"][0]["where"]["after"] == "ledger.csv:4"

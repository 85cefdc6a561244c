"""One proposal or ledger charged to three grants: each line is checked against its own pack.

cases/three-grants-2025-26 holds the prevention grant (31/7833), the
transformation grant (31/7969) and the Children and Families Grant (31/7834).
The same existing team is non-compliant on the first and expected on the last.
"""

from __future__ import annotations

import json

from helpers import REPO

CASE = REPO / "cases" / "three-grants-2025-26"
CSC, FFPP, CFG = ("csc-prevention-2025-26", "ffpp-transformation-2025-26",
                  "children-families-2025-26")

EXPECTED = {
    "T01": (CSC, "compliant", []),
    "T02": (CSC, "non_compliant", ["existing-service.continuation"]),
    "T03": (CFG, "compliant", []),
    "T04": (CFG, "compliant", []),
    "T05": (CFG, "compliant", []),
    "T06": (CFG, "compliant", []),
    "T07": (CFG, "non_compliant", ["purpose.not-permitted"]),
    "T08": (CSC, "non_compliant", ["purpose.not-permitted"]),
    "T09": (FFPP, "compliant", []),
    "T10": (CFG, "non_compliant", ["cost-type.capital"]),
}


def report(cli, *args) -> dict:
    run = cli("check", *args, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def test_each_line_of_a_proposal_is_checked_against_its_own_grant(cli):
    lines = report(cli, CASE / "proposal.yaml")["lines"]
    assert {line["line_id"]: (line["grant"], line["status"], [f["rule"] for f in line["findings"]])
            for line in lines} == EXPECTED


def test_an_existing_service_is_flagged_on_the_prevention_grant_only(cli):
    lines = {line["line_id"]: line for line in report(cli, CASE / "proposal.yaml")["lines"]}
    assert lines["T02"]["existing_service"] is lines["T03"]["existing_service"] is True
    (finding,) = lines["T02"]["findings"]
    assert "Children and Families Grant (31/7834)" in finding["message"]
    assert lines["T03"]["findings"] == []


def test_each_award_is_totalled_on_its_own_lines(cli):
    checks = report(cli, CASE / "proposal.yaml")["ringfences"]
    spent = {c["grant"]: c["spent"] for c in checks if c["check"] == "award"}
    assert spent == {CSC: "79000.00", FFPP: "18000.00", CFG: "80000.00"}


def test_a_ledger_with_a_grant_column_and_three_awards(cli):
    args = [CASE / "ledger.csv", "--awards", CASE / "awards.yaml", "--map",
            CASE / "ledger-map.yaml"]
    # L007 names no grant: with three awards it cannot be placed, so the check stops...
    stopped = cli("check", *args)
    assert stopped.code == 2
    assert "line 'L007' names no grant and the input has 3 awards" in stopped.stderr
    # ...or, asked to, checks the rest and lists it as rejected
    data = report(cli, *args, "--skip-bad-rows")
    got = {line["line_id"]: (line["grant"], line["status"]) for line in data["lines"]}
    assert got == {"L001": (CSC, "compliant"), "L002": (CSC, "non_compliant"),
                   "L003": (CFG, "compliant"), "L004": (CFG, "compliant"),
                   "L005": (CFG, "non_compliant"), "L006": (FFPP, "compliant")}
    assert [r["raw"]["line_id"] for r in data["rejected"]] == ["L007"]

"""Waivers silence exactly the findings they name, until they expire; stale ones are reported.

tests/fixtures/ci/waivers.yaml, judged on 2025-10-01, waives M04's capital
finding and the family_help plan check; M03's waiver expired on 2025-09-30;
the waiver for M99 matches nothing.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from waiverkit import TODAY, repo_adding_a_capital_line, waiver, write_waivers


def check_json(cli, *args):
    run = cli("check", "mixed.yaml", "--format", "json", *args)
    return run, json.loads(run.stdout)


def findings(report):
    return {(line["line_id"], f["rule"]): f for line in report["lines"] for f in line["findings"]}


def test_a_waiver_marks_exactly_the_finding_it_names(cli, here):
    _, report = check_json(cli, "--waivers", "waivers.yaml", *TODAY)
    by_key = findings(report)
    waived = {key for key, f in by_key.items() if "waiver" in f}
    assert waived == {("M04", "cost-type.capital")}
    assert by_key[("M04", "cost-type.capital")]["waiver"]["reference"] == "DEC-2025-114"
    assert by_key[("M04", "cost-type.capital")]["waiver"]["approved_by"].startswith("Jane Smith")
    checks = {c["purpose"]: c for c in report["ringfences"]}
    assert checks["family_help"]["waiver"]["reference"] == "CAB-2025-07"
    assert "waiver" not in checks["workforce"]


def test_waivers_report_applied_expired_and_stale(cli, here):
    _, report = check_json(cli, "--waivers", "waivers.yaml", *TODAY)
    buckets = {name: [w["reference"] for w in items] for name, items in report["waivers"].items()}
    assert buckets == {"applied": ["DEC-2025-114", "CAB-2025-07"], "expired": ["EH-2025-09"],
                       "stale": ["DEC-2025-099"]}
    assert findings(report)[("M03", "purpose.missing")]["expired_waiver"]["expires"] == \
        "2025-09-30"
    assert report["gate"] == {"fail_on": "non_compliant", "fails": True, "today": "2025-10-01",
                              "waived": 2, "baselined": 0}


def test_a_waiver_holds_on_its_expiry_day_and_not_after(cli, here):
    w = write_waivers(here, *(waiver(line_id, rule, expires="2025-10-01") for line_id, rule in (
        ("M04", "cost-type.capital"), ("M05", "period.before-start"),
        ("X,1", "purpose.not-permitted"))))
    on_the_day = cli("check", "mixed.yaml", "--waivers", w, "--today", "2025-10-01")
    day_after = cli("check", "mixed.yaml", "--format", "json", "--waivers", w,
                    "--today", "2025-10-02")
    assert on_the_day.code == 0
    assert day_after.code == 1
    assert len(json.loads(day_after.stdout)["waivers"]["expired"]) == 3


def test_today_can_come_from_the_environment(cli, here, monkeypatch):
    w = write_waivers(here, waiver("M04", "cost-type.capital", expires="2025-10-01"),
                      waiver("M05", "period.before-start", expires="2025-10-01"),
                      waiver("X,1", "purpose.not-permitted", expires="2025-10-01"))
    monkeypatch.setenv("RINGFENCE_TODAY", "2025-10-01")
    assert cli("check", "mixed.yaml", "--waivers", w).code == 0
    monkeypatch.setenv("RINGFENCE_TODAY", "02/10/2025")
    assert cli("check", "mixed.yaml", "--waivers", w).code == 1


def test_a_waiver_for_another_rule_silences_nothing(cli, here):
    w = write_waivers(here, waiver("M04", "purpose.missing"),
                      waiver("M05", "period.before-start"),
                      waiver("X,1", "purpose.not-permitted"))
    run, report = check_json(cli, "--waivers", w, *TODAY)
    assert run.code == 1  # M04's capital finding still counts
    assert "waiver" not in findings(report)[("M04", "cost-type.capital")]
    assert [x["line_id"] for x in report["waivers"]["stale"]] == ["M04"]


def test_waived_findings_do_not_count_toward_fail_on(cli, here):
    w = write_waivers(here, waiver("M04", "cost-type.capital"),
                      waiver("M05", "period.before-start"),
                      waiver("X,1", "purpose.not-permitted"))
    assert cli("check", "mixed.yaml", *TODAY).code == 1
    assert cli("check", "mixed.yaml", "--waivers", w, *TODAY).code == 0
    # At risk still counts at --fail-on at_risk: M03 and three plan checks are not waived.
    assert cli("check", "mixed.yaml", "--waivers", w, *TODAY, "--fail-on", "at_risk").code == 1


def test_no_waivers_shows_and_counts_everything(cli, here):
    w = write_waivers(here, waiver("M04", "cost-type.capital"),
                      waiver("M05", "period.before-start"),
                      waiver("X,1", "purpose.not-permitted"))
    run, report = check_json(cli, "--waivers", w, "--no-waivers", *TODAY)
    assert run.code == 1
    assert not any("waiver" in f for f in findings(report).values())
    assert "waivers" not in report
    assert report["evidence"]["waivers"]["ignored"] is True


def test_waivers_show_in_every_ci_format(cli, here):
    args = ("mixed.yaml", "--waivers", "waivers.yaml", *TODAY)
    root = ET.fromstring(cli("check", *args, "--format", "junit").stdout)
    m04 = next(c for c in root.iter("testcase") if c.get("name") == "M04")
    assert m04.find("failure") is None
    assert "waived by Jane Smith" in m04.findtext("system-out")
    m03 = next(c for c in root.iter("testcase") if c.get("name") == "M03")
    assert "expired on 2025-09-30" in m03.findtext("system-out")

    log = json.loads(cli("check", *args, "--format", "sarif").stdout)
    suppressed = [(r["properties"].get("line_id") or r["properties"].get("purpose"),
                   r["suppressions"]) for r in log["runs"][0]["results"] if "suppressions" in r]
    assert [who for who, _ in suppressed] == ["M04", "family_help"]
    assert suppressed[0][1][0]["kind"] == "external"
    assert suppressed[0][1][0]["justification"].startswith("Laptops reclassified")
    assert suppressed[0][1][0]["properties"]["reference"] == "DEC-2025-114"

    github = cli("check", *args, "--format", "github").stdout.splitlines()
    m04_line = next(line for line in github if "title=M04%3A cost-type.capital" in line)
    assert m04_line.startswith("::notice ") and "waived by Jane Smith" in m04_line

    table = cli("check", *args).stdout
    assert "waived by Jane Smith" in table and "STALE, matches nothing" in table
    md = cli("check", *args, "--format", "md").stdout
    assert "## Gate" in md and "expired on 2025-09-30" in md


@pytest.mark.parametrize("entry,message", [
    ({"line_id": "M04", "rule": "cost-type.capital", "reason": "r", "reference": "x",
      "expires": "2026-03-31"}, "missing required key 'approved_by'"),
    ({**waiver("M04", "cost-type.capital"), "expires": "2026-02-30"}, "expires"),
    ({**waiver("M04", "ringfence.purpose")}, "ringfence check"),
])
def test_a_bad_waiver_is_one_line_naming_file_and_line(cli, here, entry, message):
    path = write_waivers(here, waiver("M05", "period.before-start"), entry)
    run = cli("check", "mixed.yaml", "--waivers", path)
    assert run.code == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and message in run.stderr
    assert run.stderr.startswith(f"ringfence: {path}:")


def test_two_waivers_for_one_finding_are_refused(cli, here):
    path = write_waivers(here, waiver("M04", "cost-type.capital"),
                         waiver("M04", "cost-type.capital", expires="2027-01-01"))
    run = cli("check", "mixed.yaml", "--waivers", path)
    assert run.code == 2 and "waived twice" in run.stderr


def test_waivers_apply_to_diff(tmp_path):
    """HEAD adds a capital line: the gate fails, unless a waiver names it."""
    repo = repo_adding_a_capital_line(tmp_path)
    w = write_waivers(tmp_path, waiver("B05", "cost-type.capital"))
    diff = ("diff", "HEAD:budget.yaml", "budget.yaml", *TODAY)
    assert repo.ringfence(*diff).returncode == 1
    waived = repo.ringfence(*diff, "--waivers", w, "--format", "json")
    assert waived.returncode == 0, waived.stdout
    assert json.loads(waived.stdout)["waivers"]["applied"][0]["line_id"] == "B05"
    assert repo.ringfence(*diff, "--waivers", w, "--no-waivers").returncode == 1

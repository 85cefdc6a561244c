"""Every format says which waivers are stale or expired, and marks waived findings as waived.

tests/fixtures/ci/waivers.yaml, judged on 2025-10-01 against mixed.yaml: M04's
capital finding is waived (DEC-2025-114), M03's waiver expired on 2025-09-30
(EH-2025-09) and the waiver for M99 (DEC-2025-099) matches nothing.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from helpers import REPO
from waiverkit import TODAY, repo_adding_a_capital_line, waiver, write_waivers

SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json"


def check(cli, fmt):
    run = cli("check", "mixed.yaml", "--waivers", "waivers.yaml", *TODAY, "--format", fmt)
    assert run.code == 1, run.stderr
    return run.stdout


@pytest.mark.usefixtures("here")
def test_github_reports_stale_and_expired_waivers_at_their_line(cli):
    commands = check(cli, "github").splitlines()
    stale = [c for c in commands if "DEC-2025-099" in c]
    assert len(stale) == 1 and stale[0].startswith("::warning file=waivers.yaml,line=")
    assert "stale" in stale[0] and "M99" in stale[0]
    expired = [c for c in commands if c.startswith("::warning file=waivers.yaml")
               and "EH-2025-09" in c]
    assert len(expired) == 1 and "expired" in expired[0]
    assert all(c.startswith("::") for c in commands)


@pytest.mark.usefixtures("here")
def test_junit_reports_stale_and_expired_waivers(cli):
    root = ET.fromstring(check(cli, "junit"))
    properties = {(p.get("name"), p.get("value")) for p in root.iter("property")}
    stale = [v for name, v in properties if name == "waiver.stale"]
    expired = [v for name, v in properties if name == "waiver.expired"]
    assert len(stale) == 1 and "M99" in stale[0] and "DEC-2025-099" in stale[0]
    assert len(expired) == 1 and "M03" in expired[0] and "EH-2025-09" in expired[0]
    # One test case per line and per ringfence check: waivers add none.
    assert len(list(root.iter("testcase"))) == 6 + 6


@pytest.mark.usefixtures("here")
def test_sarif_reports_stale_and_expired_waivers_as_notifications(cli):
    log = json.loads(check(cli, "sarif"))
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text()),
                               format_checker=jsonschema.FormatChecker()).validate(log)
    notes = log["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    by_id = {}
    for note in notes:
        by_id.setdefault(note["descriptor"]["id"], []).append(note)
    assert [n["message"]["text"] for n in by_id["waiver.stale"]][0].count("M99") == 1
    assert "EH-2025-09" in by_id["waiver.expired"][0]["message"]["text"]
    where = by_id["waiver.stale"][0]["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "waivers.yaml"
    assert where["region"]["startLine"] > 1


@pytest.mark.usefixtures("here")
def test_html_marks_waived_findings_and_lists_stale_waivers(cli):
    page = check(cli, "html")
    assert "waived by Jane Smith" in page and "DEC-2025-114" in page
    assert "expired on 2025-09-30" in page
    assert "STALE, matches nothing" in page and "DEC-2025-099" in page


def test_diff_marks_waived_findings_in_every_format(tmp_path):
    """HEAD adds a waived capital line: every diff format says it is waived and by whom."""
    repo = repo_adding_a_capital_line(tmp_path)
    w = write_waivers(tmp_path, waiver("B05", "cost-type.capital"))
    diff = ("diff", "HEAD:budget.yaml", "budget.yaml", "--waivers", w, *TODAY)
    for fmt in ("text", "md"):
        run = repo.ringfence(*diff, "--format", fmt)
        assert run.returncode == 0, run.stdout + run.stderr
        shown = run.stdout.replace("\\(", "(").replace("\\)", ")")  # Markdown escapes
        assert "waived by S151 officer (REF-B05)" in shown, fmt
    report = json.loads(repo.ringfence(*diff, "--format", "json").stdout)
    added = report["lines"]["added"][0]
    finding = added["findings"]["after"][0]
    assert finding["rule"] == "cost-type.capital"
    assert finding["waiver"]["reference"] == "REF-B05"

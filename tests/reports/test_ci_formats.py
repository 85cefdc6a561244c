"""CI formats of `check`: JUnit XML, SARIF 2.1.0 and GitHub workflow commands.

tests/fixtures/ci/mixed.yaml has two compliant lines, one at risk (M03), three
non-compliant (M04, M05, "X,1") and six ringfence checks, three of them at
risk (family_help and workforce off plan, and a purpose the plan lacks).
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "ci"
SARIF_SCHEMA = REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json"
NON_COMPLIANT = {"M04", "M05", "X,1"}
AT_RISK_CHECKS = {"ringfence purpose family_help", "ringfence purpose workforce",
                  "ringfence purpose odd,purpose: 100%\nsecond line"}
COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    """mixed.yaml in a folder of its own, which is the current directory."""
    shutil.copy(FIXTURES / "mixed.yaml", tmp_path / "mixed.yaml")
    monkeypatch.chdir(tmp_path)
    return "mixed.yaml"


def junit(cli, *args):
    run = cli("check", *args, "--format", "junit")
    return run, ET.fromstring(run.stdout)


@pytest.mark.parametrize("fail_on,failing,code", [
    ("non_compliant", NON_COMPLIANT, 1),
    ("at_risk", NON_COMPLIANT | {"M03"} | AT_RISK_CHECKS, 1),
    ("never", set(), 0),
])
def test_junit_has_a_case_per_line_and_check_failing_at_or_above_fail_on(
        cli, mixed, fail_on, failing, code):
    run, root = junit(cli, mixed, "--fail-on", fail_on)
    cases = list(root.iter("testcase"))
    assert len(cases) == 6 + 6
    assert {c.get("name") for c in cases if c.find("failure") is not None} == failing
    assert root.get("tests") == "12" and root.get("failures") == str(len(failing))
    for suite in root.iter("testsuite"):
        suite_cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(suite_cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None
                                                for c in suite_cases))
    assert run.code == code


def test_junit_keeps_findings_below_fail_on_visible_in_system_out(cli, mixed):
    _, root = junit(cli, mixed)
    m03 = next(c for c in root.iter("testcase") if c.get("name") == "M03")
    assert m03.find("failure") is None
    assert "purpose.missing [at risk]" in m03.findtext("system-out")
    assert "below --fail-on non_compliant" in m03.findtext("system-out")


def test_junit_cases_point_at_the_line_in_the_input(cli, mixed):
    _, root = junit(cli, mixed)
    m04 = next(c for c in root.iter("testcase") if c.get("name") == "M04")
    written = (FIXTURES / "mixed.yaml").read_text().splitlines()[int(m04.get("line")) - 1]
    assert m04.get("file") == "mixed.yaml" and written.startswith("  - {line_id: M04,")
    assert m04.find("failure").get("type") == "non_compliant"
    assert "cost-type.capital" in m04.find("failure").get("message")


def sarif(cli, *args):
    run = cli("check", *args, "--format", "sarif")
    return run, json.loads(run.stdout)


def test_sarif_is_valid_sarif_2_1_0(cli, mixed):
    _, log = sarif(cli, mixed)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    assert log["version"] == "2.1.0"


def test_sarif_has_one_result_per_finding_with_rule_level_and_place(cli, mixed):
    report = json.loads(cli("check", mixed, "--format", "json").stdout)
    _, log = sarif(cli, mixed)
    run = log["runs"][0]
    expected = [(line["line_id"], f["rule"], f["status"], line["row"])
                for line in report["lines"] for f in line["findings"]]
    results = [r for r in run["results"] if "line_id" in r["properties"]]
    assert [(r["properties"]["line_id"], r["ruleId"], r["properties"]["status"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results] == expected
    level = {"non_compliant": "error", "at_risk": "warning"}
    assert all(r["level"] == level[r["properties"]["status"]] for r in run["results"])
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mixed.yaml"
               for r in results)
    checks = [r for r in run["results"] if r["ruleId"] == "ringfence.purpose"]
    assert len(checks) == 3 and all(r["level"] == "warning" for r in checks)


def test_sarif_describes_every_rule_it_uses_once(cli, mixed):
    _, log = sarif(cli, mixed)
    driver = log["runs"][0]["tool"]["driver"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for result in log["runs"][0]["results"]:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["shortDescription"]["text"] and "Clause:" in rule["help"]["text"]
    capital = driver["rules"][ids.index("cost-type.capital")]
    assert capital["defaultConfiguration"]["level"] == "error"
    assert "31/7833 para 1" in capital["properties"]["clause"]
    missing = driver["rules"][ids.index("purpose.missing")]
    assert missing["defaultConfiguration"]["level"] == "warning"


def github(cli, *args):
    run = cli("check", *args, "--format", "github")
    commands = []
    for line in run.stdout.splitlines():
        match = COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        name, props, message = match.groups()
        properties = dict(p.split("=", 1) for p in props.split(",")) if props else {}
        commands.append((name, {k: unescape(v) for k, v in properties.items()},
                         unescape(message)))
    return run, commands


def unescape(text: str) -> str:
    for code, char in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_annotates_errors_and_warnings_on_their_lines(cli, mixed):
    run, commands = github(cli, mixed)
    errors = [(p["title"].split(":")[0], p["line"]) for name, p, _ in commands if name == "error"]
    assert {line_id for line_id, _ in errors} == NON_COMPLIANT
    warnings = [p["title"] for name, p, _ in commands if name == "warning"]
    assert "M03: purpose.missing" in warnings
    assert sum("ringfence.purpose" in title for title in warnings) == 3
    assert commands[-1][0] == "notice" and "gate FAILS" in commands[-1][2]
    assert run.code == 1


def test_github_escapes_data_and_properties(cli, tmp_path, monkeypatch):
    # A file name with a comma and a colon, and a purpose with %, a comma, a colon and a
    # newline: each must survive the round trip, on one line per command.
    shutil.copy(FIXTURES / "mixed.yaml", tmp_path / "we,ird:name.yaml")
    monkeypatch.chdir(tmp_path)
    run, commands = github(cli, "we,ird:name.yaml")
    raw = next(line for line in run.stdout.splitlines() if "X%2C1" in line)
    assert raw.startswith("::error file=we%2Cird%3Aname.yaml,line=19,title=X%2C1%3A ")
    name, props, message = next(c for c in commands if c[1].get("title", "").startswith("X,1"))
    assert props == {"file": "we,ird:name.yaml", "line": "19",
                     "title": "X,1: purpose.not-permitted"}
    assert "purpose 'odd,purpose: 100%\nsecond line' is not one" in message


def test_github_appends_a_job_summary_when_asked(cli, mixed, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli("check", mixed, "--format", "github")
    text = summary.read_text()
    assert text.startswith("# earlier step\n")
    assert "**Gate fails** at `--fail-on non_compliant`" in text
    assert "| M04 | mixed.yaml:17 | £3,000.00 | **non-compliant** | `cost-type.capital` |" in text


def test_no_job_summary_without_the_variable(cli, mixed, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    run, _ = github(cli, mixed)
    assert list(tmp_path.iterdir()) == [tmp_path / "mixed.yaml"] and run.code == 1

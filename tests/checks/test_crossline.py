"""Cross-line checks, as the YAML cases in tests/cases/crossline/ specify.

Each case gives lines (and optionally the council's `checks` and `awards`) and
the cross-line rules expected on each line. Every cross-line finding is at
risk and names each related line by id and file:row.
"""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import TEST_CASES
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.engine.checks.crossline import cross_line_findings
from ringfence.engine.models.awards import CrossLineChecks
from ringfence.engine.models.table import concat, from_lines

CASE_DIR = TEST_CASES / "crossline"
CASES = [case for file in sorted(CASE_DIR.glob("*.yaml"))
         for case in yaml.safe_load(file.read_text())]
DEFAULTS = {"purpose": "family_help", "cost_type": "revenue"}
AWARDS = [{"grant": "csc-prevention-2025-26", "amount": 10**9}]


def case_lines(case) -> list[dict]:
    lines = [{**DEFAULTS, **line} for line in case["lines"]]
    if "long_supplier" in case:
        lines = [{"supplier": "Ｌ" * case["long_supplier"] + " Ltd", **line} for line in lines]
    return lines


def run(cli, tmp_path, case) -> dict:
    proposal = {"awards": case.get("awards", AWARDS), "lines": case_lines(case)}
    if case.get("checks"):
        proposal["checks"] = case["checks"]
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(proposal, allow_unicode=True), encoding="utf-8")
    result = cli("check", path, "--format", "json", "--fail-on", "never")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def cross_rules(report) -> dict[str, list[str]]:
    return {line["line_id"]: [f["rule"] for f in line["findings"]
                              if f["rule"].startswith("crossline")]
            for line in report["lines"]}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_cross_line_case(case, cli, tmp_path):
    report = run(cli, tmp_path, case)
    flagged = cross_rules(report)
    assert flagged == case["expect"]
    for line in report["lines"]:
        for finding in line["findings"]:
            if not finding["rule"].startswith("crossline"):
                continue
            assert finding["status"] == "at_risk"
            assert finding["clause"]
            related = [other for other in report["lines"] if other["line_id"] != line["line_id"]
                       and finding["rule"] in flagged[other["line_id"]]]
            assert any(f"{o['line_id']} ({o['source']}:{o['row']})" in finding["message"]
                       for o in related), finding["message"]
        if flagged[line["line_id"]] and line["status"] != "non_compliant":
            assert line["status"] == "at_risk"
    at_risk = {case["id"] for case in report.get("cases", []) if case["status"] == "at_risk"}
    named = {f["case"] for line in report["lines"] for f in line["findings"] if "case" in f}
    assert named == at_risk
    cases = [{"kind": case["kind"], "strength": case["strength"],
              "lines": sorted(line["line_id"] for line in case["lines"])}
             for case in report.get("cases", [])]
    for expected in case.get("cases", []):
        assert expected in cases, cases
    if case.get("cases") == []:
        assert cases == []


def test_thresholds_reach_the_evidence(cli, tmp_path):
    case = {"lines": [{"line_id": "A", "date": "2025-06-01", "amount": 1}],
            "checks": {"split_threshold": 1000, "split_window_days": 7}}
    evidence = run(cli, tmp_path, case)["evidence"]
    assert evidence["checks"] == {**CrossLineChecks().evidence(),
                                  "split_thresholds": ["1000.00"], "split_window_days": 7}


def flagged_lines(lines: list[dict]) -> set[tuple[str, str]]:
    """(line_id, rule) for each cross-line finding, straight from the engine."""
    from ringfence.engine.models.lines import Line

    models = [Line.model_validate(line) for line in lines]
    table = concat([from_lines(models, "p.yaml", range(1, len(models) + 1))])
    found = cross_line_findings(table, CrossLineChecks())
    ids = table.select("_seq", "line_id")
    return set(found.join(ids, on="_seq").select("line_id", "rule").iter_rows())


ALL_LINES = [{**line, "line_id": f"{i}-{line['line_id']}"}
             for i, line in enumerate(line for case in CASES if "checks" not in case
                                      for line in case_lines(case))]


@settings(max_examples=40, deadline=None)
@given(st.permutations(ALL_LINES))
def test_input_order_does_not_change_what_is_flagged(shuffled):
    assert flagged_lines(shuffled) == flagged_lines(ALL_LINES)


def test_a_clean_ledger_of_distinct_payments_is_not_flagged():
    lines = [{"line_id": f"L{i}", "date": f"2025-06-{1 + i % 28:02d}", "amount": 100 + i,
              "supplier": f"Supplier {i}", "reference": f"INV-{i}"} for i in range(200)]
    assert flagged_lines(lines) == set()

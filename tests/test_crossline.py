"""Cross-line checks, as the YAML cases in tests/cases/crossline/ specify."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

CASE_DIR = Path(__file__).parent / "cases" / "crossline"
CASES = [case for file in sorted(CASE_DIR.glob("*.yaml")) for case in yaml.safe_load(file.read_text())]
DEFAULTS = {"purpose": "family_help", "cost_type": "revenue"}


def run(cli, tmp_path, lines, checks=None) -> dict:
    proposal = {"awards": [{"grant": "csc-prevention-2025-26", "amount": 10**9}],
                "lines": [{**DEFAULTS, **line} for line in lines]}
    if checks:
        proposal["checks"] = checks
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(proposal, allow_unicode=True))
    result = cli("check", path, "--format", "json", "--fail-on", "never")
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def cross_rules(report) -> dict[str, list[str]]:
    return {line["line_id"]: [f["rule"] for f in line["findings"] if f["rule"].startswith("crossline")]
            for line in report["lines"]}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_cross_line_case(case, cli, tmp_path):
    report = run(cli, tmp_path, case["lines"], case.get("checks"))
    assert cross_rules(report) == case["expect"]
    for line in report["lines"]:
        for finding in line["findings"]:
            if finding["rule"].startswith("crossline"):
                assert finding["status"] == "at_risk"
                others = [l["line_id"] for l in report["lines"] if l["line_id"] != line["line_id"]
                          and finding["rule"] in cross_rules(report)[l["line_id"]]]
                assert any(f"{other} (" in finding["message"] for other in others)
        if any(f["rule"].startswith("crossline") for f in line["findings"]):
            assert line["status"] == "at_risk"


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_input_order_does_not_change_what_is_flagged(tmp_path_factory, rnd):
    from conftest import run_cli

    lines = [line for case in CASES for line in case["lines"]]
    lines = [{**line, "line_id": f"{i}-{line['line_id']}"} for i, line in enumerate(lines)]
    shuffled = lines[:]
    rnd.shuffle(shuffled)
    folder = tmp_path_factory.mktemp("order")
    first = cross_rules(run(run_cli, folder, lines))
    second = cross_rules(run(run_cli, folder, shuffled))
    assert first == second

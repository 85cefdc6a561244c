"""Ringfence checks, as the YAML cases in tests/cases/ringfence/ specify."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import FIXTURE_PACKS, REPO, TEST_CASES

CASE_DIR = TEST_CASES / "ringfence"
CASES = [case for file in sorted(CASE_DIR.glob("*.yaml"))
         for case in yaml.safe_load(file.read_text())]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_ringfence(case, tmp_path, cli):
    proposal = tmp_path / "proposal.yaml"
    proposal.write_text(yaml.safe_dump({"awards": case["awards"], "lines": case["lines"]}))
    rules = REPO / case["rules"] if "rules" in case else FIXTURE_PACKS
    run = cli("check", proposal, "--rules", rules, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    expect = case["expect"]
    lines = {line["line_id"]: line for line in report["lines"]}
    for line_id, wanted in expect.get("lines", {}).items():
        line = lines[line_id]
        assert line["status"] == wanted["status"], (line_id, line)
        if "amounts" in wanted:
            assert line["amounts"] == wanted["amounts"], (line_id, line)
        else:
            assert "amounts" not in line, (line_id, line)
        if "rules" in wanted:
            assert [f["rule"] for f in line["findings"]] == wanted["rules"], (line_id, line)
    for status, (count, amount) in expect.get("summary", {}).items():
        assert report["summary"][status] == {"lines": count, "amount": amount}, status
    for wanted in expect.get("ringfences", []):
        matches = [r for r in report["ringfences"]
                   if all(r.get(key) == value for key, value in wanted.items())]
        assert len(matches) == 1, (wanted, report["ringfences"])

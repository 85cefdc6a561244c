"""Invariants of every check, on generated proposals.

- the summary reconciles to the penny: the three statuses add up to the total,
  in lines and in money, and the total is every penny that came in;
- every input line appears exactly once, in input order;
- the same inputs give byte-identical output.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import yaml
from helpers import FIXTURE_PACKS, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.engine.core.money import format_plain

PURPOSES = ["a", "b", "c", None, "zzz"]

pence = st.integers(min_value=-500_000, max_value=5_000_000)
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 6, 30))


@st.composite
def proposals(draw):
    count = draw(st.integers(min_value=1, max_value=40))
    lines = []
    for index in range(count):
        line = {"line_id": f"L{index:03d}", "amount": format_plain(draw(pence))}
        if draw(st.booleans()) or index == 0:
            line["date"] = draw(days).isoformat()
        purpose = draw(st.sampled_from(PURPOSES))
        if purpose:
            line["purpose"] = purpose
        line["cost_type"] = draw(st.sampled_from(["revenue", "capital", "revenue"]))
        line["description"] = draw(st.text(max_size=30))
        lines.append(line)
    award = {"grant": "plain", "amount": format_plain(draw(st.integers(0, 20_000_000)))}
    if draw(st.booleans()):
        award["plan"] = {p: format_plain(draw(st.integers(0, 10_000_000))) for p in ("a", "b")}
    return {"council": "Property Borough", "awards": [award], "lines": lines}


def check_json(proposal: dict, folder: str | None = None) -> tuple[dict, str]:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(folder or scratch) / "proposal.yaml"
        path.write_text(yaml.safe_dump(proposal, allow_unicode=True), encoding="utf-8")
        run = run_cli("check", path, "--rules", FIXTURE_PACKS, "--format", "json",
                      "--fail-on", "never")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout), run.stdout


SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(proposals())
def test_summary_reconciles_to_the_penny(proposal):
    report, _ = check_json(proposal)
    summary = report["summary"]
    buckets = [summary[s] for s in ("compliant", "at_risk", "non_compliant")]
    assert sum(b["lines"] for b in buckets) == summary["total"]["lines"] == len(proposal["lines"])
    money_in = sum(Decimal(line["amount"]) for line in proposal["lines"])
    assert sum(Decimal(b["amount"]) for b in buckets) == Decimal(summary["total"]["amount"]) \
        == money_in
    for line in report["lines"]:
        parts = line.get("amounts", {line["status"]: line["amount"]})
        assert sum(Decimal(v) for v in parts.values()) == Decimal(line["amount"])


@SETTINGS
@given(proposals())
def test_every_input_line_appears_exactly_once_in_order(proposal):
    report, _ = check_json(proposal)
    ids_out = [line["line_id"] for line in report["lines"]]
    assert ids_out == [line["line_id"] for line in proposal["lines"]]
    assert Counter(ids_out).most_common(1)[0][1] == 1


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals())
def test_output_is_byte_identical_across_runs(proposal):
    with tempfile.TemporaryDirectory() as folder:
        _, first = check_json(proposal, folder)
        _, second = check_json(proposal, folder)
    assert first == second

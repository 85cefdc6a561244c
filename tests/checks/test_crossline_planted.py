"""Cross-line checks on real ledgers: few lines flagged, planted suspects caught.

Copies of the real ledgers in ../shared (in tmp_path, never in the repository)
get planted duplicate payments (a payment made again 0-5 days later: the row
repeated with its date moved) and split purchases (2-3 invoices to one
supplier on the same day or a few days apart, each just below a threshold,
together above it), as bench/crossline.py plants them. Each is checked
through the command line with the ledger's shipped column map and default
settings:
- at least 90% of the planted suspects are at risk by the right check (the
  duplicate's case holds the payment it repeats; every invoice of a split is
  flagged as a split);
- lines flagged at risk in cases without a plant are at most 3% of the
  ledger's lines, as without plants.
"""

from __future__ import annotations

import importlib.util
import json
import random

import pytest
from helpers import REPO, SHARED

LEDGERS = SHARED / "data" / "ledgers"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_crossline",
                                                  REPO / "bench" / "crossline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()


@pytest.mark.parametrize("name", sorted(bench.FILES))
def test_planted_suspects_are_caught_and_little_else_is(name, cli, tmp_path, shared_dir):
    planted = tmp_path / name
    plants = bench.plant(LEDGERS / name, name, random.Random(f"ringfence-17-{name}"),
                         duplicates=20, splits=10, out=planted)
    awards = tmp_path / "awards.yaml"
    awards.write_text(bench.AWARDS)
    run = cli("check", planted, "--map", REPO / "cases" / "maps" / f"{bench.FILES[name][0]}.yaml",
              "--awards", awards, "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)

    found = [bench.caught(report, kind, added, repeated) for kind, added, repeated in plants]
    assert sum(found) >= 0.9 * len(plants), [p for p, ok in zip(plants, found) if not ok]
    assert bench.unplanted_share(report, plants) <= 0.03


def test_the_real_ledgers_are_flagged_little_without_plants(cli, tmp_path, shared_dir):
    """At default settings, at most 3% of each real ledger's lines are at risk by the
    cross-line checks."""
    awards = tmp_path / "awards.yaml"
    awards.write_text(bench.AWARDS)
    for name, (map_name, *_) in sorted(bench.FILES.items()):
        report = bench.check([LEDGERS / name], map_name, awards)
        flagged = [line for line in report["lines"]
                   if any(f["rule"].startswith("crossline") for f in line["findings"])]
        assert len(flagged) <= 0.03 * len(report["lines"]), name

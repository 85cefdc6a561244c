"""Real council ledgers reconcile to the penny through their shipped column maps.

For every file in ../shared/data/ledgers the report's line count and total
equal the file's row count and the sum of its amount column, worked out here
independently with the csv module and Decimal.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from helpers import REPO, SHARED

MAPS = REPO / "cases" / "maps"
LEDGERS = SHARED / "data" / "ledgers"
FILES = {  # file -> (map, amount column)
    "calderdale-2022-04.csv": ("calderdale", "Net Amount"),
    "calderdale-2022-05.csv": ("calderdale", "Net Amount"),
    "calderdale-2022-06.csv": ("calderdale", "Net Amount"),
    "calderdale-2022-07.csv": ("calderdale", "Net Amount"),
    "calderdale-2022-08.csv": ("calderdale", "Net Amount"),
    "calderdale-2022-08-card.csv": ("calderdale", "Net Amount"),
    "manchester-2022-05.csv": ("manchester", "Net Amount"),
    "bradford-2019-09.csv": ("bradford", "Net Amount"),
    "london-2022-P13.csv": ("gla", "Amount"),
}


def independent_totals(path) -> tuple[int, Decimal]:
    raw = path.read_bytes()
    for mark in (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf"):
        raw = raw.removeprefix(mark)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    column = FILES[path.name][1]
    total = Decimal(0)
    for row in rows:
        value = row[column].strip().replace(",", "").replace("£", "")
        if value.startswith("(") and value.endswith(")"):
            value = "-" + value[1:-1]
        total += Decimal(value)
    return len(rows), total


@pytest.fixture(scope="module")
def awards(tmp_path_factory):
    path = tmp_path_factory.mktemp("awards") / "awards.yaml"
    path.write_text("awards:\n  - {grant: csc-prevention-2025-26, amount: 100000000000}\n")
    return path


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_row_and_every_penny_is_accounted_for(name, awards, cli, shared_dir):
    path = LEDGERS / name
    rows, total = independent_totals(path)
    run = cli("check", path, "--map", MAPS / f"{FILES[name][0]}.yaml", "--awards", awards,
              "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["total"] == {"lines": rows, "amount": f"{total:.2f}"}
    buckets = [report["summary"][s] for s in ("compliant", "at_risk", "non_compliant")]
    assert sum(b["lines"] for b in buckets) == rows
    assert sum(Decimal(b["amount"]) for b in buckets) == total
    assert report.get("rejected", []) == []
    assert {line["source"] for line in report["lines"]} == {str(path)}
    assert [line["row"] for line in report["lines"]] == list(range(2, rows + 2))


def test_gla_capital_marker_becomes_capital_spend(awards, cli, shared_dir):
    run = cli("check", LEDGERS / "london-2022-P13.csv", "--map", MAPS / "gla.yaml",
              "--awards", awards, "--format", "json", "--fail-on", "never")
    lines = json.loads(run.stdout)["lines"]
    capital = [line for line in lines if line.get("cost_type") == "capital"]
    assert len(capital) == 677
    assert all("cost-type.capital" in {f["rule"] for f in line["findings"]} for line in capital)
    credits = [line for line in lines if line["amount"] == "-470.60"]
    assert credits


def test_the_encodings_of_real_exports_are_read_as_their_authors_wrote(awards, cli, shared_dir):
    def lines(name, map_name):
        run = cli("check", LEDGERS / name, "--map", MAPS / f"{map_name}.yaml", "--awards",
                  awards, "--format", "json", "--fail-on", "never")
        return json.loads(run.stdout)["lines"]

    bradford = {line.get("category") for line in lines("bradford-2019-09.csv", "bradford")}
    assert {"Children\u2019s Services", "S17 \u2013Preventive Asst"} <= bradford  # cp1252
    manchester = lines("manchester-2022-05.csv", "manchester")
    assert manchester[0]["extra"]["Body Name"] == "Manchester City Council"  # no mark left

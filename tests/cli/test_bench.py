"""The bench's generated ledgers check cleanly, and its verifier catches a wrong report."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import subprocess
import sys
from decimal import Decimal

import pytest
from helpers import REPO, run_cli


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verify = _bench("verify")


@pytest.fixture(scope="module", params=["shared", "own"])
def checked(request, tmp_path_factory):
    """(ledger, report rows, report path) for a generated ledger of 3,000 lines."""
    folder = tmp_path_factory.mktemp(request.param)
    ledger = folder / "ledger.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "3000", str(ledger),
                    "--seed", "31", "--descriptions", request.param], check=True)
    report = folder / "report.csv"
    run = run_cli("check", ledger, "--awards", ledger.with_suffix(".awards.yaml"),
                  "--format", "csv", "--output", report)
    assert run.code in (0, 1), run.stderr
    with report.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return ledger, rows, report


@pytest.fixture(scope="module")
def packs():
    from ringfence.engine.packs.compiled import CompiledPack
    from ringfence.engine.packs.loading import load_packs
    return {pid: CompiledPack(loaded) for pid, loaded in load_packs().items()}


def _rewritten(rows: list[dict], path, change) -> None:
    rows = [dict(row) for row in rows]
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_every_kind_of_finding_is_generated(checked):
    _, rows, _ = checked
    statuses = {row["status"] for row in rows}
    rules = {rule.split(".")[0] for row in rows for rule, _ in verify.findings(row["findings"])}
    assert statuses == {"compliant", "at_risk", "non_compliant"}
    assert {"ringfence", "crossline"} <= rules and len(rules) >= 3


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_the_generator_breaks_rules_on_the_share_of_lines_asked(tmp_path, share):
    generate = _bench("generate")
    lines = list(generate.generate(4000, 5, problems=share))
    breaking = {description for _, description, _, _ in generate.PROBLEMS}
    found = sum(line["description"] in breaking for line in lines) / len(lines)
    assert abs(found - share) < 0.03


def test_the_report_of_a_generated_ledger_agrees_line_by_line(checked, packs):
    ledger, _, report = checked
    assert list(verify.disagreements(ledger, report, packs)) == []


def _pack_rule(part: str) -> bool:
    return any(not rule.startswith(("ringfence.", "crossline."))
               for rule, _ in verify.findings(part))


def _a_rule_finding_missing(rows):
    row = next(r for r in rows if _pack_rule(r["findings"]))
    parts = row["findings"].split(" | ")
    parts.remove(next(part for part in parts if _pack_rule(part)))
    row["findings"] = " | ".join(parts)


def _compliant_in_name_only(rows):
    next(r for r in rows if r["status"] == "at_risk")["status"] = "compliant"


def _a_penny_lost(rows):
    row = next(r for r in rows if r["status"] == "compliant")
    row["compliant_amount"] = str(Decimal(row["compliant_amount"]) - Decimal("0.01"))


def _a_line_missing(rows):
    del rows[len(rows) // 2]


@pytest.mark.parametrize("change", [_a_rule_finding_missing, _compliant_in_name_only,
                                    _a_penny_lost, _a_line_missing])
def test_the_verifier_finds_a_report_gone_wrong(checked, packs, tmp_path, change):
    ledger, rows, _ = checked
    wrong = tmp_path / "wrong.csv"
    _rewritten(rows, wrong, change)
    assert list(verify.disagreements(ledger, wrong, packs))


def _as_a_messy_export(ledger, path) -> None:
    """The ledger as finance systems export it: a byte-order mark, CRLF line ends, UK
    dates, amounts with £, thousands commas and brackets for credits, text padded with
    spaces and no-break spaces, and yes/no and revenue/capital as people type them."""
    with ledger.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        names, rows = reader.fieldnames, list(reader)
    for index, row in enumerate(rows):
        odd = index % 2 == 1
        row["date"] = dt.date.fromisoformat(row["date"]).strftime("%d/%m/%Y")
        amount = Decimal(row["amount"])
        shown = f"£{abs(amount):,.2f}"
        row["amount"] = shown if amount >= 0 else f"({shown})" if odd else f"-{shown}"
        row["supplier"] = f" {row['supplier']}\u00a0 " if odd else row["supplier"]
        row["description"] = f"  {row['description']}" if odd else row["description"]
        row["existing_service"] = {"true": "Yes", "false": "no"}.get(row["existing_service"],
                                                                     row["existing_service"])
        row["cost_type"] = row["cost_type"].upper() if odd else row["cost_type"].title()
    with path.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.DictWriter(stream, fieldnames=names, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def test_the_same_ledger_exported_messily_gets_the_same_report(checked, tmp_path):
    ledger, rows, _ = checked
    messy = tmp_path / "messy.csv"
    _as_a_messy_export(ledger, messy)
    assert messy.read_bytes() != ledger.read_bytes()
    report = tmp_path / "report.csv"
    run = run_cli("check", messy, "--awards", ledger.with_suffix(".awards.yaml"),
                  "--format", "csv", "--output", report)
    assert run.code in (0, 1), run.stderr
    with report.open(newline="", encoding="utf-8") as stream:
        messy_rows = [{name: value.replace(str(messy), str(ledger))
                       for name, value in row.items()} for row in csv.DictReader(stream)]
    assert messy_rows == rows


bench = _bench("run")


def test_the_excel_copy_of_a_generated_ledger_gets_the_same_report(checked, tmp_path):
    ledger, rows, _ = checked
    copy = tmp_path / "ledger.csv"
    copy.write_bytes(ledger.read_bytes())
    excel = bench.xlsx_ledger(copy)
    report = tmp_path / "report.csv"
    run = run_cli("check", excel, "--awards", ledger.with_suffix(".awards.yaml"),
                  "--format", "csv", "--output", report)
    assert run.code in (0, 1), run.stderr
    with report.open(newline="", encoding="utf-8") as stream:
        excel_rows = [{name: value.replace(str(excel), str(ledger))
                       for name, value in row.items()} for row in csv.DictReader(stream)]
    assert excel_rows == rows

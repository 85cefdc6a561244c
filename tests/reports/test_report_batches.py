"""Reports written a slice of lines at a time say what the line-by-line reports said.

The JSON, Markdown and HTML writers build a clean line (no finding) from the
table's columns and only the others from a LineResult. Here every report is
compared with the one built from CheckResult.lines() alone, on ledgers whose
text is as hostile as exports get (quotes, backslashes, control characters,
scripts, every script of Unicode), whose optional fields and extra columns are
blank on some lines, cut into slices small enough that every slice boundary
falls somewhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random

import pytest
from helpers import REPO
from linegen import TEXTS

from ringfence.engine.checks import result as result_module
from ringfence.engine.gate.gate import load_gate
from ringfence.engine.pipeline.check import CheckRequest, run_check
from ringfence.engine.reports import json_report
from ringfence.engine.reports.gate_report import annotate_json

AWARDS = REPO / "cases" / "rotherham-2025-26" / "awards.yaml"
HOSTILE = [text for text in TEXTS if text and text.strip()] + [
    'quote " and back\\slash', "nul-free \x01\x1f control", "</script><!--", "\u2028\u2029",
    "emoji 🧾 and CJK 領収書", "\x7f delete", "right-to-left \u202e txet"]


def _ledger(path, count: int, seed: int) -> None:
    chooser = random.Random(seed)
    blank = lambda value: value if chooser.random() < 0.7 else ""  # noqa: E731
    names = ["line_id", "date", "amount", "description", "purpose", "cost_type", "category",
             "supplier", "reference", "grant", "existing_service", "Cost centre", "note"]
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        for index in range(count):
            day = dt.date(2025, 3, 20) + dt.timedelta(days=chooser.randrange(400))
            writer.writerow([
                f"L{index:05d}", day.isoformat(),
                f"{chooser.choice([-1, 1]) * chooser.randrange(1, 900_000) / 100:.2f}",
                blank(chooser.choice(HOSTILE)),
                blank(chooser.choice(["family_help", "voice", "workforce", "transformation"])),
                blank(chooser.choice(["revenue", "revenue", "capital"])),
                blank(chooser.choice(HOSTILE)), blank(chooser.choice(HOSTILE)),
                blank(f"INV{chooser.randrange(500)}"),
                chooser.choice(["csc-prevention-2025-26", "ffpp-transformation-2025-26"]),
                blank(chooser.choice(["true", "false"])),
                blank(f"CC{chooser.randrange(9)}"), blank(chooser.choice(HOSTILE))])


def _line_by_line(result) -> str:
    """The JSON report as it was written before slices: a dict per line, json's encoder."""
    report = json_report._skeleton(result)
    report["lines"] = [json_report.line_record(line) for line in result.lines()]
    annotate_json(report, result)
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _written(result) -> str:
    stream = io.StringIO()
    json_report.write(result, stream)
    return stream.getvalue()


@pytest.fixture(scope="module", params=[1, 2])
def hostile(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "hostile.csv"
    _ledger(path, 600, request.param)
    return run_check(CheckRequest([str(path)], awards=str(AWARDS)))


@pytest.mark.parametrize("size", [1, 7, 600, 100_000])
def test_the_json_report_is_the_same_in_slices_of_any_size(hostile, monkeypatch, size):
    monkeypatch.setattr(result_module, "BATCH", size)
    assert _written(hostile) == _line_by_line(hostile)


@pytest.mark.parametrize("size, at_once", [(7, 1), (7, 20), (50, 3)])
def test_lines_with_findings_written_a_few_at_a_time_are_the_same(hostile, monkeypatch, size,
                                                                   at_once):
    monkeypatch.setattr(result_module, "BATCH", size)
    monkeypatch.setattr(json_report._Flagged, "AT_ONCE", at_once)
    assert _written(hostile) == _line_by_line(hostile)


def test_some_lines_are_clean_and_some_are_not(hostile):
    found = sum(len(batch.found) for batch in hostile.batches())
    assert 0 < found < hostile.table.height


def test_the_json_report_through_a_binary_stream_is_the_same_text(hostile):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    json_report.write(hostile, stream)
    stream.flush()
    assert raw.getvalue().decode("utf-8") == _line_by_line(hostile)


def test_a_gated_report_counts_its_waivers_across_slices(monkeypatch):
    monkeypatch.setattr(result_module, "BATCH", 2)
    fixtures = REPO / "tests" / "fixtures" / "ci"
    result = run_check(CheckRequest([str(fixtures / "mixed.yaml")]))
    result.gate = load_gate(result, "non_compliant", dt.date(2025, 9, 1),
                            str(fixtures / "waivers.yaml"))
    written = _written(result)
    assert written == _line_by_line(result)
    assert json.loads(written)["gate"]["waived"] > 0


def test_a_report_with_no_lines_is_the_same(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("line_id,date,amount,grant\n", encoding="utf-8")
    result = run_check(CheckRequest([str(path)], awards=str(AWARDS)))
    assert _written(result) == _line_by_line(result)


def test_a_generated_ledgers_json_report_is_the_same(tmp_path, monkeypatch):
    """Duplicates, splits, spend beyond the award, every kind of rule finding, findings
    naming their case and funding advice: all written on columns, as line_record would."""
    import subprocess
    import sys

    ledger = tmp_path / "ledger.csv"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "4000", str(ledger),
                    "--seed", "7"], check=True)
    result = run_check(CheckRequest([str(ledger)], awards=str(ledger.with_suffix(".awards.yaml"))))
    report = json.loads(_written(result))
    rules = {f["rule"].split(".")[0] for line in report["lines"] for f in line["findings"]}
    assert {"crossline", "ringfence"} <= rules
    assert any("amounts" in line for line in report["lines"])
    assert any("case" in f for line in report["lines"] for f in line["findings"])
    assert any(line.get("advice") for line in report["lines"])
    assert any(line.get("advice") == [] for line in report["lines"])
    monkeypatch.setattr(result_module, "BATCH", 333)
    assert _written(result) == _line_by_line(result)


def test_an_amended_packs_lines_are_the_same(tmp_path):
    """Each line's findings come from the version of its pack in force on its date."""
    lines = "".join(
        f"  - {{line_id: A{index}, date: {day}, amount: {amount}, purpose: alpha, "
        f"category: {category}}}\n"
        for index, (day, amount, category) in enumerate([
            ("2025-05-01", 10, "Hospitality"), ("2025-11-01", 10, "Hospitality"),
            ("2026-05-01", 10, "Hospitality"), ("2025-11-01", 900, "Training"),
            ("2026-05-01", 500, "Hospitality"), ("2024-01-01", 5, "Hospitality")]))
    proposal = tmp_path / "amended.yaml"
    proposal.write_text(f"awards: [{{grant: amended, amount: 1000}}]\nlines:\n{lines}")
    result = run_check(CheckRequest([str(proposal)],
                                    rules=str(REPO / "tests" / "fixtures" / "packs")))
    assert result.versioned
    assert _written(result) == _line_by_line(result)


def test_an_amended_packs_csv_findings_are_those_of_the_version_in_force(tmp_path):
    """The tabular reports render findings on columns: each line's rules, statuses and
    messages (and the pack values they quote) are its version's, as in its LineResult."""
    from ringfence.engine.reports.flat import flat_frame

    lines = "".join(
        f"  - {{line_id: A{index}, date: {day}, amount: {amount}, purpose: {purpose}, "
        f"category: {category}, cost_type: {cost}}}\n"
        for index, (day, amount, purpose, category, cost) in enumerate([
            ("2025-05-01", 12000, "alpha", "Training", "capital"),
            ("2025-11-01", 6000, "gamma", "Hospitality", "revenue"),
            ("2025-05-01", 6000, "gamma", "Training", "revenue"),
            ("2026-05-01", 10, "alpha", "Hospitality", "revenue"),
            ("2026-07-01", 10, "beta", "Training", "revenue")]))
    proposal = tmp_path / "amended.yaml"
    proposal.write_text(f"awards: [{{grant: amended, amount: 100000}}]\nlines:\n{lines}")
    result = run_check(CheckRequest([str(proposal)],
                                    rules=str(REPO / "tests" / "fixtures" / "packs")))
    expected = [" | ".join(f"{f.rule} [{f.status}]: {f.message}" for f in line.findings)
                for line in result.lines()]
    assert flat_frame(result)["findings"].to_list() == expected
    assert "capital" in expected[0] and expected[4].endswith("after 2026-06-30")


@pytest.mark.parametrize("at_once", [1, 7, 25_000])
def test_the_html_pages_findings_are_the_same_rendered_on_columns(hostile, monkeypatch,
                                                                  at_once):
    from ringfence.engine.reports import html_report
    from ringfence.engine.reports.text_out import joined

    assert hostile.advice  # advised lines carry their advice among their findings
    monkeypatch.setattr(html_report, "AT_ONCE", at_once)  # lines whose text is made at once
    on_columns = joined(html_report._findings(hostile))
    # With a gate, findings come from each line's LineResult (to carry waivers' notes).
    monkeypatch.setattr(html_report, "active_gate", lambda result: object())
    assert joined(html_report._findings(hostile)) == on_columns
    # the end of the page's data object: its found lines and their findings
    assert json.loads("{" + on_columns.removeprefix(", "))["findings"]


def test_markdown_whitespace_is_what_str_split_splits_on():
    from ringfence.engine.reports.md_report import WHITESPACE

    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


@pytest.mark.parametrize("case", ["hostile", "amended"])
def test_the_markdown_reports_findings_are_the_same_rendered_on_columns(
        case, hostile, tmp_path, monkeypatch):
    from ringfence.engine.reports import md_report

    result = hostile
    if case == "amended":
        proposal = tmp_path / "amended.yaml"
        proposal.write_text(
            "awards: [{grant: amended, amount: 15}]\nlines:\n"
            "  - {line_id: 'A *1*', date: 2025-11-01, amount: 10, purpose: alpha, "
            "category: Hospitality}\n"
            "  - {line_id: A2, date: 2026-05-01, amount: 10, purpose: alpha, "
            "category: Hospitality}\n")
        result = run_check(CheckRequest([str(proposal)],
                                        rules=str(REPO / "tests" / "fixtures" / "packs")))
    on_columns = md_report.render(result)
    # With a gate, findings come from each line's LineResult (to carry waivers' notes).
    monkeypatch.setattr(md_report, "active_gate", lambda result: object())
    assert md_report.render(result) == on_columns
    assert "## Lines with findings (0 of" not in on_columns


def test_a_page_with_no_findings_has_empty_arrays_either_way(monkeypatch):
    from ringfence.engine.reports import html_report
    from ringfence.engine.reports.text_out import joined

    clean = run_check(CheckRequest([str(REPO / "cases" / "rotherham-2025-26" / "proposal.yaml")]))
    assert not clean.flagged().len()
    on_columns = joined(html_report._findings(clean))
    monkeypatch.setattr(html_report, "active_gate", lambda result: object())
    assert joined(html_report._findings(clean)) == on_columns == ', "found": [], "findings": []}'

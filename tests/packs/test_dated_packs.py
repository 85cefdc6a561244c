"""Dated packs: a line is checked against the version of its pack in force on its date.

The fixture tests/fixtures/packs/amended is a base pack (version 1) amended
from 1 October 2025 (version 2: period extended to 30 June 2026, a purpose
added, capital allowed, a lower large-payment threshold, hospitality
excluded) and from 1 April 2026 (version 3: hospitality only at risk). An
undated line is checked against the latest version.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil

import polars as pl
import pytest
from helpers import FIXTURE_PACKS
from linegen import generate_lines

from ringfence.engine.authoring.lint import lint_rules
from ringfence.engine.checks.classify import classify
from ringfence.engine.core.errors import InputError
from ringfence.engine.models.table import CANONICAL_SCHEMA, META_SCHEMA, PACK_VERSION, RULES, concat
from ringfence.engine.packs.compiled import CompiledPack
from ringfence.engine.packs.loading import bundled_rules, load_pack, load_packs
from ringfence.engine.packs.reference import matching_rules

AMENDED = FIXTURE_PACKS / "amended"


@pytest.fixture(scope="module")
def amended() -> CompiledPack:
    return CompiledPack(load_pack(AMENDED))


def check_json(cli, proposal, *args) -> dict:
    run = cli("check", proposal, "--rules", FIXTURE_PACKS, "--format", "json", "--fail-on",
              "never", *args)
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)


def write(tmp_path, lines: str, awards="awards: [{grant: amended, amount: 100000}]\n"):
    path = tmp_path / "proposal.yaml"
    path.write_text(awards + "lines:\n" + lines, encoding="utf-8")
    return path


@pytest.mark.parametrize("day,version", [
    (dt.date(2024, 1, 1), "1"), (dt.date(2025, 9, 30), "1"), (dt.date(2025, 10, 1), "2"),
    (dt.date(2026, 3, 31), "2"), (dt.date(2026, 4, 1), "3"), (dt.date(2030, 1, 1), "3"),
    (None, "3"),
])
def test_the_version_in_force_on_a_date(amended, day, version):
    assert amended.loaded.version_in_force(day).label == version
    assert amended.for_date(day).version == version


def test_each_version_is_the_pack_as_amended(amended):
    v1, v2, v3 = (amended.versions[label] for label in ("1", "2", "3"))
    assert [r.id for r in v1.rules] == ["period.after-end", "purpose.not-permitted",
                                        "cost-type.capital", "amount.large"]
    # replaced rules keep their place, removed ones go, added ones come last
    assert [r.id for r in v2.rules] == ["period.after-end", "purpose.not-permitted",
                                        "amount.large", "excluded-cost.hospitality"]
    assert v2.rules[2].clause == "amendment 1 para 4"
    assert v3.rules[3].status == "at_risk" and v3.pack.period.end == dt.date(2026, 6, 30)
    assert list(v1.pack.purposes) == ["alpha", "beta"]
    assert list(v3.pack.purposes) == ["alpha", "beta", "gamma"]
    assert amended.version == "3"  # a pack compiled without a version is the latest


def test_lines_are_checked_against_the_version_of_their_date(cli, tmp_path):
    proposal = write(tmp_path, "".join(f"  - {line}\n" for line in [
        "{line_id: A1, date: 2025-06-01, amount: 6000, purpose: gamma, cost_type: capital}",
        "{line_id: A2, date: 2025-11-01, amount: 6000, purpose: gamma, cost_type: capital, "
        "category: Hospitality}",
        "{line_id: A3, date: 2026-05-01, amount: 100, purpose: alpha, category: Hospitality}",
        "{line_id: A4, date: 2026-07-02, amount: 100, purpose: alpha}",
        "{line_id: A5, amount: 100, purpose: alpha, category: hospitality}",
    ]))
    lines = {line["line_id"]: line for line in check_json(cli, proposal)["lines"]}
    got = {lid: (line["pack_version"], line["status"], [f["rule"] for f in line["findings"]])
           for lid, line in lines.items()}
    assert got == {
        "A1": ("1", "non_compliant", ["purpose.not-permitted", "cost-type.capital"]),
        "A2": ("2", "non_compliant", ["amount.large", "excluded-cost.hospitality"]),
        "A3": ("3", "at_risk", ["excluded-cost.hospitality"]),
        "A4": ("3", "non_compliant", ["period.after-end"]),
        "A5": ("3", "at_risk", ["excluded-cost.hospitality"]),
    }
    # messages and clauses are those of the version in force
    assert lines["A1"]["findings"][0]["message"] == "'gamma' is not one of alpha, beta"
    assert lines["A4"]["findings"][0]["message"] == "dated 2026-07-02, after 2026-06-30"
    assert lines["A2"]["findings"][0]["clause"] == "amendment 1 para 4"


def test_the_report_evidence_lists_the_versions(cli, tmp_path):
    proposal = write(tmp_path, "  - {line_id: A1, date: 2025-06-01, amount: 10, purpose: alpha}\n")
    (pack,) = check_json(cli, proposal)["evidence"]["packs"]
    assert [(v["version"], v["in_force_from"]) for v in pack["versions"]] == [
        ("1", None), ("2", "2025-10-01"), ("3", "2026-04-01")]


def test_a_plan_may_name_a_purpose_of_any_version(cli, tmp_path):
    proposal = write(tmp_path, "  - {line_id: A1, date: 2025-11-01, amount: 10, purpose: gamma}\n",
                     awards="awards: [{grant: amended, amount: 100, "
                            "plan: {alpha: 50, gamma: 50}}]\n")
    assert check_json(cli, proposal)["lines"][0]["status"] == "compliant"


def test_packs_never_amended_report_version_1_and_check_as_before(cli):
    from helpers import REPO

    report = check_json(cli, REPO / "cases" / "problems" / "proposal.yaml", "--rules",
                        bundled_rules())
    assert {line["pack_version"] for line in report["lines"]} == {"1"}
    assert all("versions" not in pack for pack in report["evidence"]["packs"])
    for loaded in load_packs().values():
        assert [v.label for v in loaded.versions] == ["1"]
        assert loaded.versions[0].pack is loaded.pack


def test_durable_rules_agrees_with_the_reference_in_every_version(amended):
    for version in amended.versions.values():
        for line in generate_lines(version, 3000, seed=7834):
            assert version.decide(line) == matching_rules(version, version.fact(line)), line


def test_grouped_classification_splits_lines_by_version(amended):
    lines = []
    for version in amended.versions.values():
        lines.extend(generate_lines(version, 2000, seed=31))
    for day in (dt.date(2025, 9, 30), dt.date(2025, 10, 1), dt.date(2026, 3, 31),
                dt.date(2026, 4, 1), None):  # either side of each amendment, and undated
        lines.extend({**line, "date": day} for line in lines[:50])
    for line in lines:
        line["grant"] = "amended"
    records = [{"_source": "generated", "_row": i + 2, **line} for i, line in enumerate(lines)]
    table = concat([pl.from_dicts(records, schema={**META_SCHEMA, **CANONICAL_SCHEMA})])
    classified = classify(table, {"amended": amended})
    for line, rules, label in zip(lines, classified[RULES].to_list(),
                                  classified[PACK_VERSION].to_list()):
        version = amended.for_date(line["date"])
        assert label == version.version
        assert tuple(rules) == matching_rules(version, version.fact(line)), line


@pytest.mark.parametrize("change,message", [
    ("      remove: [cost-type.capital]", "      remove: [cost-type.capitol]"),
    ("    in_force_from: 2026-04-01", "    in_force_from: 2025-09-01"),
    ('  - version: "3"', '  - version: "2"'),
])
def test_an_amendment_that_cannot_apply_is_refused_and_linted(tmp_path, change, message):
    rules = tmp_path / "rules"
    shutil.copytree(AMENDED, rules / "amended")
    file = rules / "amended" / "pack.yaml"
    text = file.read_text(encoding="utf-8")
    assert text.count(change) == 1
    file.write_text(text.replace(change, message), encoding="utf-8")
    line = text[:text.index(change)].count("\n") + 1
    with pytest.raises(InputError):
        load_pack(file)
    problems = lint_rules(rules)
    assert [p.line for p in problems] == [line], problems
    assert problems[0].message in (
        "removes rule 'cost-type.capitol', which the previous version does not have",
        "in force from 2025-09-01, not after the amendment before it (2025-10-01)",
        "version '2' is used twice")


def test_lint_checks_the_rules_an_amendment_brings(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(AMENDED, rules / "amended")
    file = rules / "amended" / "pack.yaml"
    text = file.read_text(encoding="utf-8")
    misspelt = "when: {field: amount, op: gt, value: 5000}"
    hospitality = "when: {field: category, op: matches, value: hospitality}"
    assert text.count(misspelt) == 1
    last = text.rindex(hospitality)  # version 3's replacement of the rule
    text = (text[:last] + "when: {all: [{field: category, op: eq, value: Gifts}, "
            "{field: category, op: matches, value: hospitality}]}"
            + text[last + len(hospitality):])
    text = text.replace(misspelt, misspelt.replace("amount", "amuont"))
    file.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    assert [(p.line, p.message) for p in lint_rules(rules)] == [
        (next(i for i, t in enumerate(lines) if "amuont" in t) + 1,
         "'amuont' is not a line field; did you mean 'amount'?"),
        (next(i for i, t in enumerate(lines) if "value: Gifts" in t) + 1,
         "rule 'excluded-cost.hospitality' can never match: category = 'Gifts' and category "
         "matches 'hospitality' cannot both hold"),
    ]


def test_the_terminal_report_names_the_version_each_line_was_checked_against(cli, tmp_path):
    proposal = write(tmp_path, "".join(f"  - {line}\n" for line in [
        "{line_id: A1, date: 2025-06-01, amount: 10, purpose: alpha}",
        "{line_id: A2, date: 2025-11-01, amount: 10, purpose: alpha}",
        "{line_id: A3, amount: 10, purpose: alpha}",
    ]))
    run = cli("check", proposal, "--rules", FIXTURE_PACKS)
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "version 1; version 2 from 2025-10-01; version 3 from 2026-04-01" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.split() and line.split()[0] in ("line", "A1", "A2", "A3")}
    column = rows["line"].index("version")
    assert [rows[lid][column] for lid in ("A1", "A2", "A3")] == ["1", "2", "3"]


def test_the_terminal_report_of_a_pack_never_amended_has_no_version_column(cli):
    from helpers import REPO

    run = cli("check", REPO / "cases" / "problems" / "proposal.yaml", "--fail-on", "never")
    header = next(line for line in run.stdout.splitlines() if line.startswith("line "))
    assert "version" not in header.split()


def test_the_csv_report_names_the_version_each_line_was_checked_against(cli, tmp_path):
    proposal = write(tmp_path, "".join(f"  - {line}\n" for line in [
        "{line_id: A1, date: 2025-06-01, amount: 10, purpose: alpha}",
        "{line_id: A2, date: 2025-11-01, amount: 10, purpose: alpha}",
        "{line_id: A3, amount: 10, purpose: alpha}",
    ]))
    run = cli("check", proposal, "--rules", FIXTURE_PACKS, "--format", "csv")
    assert run.code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["line_id"], r["pack_version"]) for r in rows] == [("A1", "1"), ("A2", "2"),
                                                                  ("A3", "3")]
    assert list(rows[0])[list(rows[0]).index("findings") + 1] == "pack_version"


def test_a_ledgers_own_pack_version_column_is_kept_beside_ours(cli, tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("line_id,date,amount,purpose,grant,pack_version\n"
                      "L1,2025-11-01,10.00,alpha,amended,v9\n")
    awards = tmp_path / "awards.yaml"
    awards.write_text("awards: [{grant: amended, amount: 100000}]\n")
    run = cli("check", ledger, "--awards", awards, "--rules", FIXTURE_PACKS, "--format", "csv")
    assert run.code == 0, run.stderr
    row = next(csv.DictReader(io.StringIO(run.stdout)))
    assert (row["pack_version"], row["pack_version (input)"]) == ("2", "v9")


def test_the_markdown_and_html_reports_name_the_version_of_each_line(cli, tmp_path):
    proposal = write(tmp_path, "".join(f"  - {line}\n" for line in [
        # a hospitality line: excluded in version 2, only at risk in version 3
        "{line_id: H2, date: 2025-11-01, amount: 10, purpose: alpha, category: Hospitality}",
        "{line_id: H3, date: 2026-05-01, amount: 10, purpose: alpha, category: Hospitality}",
    ]))
    md = cli("check", proposal, "--rules", FIXTURE_PACKS, "--format", "md", "--fail-on", "never")
    header = next(row for row in md.stdout.splitlines() if row.startswith("| line |"))
    cells = [c.strip() for c in header.strip("|").split("|")]
    versions = {row.split("|")[1].strip(): row.split("|")[cells.index("version") + 1].strip()
                for row in md.stdout.splitlines() if row.startswith("| H")}
    assert versions == {"H2": "2", "H3": "3"}
    html = cli("check", proposal, "--rules", FIXTURE_PACKS, "--format", "html",
               "--fail-on", "never").stdout
    assert "2025-11-01<div class='clause'>version 2</div>" in html
    assert "2026-05-01<div class='clause'>version 3</div>" in html


def test_reports_of_packs_never_amended_name_no_version(cli):
    from helpers import REPO

    proposal = REPO / "cases" / "problems" / "proposal.yaml"
    table = cli("check", proposal, "--format", "csv", "--fail-on", "never").stdout
    assert "pack_version" not in table.splitlines()[0].split(",")
    md = cli("check", proposal, "--format", "md", "--fail-on", "never").stdout
    assert "| version |" not in md
    html = cli("check", proposal, "--format", "html", "--fail-on", "never").stdout
    assert "class='clause'>version " not in html

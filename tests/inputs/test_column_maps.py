"""Column maps (--map FILE): rename a ledger's columns, set constants, derive fields.

The model in engine/models/column_map.py is the map's one definition; every shipped map in
cases/maps must satisfy it.
"""

from __future__ import annotations

import json

import pytest
from helpers import REPO

from ringfence.engine.core.validation import validate
from ringfence.engine.core.yamlio import load_file
from ringfence.engine.models.column_map import ColumnMap

AWARDS = "awards: [{grant: csc-prevention-2025-26, amount: 1000000}]\n"
LEDGER = ("Ref,Posted,Net Amount,Expense Area,Cost Centre,Narrative\n"
          "T1,2025-06-01,100.00,Children - Early Help,CC10,Family hub session\n"
          "T2,2025-06-02,200.00,Children - Social Care,CC20,Agency social worker\n"
          "T3,2025-06-03,300.00,Highways,CC30,Gritting\n"
          "T4,2025-06-04,400.00,Children - Early Help - Capital,cc11,Hub refurbishment\n")


@pytest.fixture
def files(tmp_path):
    (tmp_path / "awards.yaml").write_text(AWARDS)
    (tmp_path / "ledger.csv").write_text(LEDGER)
    return tmp_path


def lines_through(cli, files, map_text: str, ledger: str = "ledger.csv") -> list[dict]:
    (files / "map.yaml").write_text(map_text)
    run = cli("check", files / ledger, "--map", files / "map.yaml", "--awards",
              files / "awards.yaml", "--format", "json", "--fail-on", "never")
    assert run.code == 0, run.stderr
    return json.loads(run.stdout)["lines"]


BASE = "columns: {Ref: line_id, Posted: date, Net Amount: amount}\n"


def test_derive_rules_apply_in_order_the_first_that_holds_wins(cli, files):
    lines = lines_through(cli, files, BASE + """
derive:
  purpose:
    from: Expense Area
    rules:
      - {matches: "early help", value: family_help}
      - {matches: "^children", value: workforce}
    default: transformation
""")
    assert [line["purpose"] for line in lines] == [
        "family_help", "workforce", "transformation", "family_help"]


def test_without_a_default_a_field_no_rule_gives_stays_empty(cli, files):
    lines = lines_through(cli, files, BASE + """
derive:
  cost_type: {from: Expense Area, rules: [{matches: "- capital$", value: capital}]}
""")
    assert [line.get("cost_type") for line in lines] == [None, None, None, "capital"]


def test_equals_and_one_of_compare_the_whole_text_in_any_case(cli, files):
    lines = lines_through(cli, files, BASE + """
derive:
  existing_service:
    from: Cost Centre
    rules: [{one_of: [CC11, CC20], value: "true"}]
    default: "false"
  description: {from: Cost Centre, rules: [{equals: " cc10 ", value: hub}]}
""")
    assert [line["existing_service"] for line in lines] == [False, True, False, True]
    assert [line["description"] for line in lines] == ["hub", None, None, None]


def test_set_gives_every_line_a_constant(cli, files):
    lines = lines_through(cli, files, BASE + "set: {grant: csc-prevention-2025-26, "
                                             "cost_type: revenue}\n")
    assert {(line["grant"], line["cost_type"]) for line in lines} == {
        ("csc-prevention-2025-26", "revenue")}


def test_line_ids_from_file_and_row_when_no_column_is_unique(cli, files):
    (files / "ledger.csv").write_text(LEDGER.replace("T2", "T1") + "\n")
    lines = lines_through(cli, files, "columns: {Ref: reference, Posted: date, "
                                      "Net Amount: amount}\nline_id: row\n")
    assert [line["line_id"] for line in lines] == [f"ledger.csv:{row}" for row in (2, 3, 4, 5)]
    assert [line["reference"] for line in lines] == ["T1", "T1", "T3", "T4"]


def test_several_columns_may_name_one_field_the_first_a_file_has_is_used(cli, files):
    (files / "card.csv").write_text("Ref,Transaction Date,Net Amount\nC1,2025-07-01,5\n")
    map_text = ("columns: {Ref: line_id, Posted: date, Transaction Date: date, "
                "Net Amount: amount}\n")
    assert [line["date"] for line in lines_through(cli, files, map_text)][0] == "2025-06-01"
    assert [line["date"] for line in lines_through(cli, files, map_text, "card.csv")] == [
        "2025-07-01"]


def test_unmapped_columns_are_kept_and_a_column_named_like_a_field_is_not_lost(cli, files):
    (files / "ledger.csv").write_text("Ref,Net Amount,description,Narrative\nT1,1,old,new\n")
    lines = lines_through(cli, files, "columns: {Ref: line_id, Net Amount: amount, "
                                      "Narrative: description}\n")
    assert lines[0]["description"] == "new"
    assert lines[0]["extra"] == {"description (ledger)": "old"}


@pytest.mark.parametrize("map_text,fragments", [
    ("colums: {Ref: line_id}\n", ["map.yaml:1", "unknown key 'colums'; did you mean 'columns'?"]),
    (BASE + "derive:\n  purpose: {form: Expense Area, rules: []}\n",
     ["map.yaml:3", "unknown key 'form'; did you mean 'from'?"]),
    (BASE + "derive:\n  purpose: {from: Expense Area, rules: [{match: x, value: y}]}\n",
     ["map.yaml:3", "unknown key 'match'; did you mean 'matches'?"]),
    ("columns: {Ref: line_id, Net Amount: ammount}\n",
     ["map.yaml:1", "'ammount' is not a line field; did you mean 'amount'?"]),
    ("columns: {Ref: line_id, Net Amount: amount}\nset: {purpse: voice}\n",
     ["map.yaml:2", "'purpse' is not a line field; did you mean 'purpose'?"]),
    ("columns: {Ref: line_id, Net Amount: amount}\nset: {amount: '5'}\n",
     ["'amount' is given by both 'columns' and 'set'"]),
    (BASE + "derive:\n  purpose: {from: Expense Area, rules: [{matches: '(', value: y}]}\n",
     ["map.yaml:3", "'(' is not a valid regular expression"]),
    (BASE + "derive:\n  purpose: {from: Expense Area, rules: [{matches: a, equals: b, "
            "value: y}]}\n", ["give exactly one of 'matches', 'equals' or 'one_of'"]),
    (BASE + "derive:\n  purpose: {from: Expense Area, rules: [{one_of: [], value: y}]}\n",
     ["map.yaml:3", "one_of", "at least 1 item"]),
    ("columns: {Net Amount: amount}\nline_id: rows\n", ["map.yaml:2", "line_id", "'row'"]),
    (BASE + "derive:\n  purpose: {from: Expense Aera}\n",
     ["ledger.csv:1", "no column 'Expense Aera' (named in", "did you mean 'Expense Area'?"]),
])
def test_a_bad_map_is_one_line_naming_where(cli, files, map_text, fragments):
    (files / "map.yaml").write_text(map_text)
    run = cli("check", files / "ledger.csv", "--map", files / "map.yaml", "--awards",
              files / "awards.yaml")
    assert run.code == 2
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    for fragment in fragments:
        assert fragment in run.stderr, run.stderr


@pytest.mark.parametrize("path", sorted((REPO / "cases" / "maps").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_shipped_map_is_a_valid_map_that_says_why(path):
    column_map = validate(ColumnMap, load_file(str(path)))
    assert column_map.columns or column_map.set or column_map.derive
    comment = [line for line in path.read_text().splitlines() if line.startswith("# ")]
    assert len(comment) >= 2, "each map explains in a comment what it charges and derives"

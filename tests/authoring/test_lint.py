"""`rules lint` catches each way a pack author can break a bundled pack, at its file and line.

Each case copies the bundled rules/ to a temporary folder, breaks one pack by
replacing one piece of text, and expects a problem naming that file, the line
the broken text is on (and, where it says so, the column), and what is wrong.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from ringfence.engine.authoring.lint import lint_rules
from ringfence.engine.packs.loading import bundled_rules

CSC = "csc-prevention-2025-26"
FFPP = "ffpp-transformation-2025-26"
CFG = "children-families-2025-26"

#: One-line conditions of the bundled packs that every version of them keeps.
BEFORE_START = "when: {field: date, op: lt, ref: period.start}"
AFTER_END = "when: {field: date, op: gt, ref: period.end}"
DATE_MISSING = "when: {field: date, op: absent}"
CAPITAL = "when: {field: cost_type, op: eq, value: capital}"
NO_PURPOSE = "when: {field: purpose, op: absent}"


@dataclass(frozen=True)
class Break:
    name: str
    pack: str
    old: str
    new: str
    expect: str                 # a fragment of the message
    column_of: str | None = None  # the problem's column is where this text starts on the line
    file: str = "pack.yaml"     # relative to the pack's folder


BREAKS = [
    Break("misspelt field", CSC, BEFORE_START, "when: {field: dtae, op: lt, ref: period.start}",
          "'dtae' is not a line field; did you mean 'date'?", column_of="field: dtae"),
    Break("misspelt field in a nested condition", FFPP, AFTER_END,
          "when: {any: [{field: date, op: gt, ref: period.end}, {feild: date, op: absent}]}",
          "unknown key 'feild'; did you mean 'field'?", column_of="feild"),
    Break("a date compared with a number", CSC, DATE_MISSING,
          "when: {field: date, op: gt, value: 5000}",
          "date is a date: it cannot be compared with 5000 (a number)", column_of="value: 5000"),
    Break("an amount compared with a date", CFG, DATE_MISSING,
          "when: {field: amount, op: gt, value: 2025-04-01}", "'2025-04-01'",
          column_of="value: 2025"),
    Break("an ordering operator on text", CSC, CAPITAL,
          "when: {field: cost_type, op: gt, value: capital}",
          "'gt' compares dates or amounts; cost_type is text", column_of="op: gt"),
    Break("a pattern on a date", FFPP, CAPITAL,
          "when: {field: date, op: matches, value: '2025'}", "'matches' tests text"),
    Break("an invalid regular expression", CSC, CAPITAL,
          "when: {field: description, op: matches, value: 'lobb(ying'}",
          "is not a valid regular expression", column_of="value: 'lobb"),
    Break("a regular expression durable-rules cannot build", FFPP, CAPITAL,
          "when: {field: description, op: matches, value: 'hosp.*[^ ]'}",
          "rule 'cost-type.capital': durable-rules cannot run this condition as written: "
          "a regular expression it cannot build", column_of="value: 'hosp"),
    Break("a regular expression outside the verified dialect", CFG, CAPITAL,
          "when: {field: description, op: matches, value: '\\bvat'}", "uses '\\\\'"),
    Break("a flag group, which durable-rules cannot run", FFPP, CAPITAL,
          "when: {field: description, op: matches, value: '(?i)vat'}",
          "uses a '(?...)' group", column_of="value: '(?i"),
    Break("a pattern with a hyphen, which words never contain", CSC, CAPITAL,
          "when: {field: supplier, op: matches, value: 'co-op'}", "write 'co op' for 'co-op'"),
    Break("a rule without a clause", CSC,
          '    clause: "31/7833 para 1: a Revenue grant',
          '    clauses: "31/7833 para 1: a Revenue grant',
          "unknown key 'clauses'; did you mean 'clause'?"),
    Break("a blank clause", FFPP, '    clause: "31/7969 para 1: a Revenue grant (Families First '
          'Partnership Programme Transformation (Revenue) Grant)"', '    clause: ""',
          "rule 'cost-type.capital' has no clause"),
    Break("dates that can never both hold", FFPP, AFTER_END,
          "when: {all: [{field: date, op: gt, ref: period.end}, {field: date, op: lt, ref: "
          "period.start}]}",
          "rule 'period.after-end' can never match: date > period end (2026-03-31) and date < "
          "period start (2025-04-01) cannot both hold"),
    Break("equal to two different values", CFG, CAPITAL,
          "when: {all: [{field: cost_type, op: eq, value: capital}, {field: cost_type, op: eq, "
          "value: revenue}]}", "can never match: cost_type = 'capital' and cost_type = 'revenue'"),
    Break("present and absent at once", CSC, NO_PURPOSE,
          "when: {all: [{field: purpose, op: absent}, {field: purpose, op: present}]}",
          "can never match: purpose absent and purpose present cannot both hold"),
    Break("an amount range with no penny in it", CSC, CAPITAL,
          "when: {all: [{field: amount, op: gt, value: 10}, {field: amount, op: lt, value: "
          "'10.01'}]}", "can never match: amount > £10.00 and amount < £10.01"),
    Break("a value outside the field's domain", CSC, CAPITAL,
          "when: {field: cost_type, op: eq, value: capitol}",
          "cost_type = 'capitol' can never hold: cost_type is 'revenue' or 'capital', never "
          "'capitol' (did you mean 'capital'?)", column_of="value: capitol"),
    Break("an in list no line can match", FFPP, CAPITAL,
          "when: {field: cost_type, op: in, value: [capitol, capex]}",
          "cost_type in ['capitol', 'capex'] can never hold"),
    Break("absent on a field every line has", CSC, CAPITAL,
          "when: {field: amount, op: absent}",
          "rule 'cost-type.capital' can never match: amount absent can never hold"),
    Break("absent on the line id", FFPP, CAPITAL, "when: {field: line_id, op: absent}",
          "can never match: line_id absent can never hold"),
    Break("absent on the grant, which every checked line has", CFG, CAPITAL,
          "when: {field: grant, op: absent}", "can never match: grant absent can never hold"),
    Break("a misspelt purpose code", CFG, NO_PURPOSE,
          "when: {field: purpose, op: eq, value: staying_putt}",
          "'staying_putt' is not a purpose of this pack; did you mean 'staying_put'?"),
    Break("a duplicate rule id", CSC, "  - id: purpose.not-permitted", "  - id: purpose.missing",
          "duplicate rule id 'purpose.missing' (first at line"),
    Break("an unknown message placeholder", CSC,
          'message: "dated {date}, after the grant period ends on {pack.period.end}"',
          'message: "dated {dat}, after the grant period ends on {pack.period.end}"',
          "message names unknown value '{dat}' (did you mean '{date}'?)"),
    Break("a message placeholder written with a conversion", CSC,
          'message: "dated {date}, after the grant period ends on {pack.period.end}"',
          'message: "dated {date!r}, after the grant period ends on {pack.period.end}"',
          "message writes {date!r}: write a value as {name}, without a conversion (!r) or a "
          "format (:...)"),
    Break("a message placeholder written with a format", CSC,
          'message: "dated {date}, after the grant period ends on {pack.period.end}"',
          'message: "dated {date:>12}, after the grant period ends on {pack.period.end}"',
          "message writes {date:>12}"),
    Break("a misspelt rule key", CFG, "    status: at_risk\n    when: {field: date, op: absent}",
          "    statu: at_risk\n    when: {field: date, op: absent}",
          "unknown key 'statu'; did you mean 'status'?"),
    Break("a pack id that is not its folder's name", FFPP, "id: ffpp-transformation-2025-26",
          "id: ffpp-transformation", "pack id 'ffpp-transformation' differs from its folder"),
    Break("invalid YAML", CFG, BEFORE_START, "when: {field: date, op: lt, ref: period.start}}",
          "invalid YAML"),
    Break("a test case expecting a misspelt rule", CFG,
          "findings: [period.before-start]}", "findings: [period.before-strat]}",
          "expects rule 'period.before-strat', which the pack does not have; did you mean "
          "'period.before-start'?", file="tests/period_and_type.yaml"),
    Break("a test case line with a misspelt field", CFG, "line: {date: 2025-04-01}",
          "line: {dtae: 2025-04-01}", "unknown field 'dtae'; did you mean 'date'?",
          file="tests/period_and_type.yaml"),
]


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(bundled_rules(), target)
    return target


def apply(rules: Path, brk: Break) -> tuple[Path, int, str]:
    """Break the copy; the file, the line the new text starts on, and that line."""
    file = rules / brk.pack / brk.file
    text = file.read_text(encoding="utf-8")
    assert text.count(brk.old) >= 1, f"{brk.name}: the bundled pack no longer has {brk.old!r}"
    start = text.index(brk.old)
    file.write_text(text[:start] + brk.new + text[start + len(brk.old):], encoding="utf-8")
    line = text.count("\n", 0, start) + 1
    return file, line, file.read_text(encoding="utf-8").splitlines()[line - 1]


def test_the_bundled_packs_are_clean():
    assert lint_rules() == []


@pytest.mark.parametrize("brk", BREAKS, ids=[b.name for b in BREAKS])
def test_each_break_is_caught_at_its_file_and_line(rules_copy, brk):
    file, line, text = apply(rules_copy, brk)
    problems = lint_rules(rules_copy)
    here = [p for p in problems if p.source == str(file) and brk.expect in p.text]
    assert here, f"not caught: {brk.expect!r}; lint said:\n" + "\n".join(map(str, problems))
    lines = {p.line for p in here}
    assert line in lines, f"expected line {line}, got {here}"
    if brk.column_of:
        assert text.index(brk.column_of) + 1 in {p.column for p in here}, (text, here)


def test_a_missing_clause_is_reported_at_its_rule(rules_copy):
    file = rules_copy / CSC / "pack.yaml"
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if "clause: \"31/7833 para 1: a Revenue" in text)
    rule_line = next(i for i in range(at, -1, -1) if lines[i].lstrip().startswith("- id:")) + 1
    del lines[at]
    file.write_text("".join(lines), encoding="utf-8")
    problems = [p for p in lint_rules(rules_copy) if p.source == str(file)]
    assert [(p.line, p.text) for p in problems] == [
        (rule_line, "rule 'cost-type.capital' has no clause: cite the paragraph of the "
                    "determination (or the standard condition) it comes from")]


def test_every_problem_is_reported_not_only_the_first(rules_copy):
    chosen = [b for b in BREAKS if b.pack == CSC and b.file == "pack.yaml"
              and b.old in (BEFORE_START, DATE_MISSING)] + [
        Break("capitol", CSC, CAPITAL, "when: {field: cost_type, op: eq, value: capitol}",
              "never 'capitol'"),
        Break("absent and present", CSC, NO_PURPOSE,
              "when: {all: [{field: purpose, op: absent}, {field: purpose, op: present}]}",
              "can never match")]
    expected = []
    for brk in chosen:
        file, line, _ = apply(rules_copy, brk)
        expected.append((str(file), line, brk.expect))
    problems = lint_rules(rules_copy)
    for file, line, fragment in expected:
        assert any(p.source == file and p.line == line and fragment in p.text
                   for p in problems), (file, line, fragment, problems)


def test_problems_in_several_packs_are_all_reported(rules_copy):
    for brk in BREAKS:
        if brk.name in ("a date compared with a number", "an in list no line can match",
                        "equal to two different values"):
            apply(rules_copy, brk)
    files = {Path(p.source).parent.name for p in lint_rules(rules_copy)}
    assert files == {CSC, FFPP, CFG}


def test_the_command_prints_file_line_column_and_exits_1(cli, rules_copy):
    brk = next(b for b in BREAKS if b.name == "misspelt field")
    file, line, text = apply(rules_copy, brk)
    run = cli("rules", "lint", rules_copy)
    assert run.code == 1
    column = text.index("field: dtae") + 1
    assert f"{file}:{line}:{column}: 'dtae' is not a line field; did you mean 'date'?" in \
        run.stdout.splitlines()


def test_the_command_exits_0_on_clean_packs_and_2_on_a_missing_folder(cli, tmp_path):
    assert cli("rules", "lint").code == 0
    run = cli("rules", "lint", tmp_path / "nowhere")
    assert run.code == 2 and "no such rules folder" in run.stderr
    assert run.stderr.count("\n") == 1


def test_a_condition_too_wide_for_durable_rules_is_refused(rules_copy):
    """Any of six 100-value `in` lists hangs durable-rules: lint (and check) refuse it first."""
    values = ", ".join(f"s{i}" for i in range(100))
    wide = "when: {any: [" + ", ".join(
        f"{{field: {name}, op: in, value: [{values}]}}"
        for name in ("supplier", "category", "reference", "description", "line_id", "purpose")
    ) + "]}"
    file, line, _ = apply(rules_copy, Break("wide", FFPP, CAPITAL, wide, ""))
    problems = lint_rules(rules_copy)
    assert any(p.source == str(file) and p.line == line and "600 alternatives" in p.text
               for p in problems), problems


def test_lint_takes_one_pack_folder_as_well_as_a_folder_of_packs(rules_copy, cli):
    folder = rules_copy / CSC
    text = (folder / "pack.yaml").read_text(encoding="utf-8")
    (folder / "pack.yaml").write_text(text.replace(BEFORE_START, BEFORE_START.replace(
        "field: date", "field: dtae"), 1), encoding="utf-8")
    run = cli("rules", "lint", folder)
    assert run.code == 1, run.stderr
    assert f"{folder / 'pack.yaml'}:" in run.stdout
    assert "'dtae' is not a line field" in run.stdout


def test_one_pack_folder_with_several_problems_lists_each(cli, tmp_path):
    """`rules lint PACK_FOLDER` (one pack, not a folder of packs) lists every problem."""
    folder = tmp_path / CSC
    shutil.copytree(bundled_rules() / CSC, folder)
    pack = folder / "pack.yaml"
    text = pack.read_text()
    pack.write_text(text.replace("title:", "titel:", 1).replace("legal_basis:", "legal_bases:", 1))
    run = cli("rules", "lint", folder)
    assert run.code == 1, run.stderr
    assert len(run.stdout.splitlines()) >= 2
    assert "titel" in run.stdout and "legal_bases" in run.stdout

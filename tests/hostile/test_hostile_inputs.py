"""Hostile and careless inputs (issue 18): refused with one line and exit 2, or checked
with the text shown as written; never an internal error, never money changed silently.

Each case is a small file written into a temporary folder and run as a user would.
"""

from __future__ import annotations

import json

import pytest
from helpers import REPO

PROPOSAL_HEAD = """council: Example Council
awards:
  - grant: csc-prevention-2025-26
    amount: 100000
    plan: {family_help: 100000}
lines:
"""


def proposal(*lines: str, head: str = PROPOSAL_HEAD) -> str:
    return head + "".join(f"  - {{{line}}}\n" for line in lines)


def line(amount="100", description="Family help sessions", line_id="A1", extra="") -> str:
    return (f"line_id: {line_id}, date: 2025-09-15, amount: {amount}, purpose: family_help, "
            f"cost_type: revenue, description: {description}{extra}")


def alias_bomb(levels: int = 9) -> str:
    text = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels):
        text += f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    return text


AWARDS = "awards:\n  - grant: csc-prevention-2025-26\n    amount: 1000\n"
LEDGER = ("line_id,date,amount,purpose,cost_type,grant\n"
          "L1,2025-09-15,10,family_help,revenue,csc-prevention-2025-26\n")

#: name, {file: text}, extra arguments, fragments of the one error line
REFUSED = [
    ("a tiny exponent is not £0.00", {"p.yaml": proposal(line("1.0e-999999999"))}, [],
     ["p.yaml:7", "lines[0].amount", "fractions of a penny"]),
    ("a huge exponent", {"p.yaml": proposal(line("1.0e+999999"))}, [], ["p.yaml:7", "too large"]),
    ("an exponent YAML 1.1 reads as text", {"p.yaml": proposal(line("1e999999"))}, [],
     ["p.yaml:7", "not an amount"]),
    ("an integer of 5,000 digits", {"p.yaml": proposal(line("1" * 5000))}, [],
     ["p.yaml:7", "lines[0].amount", "characters left out"]),
    ("an alias bomb in a proposal", {"p.yaml": proposal(line()) + alias_bomb()}, [],
     ["p.yaml", "aliases would repeat"]),
    ("an alias bomb in awards", {"a.yaml": AWARDS + alias_bomb(), "l.csv": LEDGER},
     ["--awards", "{dir}/a.yaml"], ["a.yaml", "aliases would repeat"]),
    ("an alias bomb in a map", {"m.yaml": "columns: {}\n" + alias_bomb(), "l.csv": LEDGER,
                                "a.yaml": AWARDS},
     ["--awards", "{dir}/a.yaml", "--map", "{dir}/m.yaml"],
     ["m.yaml", "aliases would repeat"]),
    ("an alias bomb in waivers", {"w.yaml": "waivers: []\n" + alias_bomb()},
     ["--waivers", "{dir}/w.yaml"], ["w.yaml", "aliases would repeat"]),
    ("an alias that contains itself", {"p.yaml": proposal(line()) + "x: &x [*x]\n"}, [],
     ["p.yaml", "contains it"]),
    ("YAML nested 500 deep", {"p.yaml": proposal(line(description="[" * 500 + "]" * 500))}, [],
     ["p.yaml:7", "nested more than 100 levels deep"]),
    ("YAML nested 5,000 deep", {"p.yaml": proposal(line()) + "x: " + "[" * 5000 + "]" * 5000},
     [], ["p.yaml"]),
    # A threshold of £0 or less would turn split detection off without a word.
    ("a split threshold of zero", {"a.yaml": AWARDS + "checks: {split_threshold: 0}\n",
                                   "l.csv": LEDGER},
     ["--awards", "{dir}/a.yaml"], ["a.yaml:4", "checks.split_threshold", "more than £0"]),
    ("a negative threshold band", {"a.yaml": AWARDS + "checks: {split_thresholds: [5000, -1]}\n",
                                   "l.csv": LEDGER},
     ["--awards", "{dir}/a.yaml"], ["a.yaml:4", "checks.split_thresholds[1]", "more than £0"]),
]


@pytest.mark.parametrize("name, files, extra, fragments", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_in_one_line(cli, tmp_path, name, files, extra, fragments):
    for file, text in files.items():
        (tmp_path / file).write_text(text)
    target = "p.yaml" if "p.yaml" in files else "l.csv" if "l.csv" in files else None
    inputs = [tmp_path / target] if target else [
        REPO / "cases" / "rotherham-2025-26" / "proposal.yaml"]
    # (A bomb is refused by counting, before anything is built: no timing needed.)
    run = cli("check", *inputs, *(a.replace("{dir}", str(tmp_path)) for a in extra))
    assert run.code == 2, (run.code, run.stderr[:500])
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and len(run.stderr) < 1000, run.stderr[:2000]
    for fragment in fragments:
        assert fragment in run.stderr, (fragment, run.stderr)


def test_an_alias_bomb_in_a_pack_is_refused(cli, tmp_path):
    pack = tmp_path / "rules" / "bomb"
    pack.mkdir(parents=True)
    plain = REPO / "tests" / "fixtures" / "packs" / "plain" / "pack.yaml"
    (pack / "pack.yaml").write_text(plain.read_text() + alias_bomb())
    check = cli("check", REPO / "cases" / "rotherham-2025-26" / "proposal.yaml",
                "--rules", tmp_path / "rules")
    lint = cli("rules", "lint", tmp_path / "rules")
    assert check.code == 2 and "aliases would repeat" in check.stderr
    assert lint.code == 1 and "aliases would repeat" in lint.stdout


def test_aliases_within_the_budget_still_work(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(proposal(line(extra=", note: &n [a, b]"),
                             line(line_id="A2", extra=", note: *n")))
    run = cli("check", path, "--format", "json")
    assert run.code == 0, run.stderr
    assert [line["line_id"] for line in json.loads(run.stdout)["lines"]] == ["A1", "A2"]


BRACKETS = ["Laptops [capital] for hub", "[/2025]", "[link=https://example.org]click[/link]",
            "[bold red]loud[/]"]


def test_brackets_in_input_are_text_in_the_table(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(proposal(*(line(description=json.dumps(text), line_id=f"A{i}")
                               for i, text in enumerate(BRACKETS))))
    run = cli("check", path, "--format", "table")
    assert run.code == 0, run.stderr
    for text in BRACKETS:
        assert text in run.stdout


def test_terminal_escapes_from_input_are_shown_not_run(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(proposal(line(description='"esc \\e[31mred\\e]0;title\\a back\\b \\u202e"',
                                  line_id='"A\\e[2J"')))
    table = cli("check", path, "--format", "table")
    assert "\x1b" not in table.stdout and "\x07" not in table.stdout and "\b" not in table.stdout
    assert "esc \\x1b[31mred\\x1b]0;title\\x07 back\\x08 \\u202e" in table.stdout
    assert "A\\x1b[2J" in table.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(proposal(line(amount='"\\e[31m12.3.4"')))
    run = cli("check", bad)
    assert run.code == 2
    assert "\x1b" not in run.stderr and "\\x1b[31m12.3.4" in run.stderr


def test_an_error_quotes_a_few_hundred_characters_of_a_huge_value(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(proposal(line(amount='"' + "9" * 2_000_000 + 'x"')))
    run = cli("check", path)
    assert run.code == 2
    assert len(run.stderr) < 1000
    assert run.stderr.startswith(f"ringfence: {path}:7: lines[0].amount: '999")
    assert "characters left out" in run.stderr and run.stderr.rstrip().endswith("pence")


def test_nul_characters_never_reach_the_csv_or_html_report(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(proposal(line(line_id='"A\\0"', description='"nul\\0here"',
                                  extra=', "odd\\0column": "x\\0y", note: "=1\\0"')))
    for fmt in ("csv", "html"):
        report = tmp_path / f"r.{fmt}"
        run = cli("check", path, "--format", fmt, "--output", report)
        assert run.code == 0, run.stderr
        assert b"\x00" not in report.read_bytes()
    csv_text = (tmp_path / "r.csv").read_text()
    assert "nul\ufffdhere" in csv_text and "odd\ufffdcolumn" in csv_text
    assert "'=1\ufffd" in csv_text
    assert "nul\\x00here" in (tmp_path / "r.html").read_text()


def test_extra_lists_and_maps_read_as_json_not_python(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(proposal(line(extra=", tags: [a, 1.50, {k: v}], flag: true")))
    run = cli("check", path, "--format", "json")
    extras = json.loads(run.stdout)["lines"][0]
    text = json.dumps(extras)
    assert "['a'" not in text and "{'k'" not in text and "True" not in text
    run = cli("check", path, "--format", "csv")
    assert '"[""a"", ""1.50"", {""k"": ""v""}]"' in run.stdout and ",true" in run.stdout


def _huge_lines(count: int) -> str:
    return proposal(*(line('"999999999999999.99"', line_id=f"L{i}") for i in range(count)))


def test_amounts_whose_total_could_overflow_are_refused_naming_the_line(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(_huge_lines(100))
    run = cli("check", path, "--format", "json")
    assert run.code == 2, run.stderr
    # 90 lines reach £89,999,999,999,999,999.10; the 91st passes £90,000,000,000,000,000.
    assert run.stderr.startswith(f"ringfence: {path}:97: amount: the amounts up to this line")


def test_the_largest_totals_allowed_are_exact_and_never_wrap(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(_huge_lines(90))
    run = cli("check", path, "--format", "json")
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    whole, part = divmod(90 * 99999999999999999, 100)
    assert report["summary"]["total"]["amount"] == f"{whole}.{part:02d}"
    assert report["summary"]["compliant"]["amount"] == "100000.00"
    assert [line["status"] for line in report["lines"]][1:] == ["non_compliant"] * 89


@pytest.mark.parametrize("pattern, why", [("hosp(?=itality)", "look-around"),
                                          ("(staff)\\\\s+\\\\1", "backreferences"),
                                          ("a{100000}{100}", "size limit")])
def test_a_map_regex_the_ledger_reader_cannot_run_is_refused(cli, tmp_path, pattern, why):
    (tmp_path / "l.csv").write_text("line_id,amount,Type\nL1,5,hospitality\n")
    (tmp_path / "a.yaml").write_text(AWARDS)
    (tmp_path / "m.yaml").write_text(
        "set: {grant: csc-prevention-2025-26}\nderive:\n  purpose:\n    from: Type\n"
        f"    rules:\n      - {{matches: \"{pattern}\", value: family_help}}\n")
    run = cli("check", tmp_path / "l.csv", "--awards", tmp_path / "a.yaml",
              "--map", tmp_path / "m.yaml")
    assert run.code == 2, run.stderr
    assert run.stderr.startswith(f"ringfence: {tmp_path / 'm.yaml'}:6: derive.purpose.rules[0]")
    assert "not a valid regular expression (as polars runs it)" in run.stderr and why in run.stderr


BASELINE_LINE = ('{"summary": {}, "ringfences": [], "lines": [{"line_id": "x", "status": '
                 '"at_risk", "amount": AMOUNT, "findings": [{"rule": "r", "status": "at_risk", '
                 '"clause": "c", "message": "m"}]}]}')


@pytest.mark.parametrize("text, fragment", [
    ("[" * 100_000 + "]" * 100_000, "nested too deep"),
    (BASELINE_LINE.replace("AMOUNT", "1e999999"), "too large"),
    (BASELINE_LINE.replace("AMOUNT", "1" * 5000), "lines[0].amount"),
    (BASELINE_LINE.replace("AMOUNT", '"' + "1" * 5000 + '"'), "lines[0].amount"),
], ids=["100k deep", "1e999999", "5,000-digit number", "5,000-digit text"])
def test_a_hostile_baseline_is_refused_in_one_line(cli, tmp_path, text, fragment):
    baseline = tmp_path / "b.json"
    baseline.write_text(text)
    run = cli("check", REPO / "cases" / "rotherham-2025-26" / "proposal.yaml",
              "--baseline", baseline)
    assert run.code == 2, run.stderr[:300]
    assert len(run.stderr.splitlines()) == 1 and len(run.stderr) < 1000
    assert str(baseline) in run.stderr and fragment in run.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "md"])
def test_a_console_that_is_not_utf8_gets_the_report(fmt):
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "ringfence.cli", "check",
                           str(REPO / "cases" / "problems" / "proposal.yaml"), "--format", fmt],
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 1, done.stderr
    assert done.stderr == b""
    if fmt == "json":  # a file format stays UTF-8 whatever the console
        json.loads(done.stdout.decode("utf-8"))
    else:
        assert "£".encode("cp1252") in done.stdout


def test_terminal_escapes_are_shown_in_the_diff_text_too(cli, tmp_path):
    base, head = tmp_path / "base.yaml", tmp_path / "head.yaml"
    base.write_text(proposal(line()))
    head.write_text(proposal(line(description='"\\e]0;owned\\a sessions"')))
    run = cli("diff", base, head)
    assert run.code == 0, run.stderr
    assert "\x1b" not in run.stdout and "\\x1b]0;owned\\x07 sessions" in run.stdout


def test_terminal_escapes_are_shown_by_explain_and_rules_lint(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(proposal(line(description='"\\e[2J wiped"')))
    run = cli("explain", path, "--line", "A1")
    assert "\x1b" not in run.stdout and "\\x1b[2J wiped" in run.stdout
    pack = tmp_path / "rules" / "bad"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text('id: "bad\\e[2J"\n')
    lint = cli("rules", "lint", tmp_path / "rules")
    assert lint.code == 1 and "\x1b" not in lint.stdout and "bad\\x1b[2J" in lint.stdout

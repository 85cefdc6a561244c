"""ringfence command line: thin over engine/."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager

import click

from ringfence.engine import __version__
from ringfence.engine.core.errors import InputError, one_line
from ringfence.engine.reports import DIFF_WRITERS, WRITERS, WriteContext
from ringfence.engine.authoring.schemas import FORMATS as SCHEMAS, schema_text

# Each command imports the stages it runs when it runs (polars, pydantic, durable-rules
# take most of a second to load): `--help` and a small proposal start at once.

FORMATS = tuple(WRITERS)
FAIL_LEVELS = ("non_compliant", "at_risk", "never")


def waiver_options(command):
    """--waivers, --no-waivers and the hidden --today, shared by check and diff."""
    for option in reversed((
        click.option("--waivers", type=click.Path(dir_okay=False),
                     help="Waivers YAML: approved exceptions to named findings, until they "
                          "expire; waived findings do not count toward --fail-on."),
        click.option("--no-waivers", is_flag=True,
                     help="Ignore --waivers: every finding counts (for auditors)."),
        # Waivers expire: tests and reruns of an old gate need to fix the day.
        click.option("--today", hidden=True, envvar="RINGFENCE_TODAY",
                     help="The day waivers are judged on (default: today)."),
    )):
        command = option(command)
    return command


def _today(text: str | None):
    from ringfence.engine.core.dates import DateError, parse_date

    try:
        return parse_date(text) if text else None
    except DateError as exc:
        raise click.BadParameter(str(exc), param_hint="--today (or RINGFENCE_TODAY)") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ringfence")
def cli() -> None:
    """Check council spending against the conditions of ringfenced grants."""


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--awards", type=click.Path(dir_okay=False),
              help="Awards YAML for inputs that carry only lines (CSV, Excel, ledgers).")
@click.option("--rules", type=click.Path(file_okay=False),
              help="Folder of grant packs (default: the bundled rules/).")
@click.option("--map", "column_map", type=click.Path(dir_okay=False),
              help="Column map YAML: how a ledger's columns become line fields.")
@click.option("--skip-bad-rows", is_flag=True,
              help="Check the rows that can be read; list the others in the report.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default="non_compliant",
              show_default=True, help="Exit 1 when anything is at or above this status.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Input files read at once, one thread each (default: all cores).")
@waiver_options
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="JSON report of an earlier check: only findings not in it (or worse than "
                   "in it) count toward --fail-on.")
def check(inputs, awards, rules, column_map, skip_bad_rows, fmt, output, fail_on, jobs,
          waivers, no_waivers, today, baseline) -> None:
    """Check proposals or ledgers: each line compliant, at risk or non-compliant, and why."""
    from ringfence.engine.gate.gate import load_gate
    from ringfence.engine.pipeline.check import CheckRequest, run_check

    request = CheckRequest(list(inputs), awards=awards, rules=rules, column_map=column_map,
                           skip_bad_rows=skip_bad_rows,
                           options={"format": fmt, "fail_on": fail_on},
                           jobs=jobs or os.cpu_count() or 1)
    # A bar and a report both drawn on the terminal would overwrite each other.
    report_on_terminal = output is None and sys.stdout.isatty()
    with progress_reporter() as progress:
        request.progress = progress
        result = run_check(request)
        result.gate = load_gate(result, fail_on, _today(today), waivers, baseline, no_waivers)
        if progress and not report_on_terminal:
            progress("writing report", 0, 0)
            _write(result, fmt, output)
    if not progress or report_on_terminal:
        _write(result, fmt, output)
    sys.exit(1 if result.fails(fail_on) else 0)


@contextmanager
def progress_reporter():
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    # rich is loaded only for a bar: a check whose stderr is a file or a pipe starts sooner.
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True,
                  redirect_stdout=False, redirect_stderr=False) as bar:
        task = bar.add_task("starting", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        yield update


def _write(result, fmt: str, output: str | None, **options) -> None:
    writer = WRITERS[fmt]
    context = WriteContext(output=output, is_terminal=output is None and sys.stdout.isatty(),
                           options=options)
    if not output:
        if writer.binary:
            raise click.UsageError(f"--format {fmt} writes a binary file: give --output FILE")
        writer.write(result, sys.stdout, context)
        return
    with _writing_to(output):
        if writer.binary or writer.to_file:
            writer.write(result, None, context)
        else:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                writer.write(result, stream, context)
        if fmt == "csv":  # a CSV file has nowhere of its own to carry its evidence
            with open(f"{output}.evidence.json", "w", encoding="utf-8") as stream:
                json.dump(result.evidence, stream, indent=2, ensure_ascii=False)
                stream.write("\n")


@contextmanager
def _writing_to(output: str):
    """A report file that cannot be written (no such folder, no permission) is the
    user's to fix: one line naming it, not an internal error."""
    try:
        yield
    except OSError as exc:
        # polars words it 'reason (os error 2): path'; the message names the path once.
        reason = exc.strerror or str(exc).split(" (os error")[0]
        raise InputError(f"cannot write the report: {reason}", source=output) from None


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--line", "line_id", required=True, help="The line_id of the line to explain.")
@click.option("--awards", type=click.Path(dir_okay=False), help="As for check.")
@click.option("--rules", type=click.Path(file_okay=False), help="As for check.")
@click.option("--map", "column_map", type=click.Path(dir_okay=False), help="As for check.")
@click.option("--skip-bad-rows", is_flag=True, help="As for check.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
def explain(inputs, line_id, awards, rules, column_map, skip_bad_rows, fmt) -> None:
    """Why one line got its status: every rule of its pack, test by test, and its award.

    Exits 1 if durable-rules and the reference evaluator ever disagree (a bug).
    """
    from ringfence.engine.authoring.explain import explain as explain_line
    from ringfence.engine.pipeline.check import CheckRequest
    from ringfence.engine.reports.authoring import explain_json, explain_text

    explained = explain_line(CheckRequest(list(inputs), awards=awards, rules=rules,
                                          column_map=column_map, skip_bad_rows=skip_bad_rows),
                             line_id)
    if fmt == "json":
        click.echo(json.dumps(explain_json(explained), indent=2, ensure_ascii=False))
    else:
        click.echo(explain_text(explained), nl=False)
    sys.exit(1 if any(e.disagreements for e in explained) else 0)


@cli.group()
def rules() -> None:
    """Write grant packs: lint them, run their cases, print their schema."""


@rules.command("lint")
@click.argument("rules_dir", required=False, type=click.Path(file_okay=False))
def rules_lint(rules_dir) -> None:
    """Every problem in the packs of RULES_DIR (default: the bundled rules/), as file:line:column.

    Exits 0 when there are none, 1 when there are.
    """
    from ringfence.engine.authoring.lint import lint_rules

    problems = lint_rules(rules_dir)
    for problem in problems:
        click.echo(str(problem))
    count = len(problems)
    click.echo(f"rules lint: {count} problem{'s' if count != 1 else ''}" if count else
               "rules lint: no problems", err=True)
    sys.exit(1 if problems else 0)


@rules.command("test")
@click.argument("rules_dir", required=False, type=click.Path(file_okay=False))
def rules_test(rules_dir) -> None:
    """Run each pack's test cases; every rule must be shown matching and not matching.

    Exits 0 when every case passes and every rule is covered both ways, 1 otherwise.
    """
    from ringfence.engine.authoring.packtests import run_rules_tests
    from ringfence.engine.reports.authoring import pack_tests_text

    reports = run_rules_tests(rules_dir)
    for line in pack_tests_text(reports):
        click.echo(line)
    sys.exit(0 if all(report.ok for report in reports) else 1)


@rules.command("schema")
@click.argument("name", required=False, default="pack", type=click.Choice(tuple(SCHEMAS)))
def rules_schema(name) -> None:
    """Print the JSON Schema of a file format (default: the pack format)."""
    click.echo(schema_text(name), nl=False)


@cli.command()
@click.argument("base")
@click.argument("head")
@click.option("--awards", help="Awards YAML for ledgers, a path or REV:path (proposals carry "
                                "their own awards).")
@click.option("--rules", type=click.Path(file_okay=False),
              help="Folder of grant packs (default: the bundled rules/).")
@click.option("--map", "column_map", type=click.Path(dir_okay=False),
              help="Column map YAML for ledgers.")
@click.option("--format", "fmt", type=click.Choice(tuple(DIFF_WRITERS)), default="text",
              show_default=True, help="md is for a pull-request comment or job summary.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default="non_compliant",
              show_default=True,
              help="Exit 1 when HEAD adds or worsens a line at or above this status (or "
                   "worsens a ringfence check).")
@waiver_options
def diff(base, head, awards, rules, column_map, fmt, output, fail_on, waivers, no_waivers,
         today) -> None:
    """Compare two versions of a budget file: lines added, removed and changed, status
    transitions and ringfence totals. BASE and HEAD are paths or git REV:path
    (e.g. origin/main:budget.yaml)."""
    from ringfence.engine.pipeline.diff import DiffRequest, run_diff

    result = run_diff(DiffRequest(base, head, awards=awards, rules=rules, column_map=column_map,
                                  fail_on=fail_on, waivers=None if no_waivers else waivers,
                                  today=_today(today)))
    writer = DIFF_WRITERS[fmt]
    context = WriteContext(output=output, is_terminal=output is None and sys.stdout.isatty())
    if output:
        with _writing_to(output), open(output, "w", encoding="utf-8", newline="") as stream:
            writer.write(result, stream, context)
    else:
        writer.write(result, sys.stdout, context)
    sys.exit(1 if result.fails else 0)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="ringfence", standalone_mode=False)
    except InputError as exc:
        # Loaded already, by the reader that raised it.
        from ringfence.engine.inputs.ledger import RejectedRowsError

        if isinstance(exc, RejectedRowsError):
            for line in exc.lines():
                click.echo(f"ringfence: {one_line(line)}", err=True)
            sys.exit(2)
        _fail(str(exc), 2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as exc:
        # polars reports a reader that stopped early (| head) as a plain OSError.
        if "Broken pipe" in str(exc):
            sys.exit(1)
        _internal_error(exc)
    except Exception as exc:
        _internal_error(exc)


def _internal_error(exc: Exception) -> None:
    """A bug, not the user's input: still one line, unless asked for the traceback."""
    if os.environ.get("RINGFENCE_DEBUG"):
        raise exc
    _fail(f"internal error: {type(exc).__name__}: {exc} (set RINGFENCE_DEBUG=1 for details)", 3)


def _fail(message: str, code: int) -> None:
    click.echo(f"ringfence: {one_line(message)}", err=True)
    sys.exit(code)


def run() -> None:
    """The console entry point: main(), then exit at once. A million-line check leaves
    a gigabyte of tables that Python would otherwise free piece by piece on its way out."""
    code = 0
    try:
        main()
    except SystemExit as exc:
        if isinstance(exc.code, str):
            click.echo(exc.code, err=True)
        code = 1 if isinstance(exc.code, str) else exc.code or 0
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader stopped early (| head): nothing left to say
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run()

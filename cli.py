"""ringfence command line: thin over engine/."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import sys
from contextlib import contextmanager

import click

from ringfence.engine import __version__
from ringfence.engine.authoring.schemas import FORMATS as SCHEMAS
from ringfence.engine.authoring.schemas import schema_text
from ringfence.engine.core.errors import InputError, one_line, visible
from ringfence.engine.core.exit_codes import ExitCode
from ringfence.engine.reports import DIFF_WRITERS, WRITERS, WriteContext
from ringfence.engine.reports.replacing import is_file_target, replacing

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
    _refuse_overwriting(output, fmt, rules, input=inputs, awards=awards, map=column_map,
                        waivers=waivers, baseline=baseline)
    from ringfence.engine.pipeline.check import CheckRequest, run_check

    request = CheckRequest(list(inputs), awards=awards, rules=rules, column_map=column_map,
                           skip_bad_rows=skip_bad_rows,
                           options={"format": fmt, "fail_on": fail_on},
                           jobs=jobs or os.cpu_count() or 1, fail_on=fail_on,
                           waivers=waivers, ignore_waivers=no_waivers, baseline=baseline,
                           today=_today(today))
    # A bar and a report both drawn on the terminal would overwrite each other.
    report_on_terminal = output is None and sys.stdout.isatty()
    with progress_reporter() as progress:
        request.progress = progress
        result = run_check(request)
        if progress and not report_on_terminal:
            progress("writing report", 0, 0)
            _write(result, fmt, output)
    if not progress or report_on_terminal:
        _write(result, fmt, output)
    sys.exit(ExitCode.FINDINGS if result.fails(fail_on) else ExitCode.OK)


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
        if fmt != "table":  # a file format is UTF-8 whatever the console's encoding
            _reconfigure(sys.stdout, encoding="utf-8")
        writer.write(result, sys.stdout, context)
        return
    # Each file takes its name only when complete (replacing.py): a run that fails leaves
    # the earlier report, and its evidence, as they were.
    with _writing_to(output), replacing(output) as path:
        context.output = path
        if writer.binary or writer.to_file:
            writer.write(result, None, context)
        else:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                writer.write(result, stream, context)
        # A CSV file has nowhere of its own to carry its evidence; /dev/null has no beside.
        if fmt == "csv" and is_file_target(output):
            with replacing(f"{output}.evidence.json") as evidence, \
                    open(evidence, "w", encoding="utf-8") as stream:
                json.dump(result.evidence, stream, indent=2, ensure_ascii=False)
                stream.write("\n")


def _refuse_overwriting(output: str | None, fmt: str, rules: str | None = None,
                        **files) -> None:
    """--output must not name a file the run reads (directly, or through a link): the
    report would destroy its own input. `files` maps an option's name to its path(s);
    nothing in the folder of packs (`rules`, or the bundled one) may be written either."""
    if not output:
        return
    targets = [output] + ([f"{output}.evidence.json"] if fmt == "csv" else [])
    folder = os.path.realpath(rules or _bundled_rules())
    if any(os.path.commonpath([folder, os.path.realpath(t)]) == folder for t in targets):
        raise InputError(f"--output is in the folder of grant packs {folder}: refusing to "
                         "write there", source=output)
    for option, paths in files.items():
        for path in paths if isinstance(paths, (list, tuple)) else [paths]:
            if path and any(_same_file(target, path) for target in targets):
                raise InputError(f"--output is the {option} file {path}: refusing to "
                                 f"overwrite it", source=output)


def _bundled_rules() -> str:
    from ringfence.engine.packs.loading import bundled_rules

    return str(bundled_rules())


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):
        return False


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
        click.echo(visible(explain_text(explained)), nl=False)  # read on a terminal
    sys.exit(ExitCode.FINDINGS if any(e.disagreements for e in explained) else ExitCode.OK)


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
        click.echo(problem.located())
    count = len(problems)
    click.echo(f"rules lint: {count} problem{'s' if count != 1 else ''}" if count else
               "rules lint: no problems", err=True)
    sys.exit(ExitCode.FINDINGS if problems else ExitCode.OK)


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
    sys.exit(ExitCode.OK if all(report.ok for report in reports) else ExitCode.FINDINGS)


@rules.command("schema")
@click.argument("name", required=False, default="pack", type=click.Choice(tuple(SCHEMAS)))
def rules_schema(name) -> None:
    """Print the JSON Schema of a file format (default: the pack format)."""
    click.echo(schema_text(name), nl=False)


@cli.group("map")
def map_group() -> None:
    """Column maps for ledgers: draft one to start from."""


@map_group.command("draft")
@click.argument("ledgers", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the map here (default: print it).")
def map_draft(ledgers, output) -> None:
    """A starter column map for LEDGER... (CSV or Excel), to edit before use.

    Finds each file's header row, recognises the usual columns (date, amount, supplier,
    transaction number, expense area or type...), numbers lines by row when no column
    is a unique id, and lists the area and type values as commented candidates for
    deriving grant and purpose.
    """
    from ringfence.engine.authoring.mapdraft import draft_map

    draft = draft_map(list(ledgers))
    if output:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(draft.text)
        click.echo(f"map draft: wrote {output}", err=True)
    else:
        click.echo(draft.text, nl=False)


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

    _refuse_overwriting(output, fmt, rules, input=[base, head], awards=awards,
                        map=column_map, waivers=waivers)
    result = run_diff(DiffRequest(base, head, awards=awards, rules=rules, column_map=column_map,
                                  fail_on=fail_on, waivers=None if no_waivers else waivers,
                                  today=_today(today)))
    writer = DIFF_WRITERS[fmt]
    context = WriteContext(output=output, is_terminal=output is None and sys.stdout.isatty())
    if output:
        with _writing_to(output), replacing(output) as path, \
                open(path, "w", encoding="utf-8", newline="") as stream:
            writer.write(result, stream, context)
    else:
        writer.write(result, sys.stdout, context)
    sys.exit(ExitCode.FINDINGS if result.fails else ExitCode.OK)


def _reconfigure(stream, **settings) -> None:
    if hasattr(stream, "reconfigure"):  # a real text stream (not a test's StringIO)
        stream.reconfigure(**settings)


@cli.group()
def new() -> None:
    """Start a file to fill in."""


@new.command("proposal")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--council", help="The council's name, written on each award.")
@click.option("--grant", "grants", multiple=True,
              help="A grant pack id to put an award row for (repeat for more).")
@click.option("--rules", type=click.Path(file_okay=False),
              help="Folder of grant packs (default: the bundled rules/).")
@click.option("--force", is_flag=True, help="Write over FILE if it exists.")
def new_proposal(file, council, grants, rules, force) -> None:
    """Write a proposal workbook (.xlsx): Awards and Lines sheets with drop-down lists
    from the packs, and a Guide to each pack's purposes and rules."""
    from pathlib import Path

    from ringfence.engine.authoring.proposal_workbook import write_proposal_workbook
    from ringfence.engine.packs.loading import load_packs

    if not file.lower().endswith(".xlsx"):
        raise click.BadParameter("the workbook's name must end in .xlsx", param_hint="FILE")
    if Path(file).exists() and not force:
        # It may be a proposal filled in over days: never written over unasked.
        raise click.BadParameter(f"{file} already exists: give another name, or --force",
                                 param_hint="FILE")
    write_proposal_workbook(file, load_packs(Path(rules) if rules else None),
                            council=council, grants=grants)
    click.echo(f"wrote {file}: fill in its Awards and Lines sheets, then run "
               f"`ringfence check {file}`", err=True)


def _size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*", text, re.IGNORECASE)
    if not match:
        raise click.BadParameter(f"'{text}' is not a size such as 20MB or 512KB",
                                 param_hint="--max-upload")
    unit = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}[(match[2] or "B").upper()]
    return int(float(match[1]) * unit)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the default is this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--max-upload", default="20MB", show_default=True,
              help="Largest upload accepted (a larger one gets 413), e.g. 20MB or 512KB.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Worker processes: checks run at once, one per process.")
def serve(host, port, max_upload, workers) -> None:
    """A local web page to check a proposal, and the same check as a JSON API."""
    import socket

    import uvicorn

    from ringfence.web.app import create_app

    try:  # a port in use is the user's to fix: one line, not uvicorn's log and exit
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    app = create_app(max_upload=_size(max_upload), workers=workers)
    click.echo(f"ringfence: serving on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def main(argv: list[str] | None = None) -> None:
    # A console that cannot show a character (cp1252 has no box drawing) gets an escape
    # for it, not a crash.
    for stream in (sys.stdout, sys.stderr):
        _reconfigure(stream, errors="backslashreplace")
    try:
        cli.main(args=argv, prog_name="ringfence", standalone_mode=False)
    except InputError as exc:
        # Loaded already, by the reader that raised it.
        from ringfence.engine.inputs.ledger import RejectedRowsError

        if isinstance(exc, RejectedRowsError):
            for line in exc.lines():
                click.echo(f"ringfence: {one_line(line)}", err=True)
            sys.exit(ExitCode.BAD_INPUT)
        _fail(str(exc), ExitCode.BAD_INPUT)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", ExitCode.BAD_INPUT)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except MemoryError:
        _out_of_memory()
    except OSError as exc:
        # polars reports a reader that stopped early (| head) as a plain OSError.
        if "Broken pipe" in str(exc):
            sys.exit(1)
        if exc.errno == errno.ENOMEM or "(os error 12)" in str(exc):
            _out_of_memory()
        _internal_error(exc)
    except Exception as exc:
        _internal_error(exc)
    except BaseException as exc:
        # polars' Rust panics arrive as pyo3's PanicException, which is not an Exception.
        if type(exc).__name__ != "PanicException":
            raise
        if any(word in str(exc) for word in ("alloc", "capacity overflow", "out of memory")):
            _out_of_memory()
        _internal_error(exc)


def _out_of_memory() -> None:
    _fail("out of memory: the inputs need more memory than this machine allows (fewer or "
          "smaller input files per run, or --jobs 1, need less)", ExitCode.OUT_OF_MEMORY)


def _internal_error(exc: BaseException) -> None:
    """A bug, not the user's input: still one line, unless asked for the traceback."""
    if os.environ.get("RINGFENCE_DEBUG"):
        raise exc
    _fail(f"internal error: {type(exc).__name__}: {exc} (set RINGFENCE_DEBUG=1 for details)",
          ExitCode.INTERNAL_ERROR)


def _fail(message: str, code: int) -> None:
    click.echo(f"ringfence: {one_line(message)}", err=True)
    sys.exit(code)


def run() -> None:
    """The console entry point: main() in a watched child process (see _watched)."""
    _watched(_run_main)


def _run_main() -> None:
    """main(), then exit at once. A million-line check leaves a gigabyte of tables that
    Python would otherwise free piece by piece on its way out."""
    if not os.environ.get("RINGFENCE_DEBUG"):
        # A Rust abort (out of memory) then says so in two lines, not with a backtrace.
        os.environ["RUST_BACKTRACE"] = "0"
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


def _die_with_parent(parent: int) -> None:
    """The child stops when its parent is killed: SIGKILL (a cancelled CI job, `kill -9`)
    cannot be passed on, and an orphaned check would go on and write its report."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took hold
        os._exit(128 + signal.SIGKILL)


def _watched(work) -> None:
    """Runs `work` in a forked child and exits as it did. Running out of memory inside
    polars' Rust code aborts the process (SIGABRT, after Rust's own one-line message),
    and the kernel's out-of-memory killer sends SIGKILL: neither can be caught where it
    happens, so this small parent reports them with their own exit code."""
    parent = os.getpid()
    try:
        child = os.fork() if hasattr(os, "fork") else None
    except OSError:
        child = None
    if not child:
        if child == 0:
            _die_with_parent(parent)
        work()  # the child (or, where there is no fork, the process itself)
        return
    # Ctrl-C reaches the child from the terminal; a signal sent to this process only
    # (a CI job cancelled) is passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda number, _frame: os.kill(child, number))
    _, status = os.waitpid(child, 0)
    if os.WIFEXITED(status):
        os._exit(os.WEXITSTATUS(status))
    number = os.WTERMSIG(status)
    if number in (signal.SIGABRT, signal.SIGKILL):
        name = signal.Signals(number).name
        os.write(2, f"ringfence: out of memory: the check was stopped ({name}); the inputs "
                    f"need more memory than this machine allows\n".encode())
        os._exit(ExitCode.OUT_OF_MEMORY)
    os._exit(128 + number)


if __name__ == "__main__":
    run()

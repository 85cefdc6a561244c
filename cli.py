"""ringfence command line: thin over engine/."""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager

import click
from rich.console import Console

from engine import __version__
from engine.check import CheckRequest, run_check
from engine.errors import InputError, one_line
from engine.inputs.ledger import RejectedRowsError
from engine.reports import WRITERS, WriteContext

FORMATS = tuple(WRITERS)
FAIL_LEVELS = ("non_compliant", "at_risk", "never")


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
def check(inputs, awards, rules, column_map, skip_bad_rows, fmt, output, fail_on) -> None:
    """Check proposals or ledgers: each line compliant, at risk or non-compliant, and why."""
    request = CheckRequest(list(inputs), awards=awards, rules=rules, column_map=column_map,
                           skip_bad_rows=skip_bad_rows,
                           options={"format": fmt, "fail_on": fail_on})
    with progress_reporter() as progress:
        request.progress = progress
        result = run_check(request)
    _write(result, fmt, output)
    sys.exit(1 if result.fails(fail_on) else 0)


@contextmanager
def progress_reporter():
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total or None)

        yield update


def _write(result, fmt: str, output: str | None, **options) -> None:
    writer = WRITERS[fmt]
    context = WriteContext(output=output, is_terminal=output is None and sys.stdout.isatty(),
                           options=options)
    if writer.binary:
        if not output:
            raise click.UsageError(f"--format {fmt} writes a binary file: give --output FILE")
        writer.write(result, None, context)
        return
    if output:
        with open(output, "w", encoding="utf-8", newline="") as stream:
            writer.write(result, stream, context)
        if fmt == "csv":  # a CSV file has nowhere of its own to carry its evidence
            with open(f"{output}.evidence.json", "w", encoding="utf-8") as stream:
                json.dump(result.evidence, stream, indent=2, ensure_ascii=False)
                stream.write("\n")
    else:
        writer.write(result, sys.stdout, context)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="ringfence", standalone_mode=False)
    except RejectedRowsError as exc:
        for line in exc.lines():
            click.echo(f"ringfence: {one_line(line)}", err=True)
        sys.exit(2)
    except InputError as exc:
        _fail(str(exc), 2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 2)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    except Exception as exc:  # a bug, not the user's input: still one line unless asked
        if os.environ.get("RINGFENCE_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set RINGFENCE_DEBUG=1 for details)", 3)


def _fail(message: str, code: int) -> None:
    click.echo(f"ringfence: {one_line(message)}", err=True)
    sys.exit(code)


if __name__ == "__main__":
    main()

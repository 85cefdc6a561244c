"""Report writers: they read a CheckResult and write; they never compute findings.

Each format registers a writer `write(result, stream, context)` here; `stream`
is a text stream, or None when the writer writes `context.output` itself (binary
formats always do; the CSV writer does when given a file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class WriteContext:
    output: str | None = None      # a path, or None for stdout
    is_terminal: bool = False      # stdout is a terminal (colour, width)
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Writer:
    write: Callable  # (result, stream: TextIO | None, context: WriteContext) -> None
    binary: bool = False  # binary writers need --output and write the file themselves
    #: Writes --output itself when one is given (a large CSV skips Python's text layer).
    to_file: bool = False


def _table(result, stream: TextIO, context: WriteContext) -> None:
    from rich.console import Console

    from . import terminal

    console = Console(file=stream, force_terminal=context.is_terminal or None,
                      width=None if context.is_terminal else 120,
                      no_color=not context.is_terminal and context.output is not None)
    terminal.write(result, console)


def _json(result, stream: TextIO | None, context: WriteContext) -> None:
    from . import json_report

    if stream is not None:
        json_report.write(result, stream)
        return
    # (The caller makes the file take its name only once complete: see replacing.py.)
    assert context.output is not None  # no stream: the writer writes --output itself
    with open(context.output, "w", encoding="utf-8", newline="") as file:
        json_report.write(result, file)


def _module_writer(name: str):
    def write(result, stream, context):
        from importlib import import_module

        import_module(f"{__name__}.{name}").write(result, stream, context)

    return write


WRITERS: dict[str, Writer] = {
    "table": Writer(_table),
    "json": Writer(_json, to_file=True),
    "csv": Writer(_module_writer("csv_report"), to_file=True),
    "md": Writer(_module_writer("md_report")),
    "html": Writer(_module_writer("html_report")),
    "xlsx": Writer(_module_writer("xlsx_report"), binary=True),
    "junit": Writer(_module_writer("junit_report")),
    "sarif": Writer(_module_writer("sarif_report")),
    "github": Writer(_module_writer("github_report")),
}

#: Writers of `ringfence diff`: write(diff: engine.diff.DiffResult, stream, context).
DIFF_WRITERS: dict[str, Writer] = {
    "text": Writer(_module_writer("diff_text")),
    "json": Writer(_module_writer("diff_json")),
    "md": Writer(_module_writer("diff_md")),
}

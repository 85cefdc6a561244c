"""What the tests share: where things are, and the command line run in-process.

Fixtures live in conftest.py; plain values and functions live here, so that a test
imports them by name (`from helpers import REPO`) rather than from conftest.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The real council ledgers, beside the repository (tests that need them skip without).
SHARED = REPO.parent / "shared"
FIXTURE_PACKS = REPO / "tests" / "fixtures" / "packs"
#: The data-driven YAML cases (money, dates, bad input, cross-line, ringfence).
TEST_CASES = REPO / "tests" / "cases"


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliRun:
    """Run `ringfence ARGS` in-process, as the console script does."""
    from ringfence.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliRun(code, out.getvalue(), err.getvalue())


def workbook_of(yaml_path: Path, out: Path) -> Path:
    """The proposal workbook of a YAML proposal, as `ringfence new proposal` lays it out."""
    from ringfence.engine.authoring.proposal_workbook import write_proposal_workbook
    from ringfence.engine.core.validation import validate
    from ringfence.engine.core.yamlio import load_file
    from ringfence.engine.models.awards import Proposal
    from ringfence.engine.packs.loading import load_packs

    proposal = validate(Proposal, load_file(yaml_path))
    write_proposal_workbook(str(out), load_packs(), proposal=proposal)
    return out

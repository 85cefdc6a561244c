"""Bad input exits 2 with one clear line, as tests/cases/bad_input.yaml specifies."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from helpers import FIXTURE_PACKS, REPO, TEST_CASES

CASES = yaml.safe_load((TEST_CASES / "bad_input.yaml").read_text())


def _materialise(case, tmp_path) -> list[str]:
    for name, text in case["files"].items():
        (tmp_path / name).write_text(text)
    args = [a.replace("{dir}", str(tmp_path)) for a in case["args"]]
    return args + ["--rules", str(FIXTURE_PACKS)] if args[0] in ("check", "diff") else args


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_is_one_line_and_exit_2(case, tmp_path, cli):
    run = cli(*_materialise(case, tmp_path))
    assert run.code == 2, (run.stdout, run.stderr)
    assert run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    for fragment in case["stderr"]:
        assert fragment in run.stderr, (fragment, run.stderr)


def test_no_traceback_from_the_installed_command(tmp_path):
    """The console script itself (not just main()) turns errors into one line."""
    case = next(c for c in CASES if c["name"] == "an impossible date")
    args = _materialise(case, tmp_path)
    done = subprocess.run([sys.executable, "-m", "ringfence.cli", *args],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1

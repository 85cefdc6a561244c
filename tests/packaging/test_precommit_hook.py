"""The pre-commit hook (.pre-commit-hooks.yaml), installed the way pre-commit installs it.

pre-commit clones the repository, builds a virtual environment for it and installs it
with pip, not in editable mode: the hook must find its bundled packs there. `pre-commit
try-repo` does exactly that with this checkout (uncommitted changes included).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from helpers import REPO

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(),
    reason="needs git and this checkout's repository")


def _git(folder, *args):
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def test_the_hook_passes_a_compliant_budget_and_fails_a_non_compliant_one(tmp_path):
    budgets = tmp_path / "budgets"
    budgets.mkdir()
    shutil.copy(REPO / "cases" / "rotherham-2025-26" / "proposal.yaml",
                budgets / "rotherham-budget.yaml")
    shutil.copy(REPO / "cases" / "problems" / "proposal.yaml", budgets / "problems-budget.yaml")
    (budgets / "notes.yaml").write_text("not: a budget\n")  # the hook's `files:` skips it
    _git(budgets, "init", "-q")
    _git(budgets, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}

    def hook(*files):
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "ringfence-check",
             "--files", *files], cwd=budgets, env=env, capture_output=True, text=True,
            timeout=600)

    passed = hook("rotherham-budget.yaml", "notes.yaml")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout

    failed = hook("problems-budget.yaml")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "NON-COMPLIANT" in failed.stdout

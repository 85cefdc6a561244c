"""A throwaway git repository, and `ringfence` run inside it as a user would run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


class GitRepo:
    def __init__(self, path: Path):
        if shutil.which("git") is None:
            pytest.skip("git is not installed")
        self.path = path
        # A user's or CI's own git settings (signing, hooks, templates) stay out of it.
        self.env = {**os.environ, "GIT_AUTHOR_NAME": "Budget Officer",
                    "GIT_AUTHOR_EMAIL": "budget@example.org",
                    "GIT_COMMITTER_NAME": "Budget Officer",
                    "GIT_COMMITTER_EMAIL": "budget@example.org",
                    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        self.git("init", "-q")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.path, env=self.env, capture_output=True,
                              text=True, check=True)
        return done.stdout

    def write(self, name: str, text: str) -> Path:
        path = self.path / name
        path.write_text(text)
        return path

    def commit(self, name: str, text: str, message: str) -> None:
        self.write(name, text)
        self.git("add", name)
        self.git("commit", "-q", "-m", message)

    def ringfence(self, *args) -> subprocess.CompletedProcess:
        """`ringfence ARGS` in the repository, as a separate process."""
        return subprocess.run([sys.executable, "-m", "ringfence.cli", *map(str, args)],
                              cwd=self.path, env=self.env, capture_output=True, text=True)

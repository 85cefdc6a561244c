"""Regenerate the golden reports: `python tests/golden/regenerate.py`.

Golden files are never edited by hand: change the code, run this, and read
the diff before committing it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
CASES = {"problems": "cases/problems/proposal.yaml"}
FORMATS = {"json": "json", "csv": "csv", "md": "md", "html": "html"}


def render(case: str, fmt: str) -> bytes:
    """The report as the CLI writes it, run from the repository root."""
    done = subprocess.run([sys.executable, "-m", "ringfence.cli", "check", CASES[case],
                           "--format", fmt, "--fail-on", "never"], cwd=REPO, capture_output=True,
                          env={**os.environ, "COLUMNS": "120"})
    if done.returncode != 0:
        raise SystemExit(done.stderr.decode())
    return done.stdout


def main() -> None:
    for case in CASES:
        for fmt, suffix in FORMATS.items():
            (GOLDEN / f"{case}.{suffix}").write_bytes(render(case, fmt))


if __name__ == "__main__":
    main()

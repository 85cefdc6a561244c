"""Waivers as the gate tests write them, shared by tests/gate and tests/reports."""

from __future__ import annotations

import yaml
from gitrepo import GitRepo
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "ci"
#: The day tests/fixtures/ci/waivers.yaml is judged on.
TODAY = ("--today", "2025-10-01")


def waiver(line_id, rule, expires="2026-03-31", **extra):
    return {"line_id": line_id, "rule": rule, "reason": f"accepted {rule}",
            "approved_by": "S151 officer", "reference": f"REF-{line_id}", "expires": expires,
            **extra}


def write_waivers(folder, *waivers):
    path = folder / "w.yaml"
    path.write_text(yaml.safe_dump({"waivers": list(waivers)}, sort_keys=False))
    return path


def repo_adding_a_capital_line(folder) -> GitRepo:
    """A repository whose working budget.yaml adds capital line B05 to HEAD's."""
    repo = GitRepo(folder)
    budget = (FIXTURES / "budget.yaml").read_text()
    repo.commit("budget.yaml", budget, "budget")
    repo.write("budget.yaml", budget + "  - {line_id: B05, date: 2025-09-01, amount: 1000, "
                                       "purpose: workforce, cost_type: capital}\n")
    return repo

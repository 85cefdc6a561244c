"""Every pack's own YAML test cases, one pytest case each, and their rule coverage.

A case lists exactly the rules a line must match; durable-rules and the
reference evaluator must both agree with it. Every rule must be shown both
matching and not matching by some case.
"""

from __future__ import annotations

import pytest
from helpers import FIXTURE_PACKS

from ringfence.engine.authoring.packtests import load_cases, run_case, run_pack_tests
from ringfence.engine.packs.compiled import CompiledPack
from ringfence.engine.packs.loading import bundled_rules, load_pack, pack_files

PACKS = {file.parent.name: file for file in pack_files(bundled_rules()) + pack_files(FIXTURE_PACKS)}
_compiled: dict[str, CompiledPack] = {}


def compiled(name: str) -> CompiledPack:
    if name not in _compiled:
        _compiled[name] = CompiledPack(load_pack(PACKS[name]))
    return _compiled[name]


CASES = [(name, case) for name, file in PACKS.items() for case in load_cases(file.parent)]


@pytest.mark.parametrize("pack_name,case", CASES,
                         ids=[f"{name}:{case.name}" for name, case in CASES])
def test_case(pack_name, case):
    outcome = run_case(compiled(pack_name), case)
    assert sorted(outcome.actual) == sorted(case.expected), f"{case.source}:{case.line}"
    assert sorted(outcome.reference) == sorted(case.expected), f"{case.source}:{case.line}"


@pytest.mark.parametrize("pack_name", sorted(n for n, f in PACKS.items()
                                              if f.is_relative_to(bundled_rules())))
def test_every_bundled_rule_is_shown_matching_and_not_matching(pack_name):
    _, coverage = run_pack_tests(compiled(pack_name))
    assert coverage.missing() == []

"""Run a pack's YAML test cases through durable-rules and measure rule coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .compiled import CompiledPack
from .errors import InputError
from .models.lines import Line
from .models.packtests import PackTestFile
from .reference import matching_rules
from .validation import validate
from .yamlio import load_file

TESTS_DIR = "tests"


@dataclass(frozen=True)
class CaseOutcome:
    source: str
    line: int
    name: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]
    reference: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return set(self.expected) == set(self.actual) == set(self.reference)


@dataclass
class Coverage:
    rules: list[str]
    matched: dict[str, int] = field(default_factory=dict)
    unmatched: dict[str, int] = field(default_factory=dict)

    def missing(self) -> list[tuple[str, str]]:
        """(rule id, 'matching' or 'not matching') for each side no case shows."""
        out = []
        for rule in self.rules:
            if not self.matched.get(rule):
                out.append((rule, "matching"))
            if not self.unmatched.get(rule):
                out.append((rule, "not matching"))
        return out


@dataclass(frozen=True)
class LoadedCase:
    source: str
    line: int
    name: str
    values: dict
    expected: tuple[str, ...]


def load_cases(pack_dir: Path) -> list[LoadedCase]:
    cases = []
    for file in sorted((Path(pack_dir) / TESTS_DIR).glob("*.yaml")):
        doc = load_file(file)
        suite = validate(PackTestFile, doc)
        for index, case in enumerate(suite.cases):
            values = {"line_id": f"{file.stem}-{index + 1}", "amount": 100,
                      **suite.defaults, **case.line}
            line_no = doc.line_of(("cases", index)) or 0
            try:
                line = Line.model_validate(values)
            except Exception as exc:
                raise InputError(f"case '{case.name}': {exc}".splitlines()[0], source=str(file),
                                 line=line_no, field=f"cases[{index}].line") from None
            typed = {name: getattr(line, name) for name in type(line).model_fields}
            cases.append(LoadedCase(str(file), line_no, case.name, typed, tuple(case.findings)))
    return cases


def run_case(pack: CompiledPack, case: LoadedCase) -> CaseOutcome:
    typed = dict(case.values)
    for name, value in typed.items():
        if isinstance(value, str):
            typed[name] = value.strip() or None
    return CaseOutcome(case.source, case.line, case.name, case.expected, pack.decide(typed),
                       matching_rules(pack, pack.fact(typed)))


def run_pack_tests(pack: CompiledPack) -> tuple[list[CaseOutcome], Coverage]:
    known = {rule.id for rule in pack.rules}
    outcomes = []
    coverage = Coverage([rule.id for rule in pack.rules])
    for case in load_cases(pack.loaded.path.parent):
        unknown = sorted(set(case.expected) - known)
        if unknown:
            raise InputError(f"case '{case.name}' expects unknown rule '{unknown[0]}'",
                             source=case.source, line=case.line, field="findings")
        outcome = run_case(pack, case)
        outcomes.append(outcome)
        for rule in known:
            bucket = coverage.matched if rule in outcome.actual else coverage.unmatched
            bucket[rule] = bucket.get(rule, 0) + 1
    return outcomes, coverage

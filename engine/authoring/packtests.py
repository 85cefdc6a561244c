"""Run a pack's YAML test cases through durable-rules and measure rule coverage.

Each case is checked against the version of the pack in force on its line's
date (the latest when it has none). Coverage counts rule definitions: a rule an
amendment adds or replaces is a new definition (`id@version`) that needs its
own cases; a rule carried over unchanged shares the cases of every version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError
from ..core.validation import validate
from ..core.yamlio import load_file
from ..models.lines import Line
from ..models.packtests import PackTestFile
from ..packs.compiled import CompiledPack
from ..packs.loading import load_packs
from ..packs.reference import matching_rules

TESTS_DIR = "tests"


@dataclass(frozen=True)
class CaseOutcome:
    source: str
    line: int
    name: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]
    reference: tuple[str, ...]
    version: str | None = None

    @property
    def passed(self) -> bool:
        return set(self.expected) == set(self.actual) == set(self.reference)


@dataclass
class Coverage:
    rules: list[str]
    matched: dict[str, int] = field(default_factory=dict)
    unmatched: dict[str, int] = field(default_factory=dict)
    #: rule (definition key) -> its clause
    clauses: dict[str, str] = field(default_factory=dict)

    def by_clause(self) -> dict[str, list[str]]:
        """clause -> its rules, in pack order."""
        out: dict[str, list[str]] = {}
        for rule in self.rules:
            out.setdefault(self.clauses.get(rule, ""), []).append(rule)
        return out

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
    """The case through durable-rules and the reference, in the version in force on its date."""
    typed = dict(case.values)
    for name, value in typed.items():
        if isinstance(value, str):
            typed[name] = value.strip() or None
    pack = pack.for_date(typed.get("date"))
    return CaseOutcome(case.source, case.line, case.name, case.expected, pack.decide(typed),
                       matching_rules(pack, pack.fact(typed)), pack.version)


def definition_keys(pack: CompiledPack) -> dict[int, str]:
    """id(rule) -> `rule-id`, or `rule-id@version` for a rule an amendment adds or replaces."""
    keys = {id(rule): rule.id for rule in pack.loaded.pack.rules}
    for amendment in pack.loaded.pack.amendments:
        for rule in [*amendment.rules.add, *amendment.rules.replace]:
            keys[id(rule)] = f"{rule.id}@{amendment.version}"
    return keys


def run_pack_tests(pack: CompiledPack) -> tuple[list[CaseOutcome], Coverage]:
    keys = definition_keys(pack)
    coverage = Coverage([])
    known: set[str] = set()
    for version in pack.versions.values():
        for rule in version.rules:
            known.add(rule.id)
            if keys[id(rule)] not in coverage.clauses:
                coverage.rules.append(keys[id(rule)])
                coverage.clauses[keys[id(rule)]] = rule.clause
    outcomes = []
    for case in load_cases(pack.loaded.path.parent):
        unknown = sorted(set(case.expected) - known)
        if unknown:
            raise InputError(f"case '{case.name}' expects unknown rule '{unknown[0]}'",
                             source=case.source, line=case.line, field="findings")
        outcome = run_case(pack, case)
        outcomes.append(outcome)
        assert outcome.version is not None  # run_case names the version it ran
        for rule in pack.versions[outcome.version].rules:
            bucket = coverage.matched if rule.id in outcome.actual else coverage.unmatched
            bucket[keys[id(rule)]] = bucket.get(keys[id(rule)], 0) + 1
    return outcomes, coverage


@dataclass
class PackTestReport:
    """One pack's cases and coverage, as `rules test` shows them."""

    pack: str
    path: Path
    outcomes: list[CaseOutcome]
    coverage: Coverage

    @property
    def failures(self) -> list[CaseOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.passed]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.coverage.missing()


def run_rules_tests(rules_dir: Path | None = None) -> list[PackTestReport]:
    """Every pack's cases in `rules_dir` (default: the bundled rules/), pack by pack."""
    reports = []
    for pack_id, loaded in sorted(load_packs(rules_dir).items()):
        outcomes, coverage = run_pack_tests(CompiledPack(loaded))
        reports.append(PackTestReport(pack_id, loaded.path, outcomes, coverage))
    return reports

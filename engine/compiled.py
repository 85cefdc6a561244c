"""A grant pack compiled for checking: resolved conditions and its durable-rules runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from .conditions import Node, Test, resolve, tests_of
from .durable_runner import RulesetRunner
from .facts import GUARD_FIELD, make_fact
from .models.lines import LINE_FIELDS
from .models.pack import Pack, Rule
from .packs import LoadedPack, PackVersion


@dataclass
class CompiledPack:
    """One version of a pack, compiled; by default the latest (the only one, if never amended)."""

    loaded: LoadedPack
    version: str | None = None
    rules: list[Rule] = field(init=False)
    conditions: list[Node] = field(init=False)

    def __post_init__(self):
        by_label = {v.label: v for v in self.loaded.versions}
        self.in_force: PackVersion = by_label[self.version] if self.version else \
            self.loaded.versions[-1]
        self.version = self.in_force.label
        pack = self.pack
        self.rules = list(pack.rules)
        self.conditions = [resolve(rule.when, pack) for rule in self.rules]

    @property
    def id(self) -> str:
        return self.loaded.pack.id

    @property
    def pack(self) -> Pack:
        """The pack as it stands in this version (period, purposes and rules in force)."""
        return self.in_force.pack

    @cached_property
    def versions(self) -> dict[str, "CompiledPack"]:
        """Every version of the pack, compiled, in the order they came into force."""
        out = {}
        for version in self.loaded.versions:
            out[version.label] = self if version.label == self.version else \
                CompiledPack(self.loaded, version.label)
        for compiled in out.values():
            compiled.__dict__["versions"] = out  # one compiled object per version, shared
        return out

    def for_date(self, day) -> "CompiledPack":
        """The version in force on `day` (the latest for an undated line)."""
        return self.versions[self.loaded.version_in_force(day).label]

    @cached_property
    def tests(self) -> list[Test]:
        """Every distinct leaf test of the pack: lines that agree on all of them are alike."""
        unique: dict[Test, None] = {}
        for node in self.conditions:
            for test in tests_of(node):
                unique.setdefault(test, None)
        return list(unique)

    @cached_property
    def fields(self) -> dict[str, str]:
        read = {test.field for test in self.tests} | {GUARD_FIELD}
        return {name: kind for name, kind in LINE_FIELDS.items() if name in read}

    @cached_property
    def word_fields(self) -> frozenset[str]:
        return frozenset(test.field for test in self.tests if test.op == "matches")

    @cached_property
    def runner(self) -> RulesetRunner:
        return RulesetRunner(self.conditions, f"{self.id}_v{self.version}")

    def fact(self, line: Mapping[str, Any]) -> dict[str, Any]:
        return make_fact(line, self.fields, self.word_fields)

    def decide(self, line: Mapping[str, Any]) -> tuple[str, ...]:
        """Rule ids durable-rules matches for one line, in pack order."""
        return tuple(self.rules[i].id for i in self.runner.decide(self.fact(line)))


def compile_packs(packs: Mapping[str, LoadedPack]) -> dict[str, CompiledPack]:
    return {pack_id: CompiledPack(loaded) for pack_id, loaded in packs.items()}

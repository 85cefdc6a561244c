"""A grant pack compiled for checking: resolved conditions and its durable-rules runner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..models.lines import LINE_FIELDS
from ..models.pack import Pack, Rule
from .conditions import Node, Test, resolve, tests_of
from .durable_compiler import definition_size
from .durable_runner import RulesetRunner
from .facts import GUARD_FIELD, make_fact
from .loading import LoadedPack, PackVersion

#: Two limits of durable-rules found here, each making a shard of a big pack:
#: a ruleset definition much over 80,000 characters of JSON (about 700 simple rules)
#: makes `register_rulesets` spin forever, so rulesets stay under half that; and a
#: fact that matches more than 64 rules of one ruleset fails to assert (error 303),
#: so no ruleset has more rules than that.
SHARD_SIZE = 40_000
SHARD_RULES = 64


class _Tested:
    """What a set of conditions reads: its distinct leaf tests (lines that agree on all
    of them are alike), and the fields and word fields a fact must carry for them."""

    conditions: list[Node]

    @cached_property
    def tests(self) -> list[Test]:
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
    def word_patterns(self) -> dict[str, tuple[str, ...]]:
        """Each text field rules match words in, with the patterns they match."""
        out: dict[str, tuple[str, ...]] = {}
        for test in self.tests:
            if test.op == "matches":
                out[test.field] = out.get(test.field, ()) + (test.value,)
        return out

    def fact(self, line: Mapping[str, Any]) -> dict[str, Any]:
        return make_fact(line, self.fields, self.word_patterns)


@dataclass
class Shard(_Tested):
    """Some of a pack's rules, registered as one durable-rules ruleset.

    Lines are grouped per shard, by the shard's own tests: rules on different
    fields in different shards multiply no groups together.
    """

    rules: tuple[int, ...]  # indexes into the pack's rules
    conditions: list[Node]
    label: str

    @cached_property
    def runner(self) -> RulesetRunner:
        return RulesetRunner(self.conditions, self.label)

    def decide(self, line: Mapping[str, Any]) -> tuple[int, ...]:
        """Indexes (in the pack) of this shard's rules durable-rules matches for `line`."""
        return tuple(self.rules[i] for i in self.runner.decide(self.fact(line)))


@dataclass
class CompiledPack(_Tested):
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
    def versions(self) -> dict[str, CompiledPack]:
        """Every version of the pack, compiled, in the order they came into force."""
        out = {}
        for version in self.loaded.versions:
            out[version.label] = self if version.label == self.version else \
                CompiledPack(self.loaded, version.label)
        for compiled in out.values():
            compiled.__dict__["versions"] = out  # one compiled object per version, shared
        return out

    def for_date(self, day) -> CompiledPack:
        """The version in force on `day` (the latest for an undated line)."""
        return self.versions[self.loaded.version_in_force(day).label]

    @cached_property
    def shards(self) -> list[Shard]:
        """The pack as durable-rules rulesets: one, unless it is too big for one. Then its
        rules go by the fields they read (so that thresholds on one field do not multiply
        the groups of another), each such set cut to size, in pack order."""
        label = f"{self.id}_v{self.version}"
        if len(self.rules) <= SHARD_RULES and definition_size(self.conditions) <= SHARD_SIZE:
            return [Shard(tuple(range(len(self.rules))), self.conditions, label)]
        by_fields: dict[frozenset[str], list[int]] = {}
        for index, node in enumerate(self.conditions):
            read = frozenset(test.field for test in tests_of(node))
            by_fields.setdefault(read, []).append(index)
        cuts: list[list[int]] = []
        for members in by_fields.values():
            cuts.append([])
            size = 0
            for index in members:
                rule_size = definition_size([self.conditions[index]])
                if cuts[-1] and (size + rule_size > SHARD_SIZE
                                 or len(cuts[-1]) == SHARD_RULES):
                    cuts.append([])
                    size = 0
                cuts[-1].append(index)
                size += rule_size
        return [Shard(tuple(cut), [self.conditions[i] for i in cut], label) for cut in cuts]

    def decide(self, line: Mapping[str, Any]) -> tuple[str, ...]:
        """Rule ids durable-rules matches for one line, in pack order."""
        matched = sorted(index for shard in self.shards for index in shard.decide(line))
        return tuple(self.rules[i].id for i in matched)


def compile_packs(packs: Mapping[str, LoadedPack]) -> dict[str, CompiledPack]:
    return {pack_id: CompiledPack(loaded) for pack_id, loaded in packs.items()}

"""Conditions resolved against their pack, in the value domain of facts.

A pack's rules name refs (`period.start`, `purposes`) and values in the
author's units (dates, pounds); here they become the fact domain (day
numbers, pence, lowercase word patterns), once, for both evaluators: the
durable-rules compiler and the plain-Python reference.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from ..core.dates import day_number
from ..models.conditions import All, AnyOf, Leaf
from ..models.lines import LINE_FIELDS
from .facts import WORDS_SUFFIX


def word_pattern(pattern: str) -> str:
    """What `matches` means: the pattern spans one or more whole words of the text."""
    return f"(.* )?({pattern})( .*)?"


# The part of the pack dialect (models.conditions.check_pattern) whose meaning is the
# same for Python's re and polars' Rust regex on any text: literals, '.', groups,
# alternation, one quantifier per atom (lazy or not: Python 3.11 reads '*+' as
# possessive), and classes of literals and ranges. Everything else ('{,3}', a literal
# '{', '[' inside a class, Rust's '--' set difference) is left to Python.
_ATOM = r"[a-z0-9 ,.)-]|\[\^?-?(?:[a-z0-9](?:-[a-z0-9])?|[ .,|()*+?{}])+-?\]"
_QUANTIFIER = r"(?:[*+?]|\{[0-9]+(?:,[0-9]*)?\})\??"
_SAME_IN_RUST = re.compile(rf"(?:[|(]|(?:{_ATOM})(?:{_QUANTIFIER})?)*")


def search_pattern(pattern: str) -> str | None:
    """`word_pattern(pattern)` as an unanchored search for polars (Rust regex): a match
    starting the text or after a space and ending it or before one. None when the
    two regex engines might read the pattern differently."""
    if not _SAME_IN_RUST.fullmatch(pattern):
        return None
    return f"(?:^| )(?:{pattern})(?: |$)"


def suffix_pattern(pattern: str) -> str:
    """The same test on one word-suffix of the text (see facts.word_suffixes).

    durable-rules' regex engine gets a leading `.*` wrong when the text could
    match it in more than one way (it does not backtrack: `(.* )?(pcn)( .*)?`
    misses 'pcn penalty'), so the fact carries every word-suffix of the text
    and durable-rules tests whether any of them starts with the pattern.
    """
    return f"({pattern})( .*)?"


@dataclass(frozen=True)
class Test:
    """One leaf: `fact_field op value`, where fact_field is what the fact carries."""

    field: str
    op: str
    value: Any

    @property
    def fact_field(self) -> str:
        return self.field + WORDS_SUFFIX if self.op == "matches" else self.field


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOfNodes:
    parts: tuple[Node, ...]


Node = Test | AllOf | AnyOfNodes


class _PeriodScope(Protocol):
    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...


class PackScope(Protocol):
    """What resolving reads of a pack: a Pack, or `rules lint`'s stand-in for one."""

    @property
    def period(self) -> _PeriodScope: ...
    @property
    def purposes(self) -> Iterable[str]: ...


def resolve(condition, pack: PackScope) -> Node:
    if isinstance(condition, All):
        return AllOf(tuple(resolve(c, pack) for c in condition.all))
    if isinstance(condition, AnyOf):
        return AnyOfNodes(tuple(resolve(c, pack) for c in condition.any))
    return _resolve_leaf(condition, pack)


def _resolve_leaf(leaf: Leaf, pack: PackScope) -> Test:
    value: Any = leaf.value
    if leaf.ref == "period.start":
        value = pack.period.start
    elif leaf.ref == "period.end":
        value = pack.period.end
    elif leaf.ref == "purposes":
        value = tuple(pack.purposes)
    return Test(leaf.field, leaf.op, _to_fact_domain(leaf.field, leaf.op, value))


def _to_fact_domain(field: str, op: str, value: Any) -> Any:
    if value is None:
        return None
    if op in ("in", "not_in"):
        return tuple(_to_fact_domain(field, "eq", v) for v in value)
    if op == "matches":
        return value
    if LINE_FIELDS[field] == "date":
        return day_number(value)
    return value


def tests_of(node: Node) -> list[Test]:
    if isinstance(node, Test):
        return [node]
    return [test for part in node.parts for test in tests_of(part)]

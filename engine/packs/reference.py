"""The reference evaluator: the same resolved conditions, in plain Python.

It never classifies a real input; it exists so that tests can check, line
by line, that durable-rules decides exactly what the conditions say.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping

from .conditions import AllOf, AnyOfNodes, Node, Test, word_pattern
from .facts import words


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern)


def holds(test: Test, fact: Mapping[str, Any]) -> bool:
    op = test.op
    if op == "present":
        return test.field in fact
    if op == "absent":
        return test.field not in fact
    if test.fact_field not in fact:
        return False  # every comparison on a missing field is false, `ne` included
    actual = fact[test.fact_field]
    expected = test.value
    if op == "eq":
        return actual == expected and type(actual) is type(expected)
    if op == "ne":
        return not (actual == expected and type(actual) is type(expected))
    if op == "lt":
        return actual < expected
    if op == "le":
        return actual <= expected
    if op == "gt":
        return actual > expected
    if op == "ge":
        return actual >= expected
    if op == "in":
        return any(actual == v and type(actual) is type(v) for v in expected)
    if op == "not_in":
        return not any(actual == v and type(actual) is type(v) for v in expected)
    if op == "matches":
        # The whole text, not what the fact gives durable-rules to test (facts.word_facts).
        return _regex(word_pattern(expected)).fullmatch(words(fact[test.field])) is not None
    raise ValueError(f"unknown operator {op}")


def evaluate(node: Node, fact: Mapping[str, Any]) -> bool:
    if isinstance(node, Test):
        return holds(node, fact)
    if isinstance(node, AllOf):
        return all(evaluate(part, fact) for part in node.parts)
    if isinstance(node, AnyOfNodes):
        return any(evaluate(part, fact) for part in node.parts)
    raise TypeError(node)


def matching_rules(compiled, fact: Mapping[str, Any]) -> tuple[str, ...]:
    """Rule ids whose condition holds, in pack order."""
    return tuple(rule.id for rule, node in zip(compiled.rules, compiled.conditions)
                 if evaluate(node, fact))

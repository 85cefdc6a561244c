"""The reference evaluator: the same resolved conditions, in plain Python.

It never classifies a real input; it exists so that tests can check, line
by line, that durable-rules decides exactly what the conditions say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .conditions import AllOf, AnyOfNodes, Node, Test
from .operators import MISSING, OPERATORS


def holds(test: Test, fact: Mapping[str, Any]) -> bool:
    return OPERATORS[test.op].holds(fact.get(test.field, MISSING), test.value)


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

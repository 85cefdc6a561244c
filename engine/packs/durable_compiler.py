"""Resolved conditions -> durable-rules ruleset definitions (the JSON form).

Follows the safe pattern verified in docs/architecture.md (durable-rules): every
rule is guarded by a field only our lines carry, membership is an `$or` of
equalities (there is no `$in`), and word patterns are tested on each
word-suffix of the text, anchored at its start (see conditions.suffix_pattern).
"""

from __future__ import annotations

import json
from typing import Any

from .conditions import AllOf, AnyOfNodes, Node, Test
from .facts import GUARD_FIELD
from .operators import OPERATORS


def compile_node(node: Node) -> dict[str, Any]:
    if isinstance(node, AllOf):
        return {"$and": [compile_node(part) for part in node.parts]}
    if isinstance(node, AnyOfNodes):
        return {"$or": [compile_node(part) for part in node.parts]}
    return _compile_test(node)


def _compile_test(test: Test) -> dict[str, Any]:
    return OPERATORS[test.op].durable(test.fact_field, test.value)


def rule_name(index: int) -> str:
    return f"r{index}"


def compile_ruleset(conditions: list[Node], actions: list) -> dict[str, Any]:
    """One durable-rules rule per pack rule, named by position, each with its action."""
    ruleset = {}
    for index, (node, action) in enumerate(zip(conditions, actions)):
        guarded = {"$and": [{"$ex": {GUARD_FIELD: 1}}, compile_node(node)]}
        ruleset[rule_name(index)] = {"all": [{"m": guarded}], "run": action}
    return ruleset


def definition_size(conditions: list[Node]) -> int:
    """Characters of the ruleset definition these conditions compile to (without actions)."""
    rules = compile_ruleset(conditions, [None] * len(conditions))
    return len(json.dumps({name: rule["all"] for name, rule in rules.items()}))

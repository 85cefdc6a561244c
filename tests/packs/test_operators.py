"""The operator table: every evaluator knows exactly the operators a pack may write.

The pack format names the operators (models.conditions.OPERATORS); packs.operators
gives each one's meaning to durable-rules, the reference evaluator and the grouping
of lines. An operator added to one and not the other fails here, not in a report.
"""

from __future__ import annotations

import typing

import yaml
from helpers import FIXTURE_PACKS

from ringfence.engine.checks.partition import test_expression as column_test
from ringfence.engine.models.conditions import OPERATORS as WRITTEN
from ringfence.engine.models.conditions import Leaf, Op
from ringfence.engine.packs.conditions import Test as Leaftest
from ringfence.engine.packs.durable_compiler import compile_node
from ringfence.engine.packs.operators import MISSING, OPERATORS


def test_the_table_covers_exactly_the_operators_packs_may_write():
    assert set(OPERATORS) == set(WRITTEN) == set(typing.get_args(Op))
    assert set(typing.get_args(Leaf.model_fields["op"].annotation)) == set(OPERATORS)


def test_every_evaluator_handles_every_operator():
    samples = {"value": 5, "list": (5, 6), "pattern": "hub", "nothing": None}
    for op, (_, takes) in WRITTEN.items():
        field = "description" if takes == "pattern" else "amount"
        test = Leaftest(field, op, samples[takes])
        assert isinstance(compile_node(test), dict), op
        fact_value = "hub" if takes == "pattern" else 5
        assert isinstance(OPERATORS[op].holds(fact_value, test.value), bool), op
        # Every comparison on a missing field is false, `ne` included; only `absent` holds.
        assert OPERATORS[op].holds(MISSING, test.value) is (op == "absent"), op
        if takes != "pattern":  # word patterns are grouped by distinct text instead
            assert column_test(test) is not None, op


def test_the_differential_fixture_pack_uses_every_operator():
    """tests/test_differential.py checks durable-rules against the reference evaluator on
    this pack: it must exercise every operator of the table."""
    pack = yaml.safe_load((FIXTURE_PACKS / "all-ops" / "pack.yaml").read_text())

    def ops(node):
        if isinstance(node, dict):
            if "op" in node:
                yield node["op"]
            for value in node.values():
                yield from ops(value)
        elif isinstance(node, list):
            for value in node:
                yield from ops(value)

    assert set(ops(pack["rules"])) == set(OPERATORS)

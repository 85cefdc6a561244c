"""What each condition operator means, in every evaluator: the one operator table.

The pack format names the operators (models/conditions.OPERATORS); each row here
gives one operator's meaning to each evaluator that runs conditions:
- `durable`: the durable-rules condition on a fact's field (packs/durable_compiler);
- `holds`: the plain-Python reference evaluator's answer (packs/reference), given the
  line's value (as the fact carries it) or MISSING;
- `column`: the test on a whole polars column, for grouping lines that no condition
  can tell apart (checks/partition); None for `matches`, which partition tests on
  each distinct text's words instead.
Values are in the facts' domain (packs/conditions: pence, day numbers, lowercase word
patterns). A test (tests/packs/test_operators.py) checks that the table covers exactly
the operators the pack format allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from .conditions import suffix_pattern, word_pattern
from .facts import words

#: A field the fact does not have: every comparison on it is false, `ne` included
#: (durable-rules' rule, which the reference evaluator follows).
MISSING = object()


def _same(actual: Any, expected: Any) -> bool:
    # durable-rules compares without coercion: True is not 1, 1 is not '1'.
    return actual == expected and type(actual) is type(expected)


def _present(actual: Any) -> bool:
    return actual is not MISSING


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(word_pattern(pattern))


@dataclass(frozen=True)
class Operator:
    durable: Callable[[str, Any], dict]
    holds: Callable[[Any, Any], bool]
    column: Callable[[pl.Expr, Any], pl.Expr] | None


OPERATORS: dict[str, Operator] = {
    "eq": Operator(lambda f, v: {f: v},
                   lambda a, v: _present(a) and _same(a, v), lambda c, v: c.eq(v)),
    "ne": Operator(lambda f, v: {"$neq": {f: v}},
                   lambda a, v: _present(a) and not _same(a, v), lambda c, v: c.ne(v)),
    "lt": Operator(lambda f, v: {"$lt": {f: v}},
                   lambda a, v: _present(a) and a < v, lambda c, v: c.lt(v)),
    "le": Operator(lambda f, v: {"$lte": {f: v}},
                   lambda a, v: _present(a) and a <= v, lambda c, v: c.le(v)),
    "gt": Operator(lambda f, v: {"$gt": {f: v}},
                   lambda a, v: _present(a) and a > v, lambda c, v: c.gt(v)),
    "ge": Operator(lambda f, v: {"$gte": {f: v}},
                   lambda a, v: _present(a) and a >= v, lambda c, v: c.ge(v)),
    # durable-rules has no `$in`: membership is an `$or` of equalities (see
    # models/conditions.MAX_LIST for how many it can take).
    "in": Operator(lambda f, vs: {"$or": [{f: v} for v in vs]},
                   lambda a, vs: _present(a) and any(_same(a, v) for v in vs),
                   lambda c, vs: c.is_in(vs)),
    "not_in": Operator(lambda f, vs: {"$and": [{"$neq": {f: v}} for v in vs]},
                       lambda a, vs: _present(a) and not any(_same(a, v) for v in vs),
                       lambda c, vs: ~c.is_in(vs)),
    # The fact carries the word-suffixes of the text (or, for a long text, the words
    # where each pattern matches: packs/facts.word_facts); durable-rules tests whether
    # any starts with the pattern (see conditions.suffix_pattern for why), the
    # reference the whole words-only text.
    "matches": Operator(lambda f, p: {"$iany": {f: {"$mt": {"$i": suffix_pattern(p)}}}},
                        lambda a, p: _present(a) and _regex(p).fullmatch(words(a)) is not None,
                        None),
    "present": Operator(lambda f, _: {"$ex": {f: 1}}, lambda a, _: _present(a),
                        lambda c, _: c.is_not_null()),
    "absent": Operator(lambda f, _: {"$nex": {f: 1}}, lambda a, _: not _present(a),
                       lambda c, _: c.is_null()),
}

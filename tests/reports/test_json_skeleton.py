"""The JSON report around its lines is the standard library's json.dumps(indent=2) byte for
byte, although its lists that grow with the ledger (cases, out-of-scope lines, rejected
rows) are written by orjson."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.engine.reports.json_report import _GROWING, _dumps

HOSTILE = st.lists(st.sampled_from(
    ['a', 'é', '"', '\\', '\n', '\t', '\x00', '\x1f', '\x7f', '\u2028', '</script>', '£', '😀']),
    max_size=6).map("".join)
SCALARS = st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | HOSTILE
#: what the growing lists hold: records of text, whole numbers and lists of those
RECORDS = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(HOSTILE, inner, max_size=3), max_leaves=12)
#: the rest may hold floats, which json writes its own way
ANYTHING = st.recursive(SCALARS | st.floats(allow_nan=False),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(HOSTILE, inner, max_size=3), max_leaves=12)


@settings(max_examples=300)
@given(st.lists(st.sampled_from([*_GROWING, "summary", "lines", "status", "council"]),
                unique=True).flatmap(lambda names: st.fixed_dictionaries({
                    name: st.lists(RECORDS, max_size=4) if name in _GROWING else ANYTHING
                    for name in names})))
def test_the_skeleton_is_written_as_json_writes_it(skeleton):
    assert _dumps(skeleton) == json.dumps(skeleton, indent=2, ensure_ascii=False)

"""The facts durable-rules sees: one line, in the types it compares correctly.

durable-rules does not coerce types (the string '1500' is not > 999.99) and
its regex engine knows no case folding beyond ASCII and no escapes, so facts
carry integer pence, integer day numbers (20250915), real booleans, and for
text that rules match on, the word-suffixes of a words-only lowercase copy. Missing values are
left out, as every comparison on a missing field is false.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from ..core.dates import day_number

#: Marks every fact as ours: durable-rules' own state document also flows
#: through the rules, and a rule it could match would loop forever.
GUARD_FIELD = "line_id"
WORDS_SUFFIX = "__words"


def words(text: str) -> str:
    """'Recoverable VAT (staff)' -> 'recoverable vat staff'."""
    lowered = text.lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in lowered).split())


def word_suffixes(text: str) -> list[str]:
    """'a b c' -> ['a b c', 'b c', 'c']: where a whole-word match can start."""
    parts = text.split(" ")
    return [" ".join(parts[i:]) for i in range(len(parts))]


def fact_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date":
        return day_number(value) if isinstance(value, dt.date) else None
    if kind == "text":
        text = str(value).strip()
        return text or None
    return value


def make_fact(line: Mapping[str, Any], fields: Mapping[str, str], word_fields: frozenset[str],
              ) -> dict[str, Any]:
    """`line` holds typed values (date, pence int, bool, str); `fields` maps name -> kind."""
    fact: dict[str, Any] = {}
    for name, kind in fields.items():
        value = fact_value(kind, line.get(name))
        if value is None:
            continue
        fact[name] = value
        if name in word_fields:
            normalised = words(value)
            if normalised:
                fact[name + WORDS_SUFFIX] = word_suffixes(normalised)
    fact[GUARD_FIELD] = str(line.get(GUARD_FIELD) or "-")
    return fact

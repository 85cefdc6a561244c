"""The facts durable-rules sees: one line, in the types it compares correctly.

durable-rules does not coerce types (the string '1500' is not > 999.99) and
its regex engine knows no case folding beyond ASCII and no escapes, so facts
carry integer pence, integer day numbers (20250915), real booleans, and for
text that rules match on, the word-suffixes of a words-only lowercase copy. Missing values are
left out, as every comparison on a missing field is false.

Word-suffixes grow with the square of a text's length (a page of text would be tens of
megabytes), and durable-rules refuses a fact of more than 16 MiB of JSON (error 314;
tests/packs/test_durable_limits.py). So a text whose suffixes would pass SUFFIX_BUDGET carries
instead, for each word pattern its rules test, the words where that pattern matched: each
such span is the start of a word-suffix, so durable-rules still tests every pattern and
finds each one that matches, and none that does not (a pattern that matches no suffix
matches no part of one that ends between words). The fact stays within a few times the
text's own size.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..core.dates import day_number
from ..core.errors import InputError

#: Marks every fact as ours: durable-rules' own state document also flows
#: through the rules, and a rule it could match would loop forever.
GUARD_FIELD = "line_id"
WORDS_SUFFIX = "__words"
#: Characters of word-suffixes a fact carries at most (a text of about 4 KB); beyond, the
#: spans where its patterns match.
SUFFIX_BUDGET = 1 << 20
#: durable-rules asserts a fact of up to 2**24 + 39 bytes of JSON (as its wrapper writes
#: it: json.dumps in UTF-8) and fails with error 314 beyond: a margin below that.
MAX_FACT_JSON = (1 << 24) - 4096


def words(text: str) -> str:
    """'Recoverable VAT (staff)' -> 'recoverable vat staff'."""
    lowered = text.lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in lowered).split())


def word_suffixes(text: str) -> list[str]:
    """'a b c' -> ['a b c', 'b c', 'c']: where a whole-word match can start."""
    parts = text.split(" ")
    return [" ".join(parts[i:]) for i in range(len(parts))]


def suffixes_length(text: str) -> int:
    """Characters in word_suffixes(text), without building them."""
    starts = [0] + [match.end() for match in re.finditer(" ", text)]
    return len(text) * len(starts) - sum(starts)


@lru_cache(maxsize=4096)
def _span_regex(pattern: str) -> re.Pattern:
    # A match of the pattern spanning whole words: starting the text or after a space,
    # ending it or before one (conditions.word_pattern, found rather than tested).
    return re.compile(f"(?:^| )({pattern})(?= |$)")


def word_facts(text: str, patterns: Sequence[str]) -> list[str]:
    """What durable-rules tests `patterns` on for the words-only `text`: every word-suffix,
    or past SUFFIX_BUDGET the words where each pattern matches (see the module's notes)."""
    if suffixes_length(text) <= SUFFIX_BUDGET:
        return word_suffixes(text)
    spans: dict[str, None] = {}
    for pattern in patterns:
        found = _span_regex(pattern).search(text)
        if found:
            spans.setdefault(found.group(1), None)
    # A first word keeps the list non-empty; as the start of the first suffix it can
    # match only what the text matches.
    return list(spans) or [text.split(" ", 1)[0]]


def fact_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date":
        return day_number(value) if isinstance(value, dt.date) else None
    if kind == "text":
        text = str(value).strip()
        return text or None
    return value


def make_fact(line: Mapping[str, Any], fields: Mapping[str, str],
              word_patterns: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """`line` holds typed values (date, pence int, bool, str); `fields` maps name -> kind;
    `word_patterns` maps each text field rules match words in to those patterns."""
    fact: dict[str, Any] = {}
    long_text = False
    for name, kind in fields.items():
        value = fact_value(kind, line.get(name))
        if value is None:
            continue
        fact[name] = value
        long_text = long_text or (kind == "text" and len(value) > 1 << 16)
        if name in word_patterns:
            normalised = words(value)
            if normalised:
                fact[name + WORDS_SUFFIX] = word_facts(normalised, word_patterns[name])
    fact[GUARD_FIELD] = str(line.get(GUARD_FIELD) or "-")
    if long_text and json_size(fact) > MAX_FACT_JSON:
        longest = max((n for n in fields if isinstance(fact.get(n), str)),
                      key=lambda n: len(fact[n]))
        raise TextTooLong(longest, fact[longest])
    return fact


def json_size(fact: Mapping[str, Any]) -> int:
    """Bytes of `fact` as durable-rules is given it."""
    return len(json.dumps(fact, ensure_ascii=False).encode())


class TextTooLong(InputError):
    """A line whose text would make a fact durable-rules refuses; the caller knows where
    the line came from (`text` finds it)."""

    def __init__(self, field: str, text: str):
        self.text = text
        super().__init__(f"{len(text):,} characters of text are more than durable-rules can "
                         f"check (a fact of at most {MAX_FACT_JSON:,} bytes of JSON)",
                         field=field)

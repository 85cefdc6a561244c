"""Group lines that no condition of a pack can tell apart.

Two lines that give the same answer to every leaf test of a pack (the same
side of every date and amount threshold, the same answers to every equality
and word pattern, the same fields present) get the same answer from every
rule, so durable-rules only needs to see one representative of each group.
The grouping never decides a finding; durable-rules does, on a real line.

Each line's answers are packed as bits into Int64 key columns. Word patterns
are tested once per distinct text of a field (a ledger repeats its
descriptions and categories), not once per line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import polars as pl

from ..models.conditions import LIST_OPS, PRESENCE_OPS
from ..models.lines import LINE_FIELDS
from ..packs.conditions import Test, search_pattern, word_pattern
from ..packs.facts import words
from ..packs.operators import OPERATORS

_BITS = 62  # tests per Int64 key column
_BATCH = 16  # tests evaluated together


def test_expression(test: Test) -> pl.Expr:
    """The test on a whole column (not `matches`: see _word_bits)."""
    column = pl.col(test.field)
    op, value = test.op, test.value
    on_column = OPERATORS[op].column
    assert on_column is not None, f"'{op}' is tested by words, not on the column"
    if op in PRESENCE_OPS:
        return on_column(column, None)
    kind = LINE_FIELDS[test.field]
    listed = op in LIST_OPS
    if kind == "date":
        # The test holds day numbers (20250915); the column is compared as dates.
        value = tuple(map(_as_date, value)) if listed else _as_date(value)
    if listed:
        result = on_column(column, pl.Series(list(value), dtype=_dtype(kind)).implode())
        return (result & column.is_not_null()).fill_null(False)
    # A missing value fails every comparison, `ne` included (packs/operators.MISSING).
    return on_column(column, pl.lit(value, dtype=_dtype(kind))).fill_null(False)


def _dtype(kind: str) -> type[pl.DataType]:
    return {"date": pl.Date, "money": pl.Int64, "boolean": pl.Boolean}.get(kind, pl.Utf8)


def _as_date(day_number: int) -> dt.date:
    return dt.date(day_number // 10000, day_number // 100 % 100, day_number % 100)


def _word_bits(column: pl.Series, patterns: list[tuple[int, str]],
               texts: dict[str, tuple[pl.Series, pl.Series]]) -> pl.Expr | None:
    """Per line, the bits of the word patterns its text matches (0 for no text); None when
    no text matches any of them (no bits to set).

    Each distinct text is tested once. Ledgers with a text of their own on every line
    (descriptions naming an invoice) have as many texts as lines, so the tests run in
    polars where the two regex engines agree on the pattern, and in Python otherwise.
    `texts` keeps each field's distinct texts and their words (see representatives).
    """
    if column.name not in texts:
        distinct = column.drop_nulls().unique()
        texts[column.name] = distinct, column_words(distinct)
    values, values_words = texts[column.name]
    masks = _word_masks(values_words, patterns)
    matched = masks != 0
    if not matched.any():
        return None
    return pl.col(column.name).replace_strict(
        values.filter(matched), masks.filter(matched), default=0,
        return_dtype=pl.Int64).fill_null(0)


def _word_masks(texts: pl.Series, patterns: list[tuple[int, str]]) -> pl.Series:
    """Per text (its words), the bits of the patterns it matches.

    Most texts match none of a pack's patterns, and one search for any of them (their
    alternation) costs about what one pattern costs: only the texts it finds are
    tested pattern by pattern. A text holds a match of the alternation exactly when it
    holds a match of one of the patterns.
    """
    masks = pl.zeros(texts.len(), dtype=pl.Int64, eager=True)
    searches = [(bit, pattern, search) for bit, pattern in patterns
                if (search := search_pattern(pattern)) is not None]
    rest = patterns
    if len(searches) > 1:
        try:
            candidates = texts.str.contains(
                "|".join(f"(?:{search})" for _, _, search in searches)).arg_true()
        except pl.exceptions.ComputeError:
            pass  # beyond what polars builds at once: pattern by pattern below
        else:
            found = _masks(texts.gather(candidates), [(bit, p) for bit, p, _ in searches])
            masks = masks.scatter(candidates, found) if candidates.len() else masks
            searched = {bit for bit, _, _ in searches}
            rest = [(bit, p) for bit, p in patterns if bit not in searched]
    return masks | _masks(texts, rest)


def _masks(texts: pl.Series, patterns: list[tuple[int, str]]) -> pl.Series:
    masks = pl.zeros(texts.len(), dtype=pl.Int64, eager=True)
    for bit, pattern in patterns:
        masks = masks | (_matching(texts, pattern).cast(pl.Int64) * (1 << bit))
    return masks


def column_words(texts: pl.Series) -> pl.Series:
    """facts.words of each text: in polars for ASCII text, where it is lowercasing and
    spaces for whatever is not a letter or digit; in Python for the rest, whose letters
    and case Python's str defines."""
    result = texts.str.to_lowercase()
    # Most texts need no more than lowercasing: only the others are copied again.
    spaced = result.str.contains(r"[^a-z0-9 ]|  |^ | $").arg_true()
    if spaced.len():
        result = result.scatter(spaced, result.gather(spaced).str.replace_all(
            r"[^a-z0-9]+", " ").str.strip_chars(" "))
    others = texts.str.contains(r"[^\x00-\x7f]").arg_true()
    if others.len():
        result = result.scatter(others, [words(text) for text in texts.gather(others)])
    return result


def _matching(texts: pl.Series, pattern: str) -> pl.Series:
    """Whether each of `texts` (words) matches the word pattern."""
    search = search_pattern(pattern)
    if search is not None:
        try:
            return texts.str.contains(search)
        except pl.exceptions.ComputeError:
            pass  # beyond what polars builds (a large repeat count): Python can
    regex = re.compile(word_pattern(pattern))
    return pl.Series([regex.fullmatch(text) is not None for text in texts], dtype=pl.Boolean)


def _key(table: pl.DataFrame, tests: list[Test],
         texts: dict[str, tuple[pl.Series, pl.Series]]) -> pl.Series:
    """Bit `i` set where the line passes tests[i] (at most _BITS tests)."""
    parts = []
    words_by_field: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for bit, test in enumerate(tests):
        if test.op == "matches":
            words_by_field[test.field].append((bit, test.value))
        else:
            parts.append(pl.when(test_expression(test)).then(pl.lit(1 << bit, pl.Int64))
                         .otherwise(pl.lit(0, pl.Int64)))
    # (A part that is only a literal must not reach sum_horizontal: on a table of several
    # chunks, polars 2.1 gives one row per chunk for it, not one per line.)
    parts += [bits for name, patterns in words_by_field.items()
              if (bits := _word_bits(table[name], patterns, texts)) is not None]
    key = pl.repeat(0, table.height, dtype=pl.Int64, eager=True)
    # A few tests at a time: each holds a whole column until the batch is summed.
    for start in range(0, len(parts), _BATCH):
        key = key + table.select(pl.sum_horizontal(parts[start:start + _BATCH]))[:, 0]
    return key


def representatives(table: pl.DataFrame, tests: list[Test],
                    texts: dict[str, tuple[pl.Series, pl.Series]] | None = None) -> pl.Series:
    """Per row, the index of the first row of its group: the one durable-rules decides.

    `texts`, passed to every call on the same table (a large pack's shards), keeps the
    distinct texts of each field and their words, so they are found once, not per call.
    """
    if table.height == 0:
        return pl.Series("representative", [], dtype=pl.Int64)
    texts = {} if texts is None else texts
    keys = pl.DataFrame([_key(table, tests[start:start + _BITS], texts)
                         .alias(f"k{start // _BITS}")
                         for start in range(0, max(len(tests), 1), _BITS)])
    return keys.with_row_index("row").select(
        pl.col("row").first().over(keys.columns).cast(pl.Int64).alias("representative")
    )["representative"]

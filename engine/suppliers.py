"""Suppliers and references as the cross-line checks compare them.

Finance systems write one supplier many ways ("ACME LTD", "Acme Limited",
"Acme, Ltd.") and one invoice number many ways ("INV-0042", "inv 42"): each
is folded to one form before any two lines are compared. A ledger names far
fewer suppliers and references than it has lines, so each distinct text is
folded once and the lines get numbers (hashkeys.value_codes).
"""

from __future__ import annotations

import polars as pl

from .hashkeys import value_codes

#: Words that say what kind of company a name is, not which: "Acme Ltd" is "Acme Limited".
LEGAL_FORMS = r"\b(?:limited|ltd|plc|llp|lp|inc|incorporated|co|company|the)\b"
#: Names written in place of a person's, withheld under data protection. Many different
#: people share each of them, so they are never compared by name.
REDACTED = r"redact|personal (?:data|information|details)|withheld|data protection"


def fold_suppliers(names: pl.Series) -> pl.Series:
    """Each name as compared: NFKC, lower case, punctuation and legal forms dropped,
    single spaces; null for blank and redacted names."""
    folded = (names.str.normalize("NFKC").str.to_lowercase()
              .str.replace_all(r"[^\w\s]|_", " ").str.replace_all(LEGAL_FORMS, " ")
              .str.replace_all(r"\s+", " ").str.strip_chars())
    return pl.select(pl.when(~names.str.to_lowercase().str.contains(REDACTED) & (folded != ""))
                     .then(folded))[:, 0]


def fold_references(references: pl.Series) -> pl.Series:
    """Each reference as compared: NFKC, lower case, letters and digits only, leading
    zeros of each number dropped ("INV-0042" is "inv42"); null when nothing is left."""
    folded = (references.str.normalize("NFKC").str.to_lowercase()
              .str.replace_all(r"[\W_]", "").str.replace_all(r"(^|\D)0+(\d)", "$1$2"))
    return pl.select(pl.when(folded != "").then(folded))[:, 0]


def codes(values: pl.Series, fold) -> pl.Series:
    """Per line, a number for its folded value (null where it folds to null)."""
    numbers, distinct = value_codes(values)
    folded, _ = value_codes(fold(distinct))
    return folded.gather(numbers)

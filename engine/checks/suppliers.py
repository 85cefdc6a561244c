"""Suppliers and references as the cross-line checks compare them.

Finance systems write one supplier many ways ("ACME LTD", "Acme Limited",
"Acme, Ltd.") and one invoice number many ways ("INV-0042", "inv 42"): each
is folded to one form before any two lines are compared.
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
    folded = (_nfkc(names).str.to_lowercase()
              .str.replace_all(r"[^\w\s]|_", " ").str.replace_all(LEGAL_FORMS, " ")
              .str.replace_all(r"\s+", " ").str.strip_chars())
    return pl.select(pl.when(~names.str.to_lowercase().str.contains(REDACTED) & (folded != ""))
                     .then(folded))[:, 0]


def fold_references(references: pl.Series) -> pl.Series:
    """Each reference as compared: NFKC, lower case, letters and digits only, leading
    zeros of each number dropped ("INV-0042" is "inv42"); null when nothing is left.

    Folded line by line: most references are an invoice's own, so there are nearly as
    many distinct ones as lines, and numbering them first would cost more than it saves.
    """
    folded = _nfkc(references).str.to_lowercase().str.replace_all(r"[\W_]", "")
    folded = _where(folded, folded.str.contains(r"(?:^|\D)0\d"),
                    lambda texts: texts.str.replace_all(r"(^|\D)0+(\d)", "$1$2"))
    return pl.select(pl.when(folded != "").then(folded))[:, 0]


def supplier_codes(names: pl.Series) -> pl.Series:
    """Per line, a number for its folded supplier (null where it folds to null). A ledger
    names far fewer suppliers than it has lines: each name is folded once."""
    numbers, distinct = value_codes(names)
    folded, _ = value_codes(fold_suppliers(distinct))
    return folded.gather(numbers)


def _nfkc(texts: pl.Series) -> pl.Series:
    """NFKC, only where there is something other than ASCII to fold (rarely)."""
    return _where(texts, texts.str.contains(r"[^\x00-\x7f]"),
                  lambda some: some.str.normalize("NFKC"))


def _where(values: pl.Series, mask: pl.Series, change) -> pl.Series:
    """`values` with `change` applied to the values where `mask` is true, and only to them."""
    where = mask.fill_null(False).arg_true()
    return values.clone().scatter(where, change(values.gather(where))) if where.len() else values

"""Money as exact integer pence, parsed from the forms real finance exports use.

Pence are integers so that sums are exact and columns stay numeric; Decimal is
used at the edges (parsing YAML numbers, formatting reports).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"^([+-]?)(\d+)(?:\.(\d+))?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


class MoneyError(ValueError):
    pass


def parse_pence(value: object) -> int:
    """`1234.5`, `£1,234.50`, `-12`, `(12.00)` (= -12) -> pence. Raises MoneyError."""
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is not an amount")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, Decimal):
        return _decimal_to_pence(value, str(value))
    if isinstance(value, float):
        # YAML and JSON loaders hand us Decimal; a float here would already be inexact.
        raise MoneyError(f"{value!r} is a floating-point number; amounts must be exact")
    text = str(value).strip()
    if not text:
        raise MoneyError("no amount given")
    return _text_to_pence(text)


def _text_to_pence(raw: str) -> int:
    text = raw
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    sign = ""
    if text[:1] in ("+", "-"):
        sign, text = text[0], text[1:].lstrip()
    if text.startswith("£"):
        text = text[1:].lstrip()
    if not sign and text[:1] in ("+", "-"):
        sign, text = text[0], text[1:]
    if "," in text:
        if not _GROUPED.match(text):
            raise MoneyError(f"'{raw}' is not an amount (misplaced comma)")
        text = text.replace(",", "")
    match = _NUMBER.match(sign + text) if text else None
    if not match or (negative and sign):
        raise MoneyError(f"'{raw}' is not an amount in pounds and pence")
    pence = _digits_to_pence(match.group(2), match.group(3) or "", raw)
    if negative or match.group(1) == "-":
        pence = -pence
    return pence


def _digits_to_pence(whole: str, fraction: str, raw: str) -> int:
    if len(fraction) > 2:
        if fraction[2:].strip("0"):
            raise MoneyError(f"'{raw}' has fractions of a penny")
        fraction = fraction[:2]
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def _decimal_to_pence(value: Decimal, raw: str) -> int:
    try:
        if not value.is_finite():
            raise MoneyError(f"'{raw}' is not an amount")
        pence = value * 100
        if pence != pence.to_integral_value():
            raise MoneyError(f"'{raw}' has fractions of a penny")
        return int(pence)
    except InvalidOperation as exc:  # pragma: no cover - Decimal edge
        raise MoneyError(f"'{raw}' is not an amount") from exc


def to_decimal(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)


def format_plain(pence: int) -> str:
    """`-1234.50`: the JSON report's form."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def format_gbp(pence: int) -> str:
    """`-£1,234.50`: the form people read."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"

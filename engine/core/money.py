"""Money as exact integer pence, parsed from the forms real finance exports use.

Pence are integers so that sums are exact and columns stay numeric; Decimal is
used at the edges (parsing YAML numbers, formatting reports). The grammar is
one regular expression, shared with the vectorised column parser
(inputs/columns.py), so that both accept exactly the same text.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: Spaces a finance export may pad with, including the non-breaking one.
BLANKS = " \t\r\n\u00a0"
_WS = "[ \\t\\r\\n\\u00a0]*"
#: groups: 1 open paren, 2 sign, 3 sign after £, 4 whole (maybe grouped), 5 fraction, 6 close paren
MONEY_PATTERN = (
    f"^{_WS}(\\(?){_WS}([+-]?){_WS}£?{_WS}([+-]?)"
    "([0-9]{1,3}(?:,[0-9]{3}){1,4}|[0-9]{1,15})(?:\\.([0-9]+))?"
    f"{_WS}(\\)?){_WS}$"
)
_MONEY = re.compile(MONEY_PATTERN)


#: The largest whole-pound part the text grammar accepts (15 digits); numbers
#: are held to the same bound, so that pence always fit a 64-bit column.
MAX_POUNDS = 10**15 - 1


#: The most that the amounts of one run may add up to, ignoring sign: every total, running
#: total and difference from an award (at most MAX_POUNDS) then fits a 64-bit column,
#: where polars would wrap around silently (a total past the award coming out negative).
MAX_TOTAL_PENCE = 9 * 10**18


class MoneyError(ValueError):
    pass


def _bounded(pence: int, raw: str) -> int:
    if abs(pence) > MAX_POUNDS * 100 + 99:
        raise MoneyError(f"'{raw}' is too large to be an amount (at most £{MAX_POUNDS:,}.99)")
    return pence


def parse_pence(value: object) -> int:
    """`1234.5`, `£1,234.50`, `-12`, `(12.00)` (= -12) -> pence. Raises MoneyError."""
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is not an amount")
    if isinstance(value, int):
        return _bounded(value * 100, str(value))
    if isinstance(value, Decimal):
        return _decimal_to_pence(value, str(value))
    if isinstance(value, float):
        # YAML and JSON loaders hand us Decimal; a float here would already be inexact.
        raise MoneyError(f"{value!r} is a floating-point number; amounts must be exact")
    text = str(value)
    if not text.strip(BLANKS):
        raise MoneyError("no amount given")
    match = _MONEY.match(text)
    if not match:
        raise MoneyError(f"'{text.strip(BLANKS)}' is not an amount in pounds and pence")
    opened, sign, sign_after, whole, fraction, closed = match.groups()
    if bool(opened) != bool(closed) or (sign and sign_after) or (opened and (sign or sign_after)):
        raise MoneyError(f"'{text.strip(BLANKS)}' is not an amount in pounds and pence")
    fraction = fraction or ""
    if fraction[2:].strip("0"):
        raise MoneyError(f"'{text.strip(BLANKS)}' has fractions of a penny")
    pence = int(whole.replace(",", "")) * 100 + int(fraction[:2].ljust(2, "0"))
    return -pence if (opened or "-" in (sign, sign_after)) else pence


def _decimal_to_pence(value: Decimal, raw: str) -> int:
    if not value.is_finite():
        raise MoneyError(f"'{raw}' is not an amount")
    # Judged on the digits as written: arithmetic in Decimal's context would round
    # `1.0e-999999999` to zero (£0.00) and overflow on `1e999999`.
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # a finite Decimal's exponent ('n', 'N', 'F' are not)
    while len(digits) > 1 and digits[-1] == 0:
        digits, exponent = digits[:-1], exponent + 1
    if digits == (0,):
        return 0
    if exponent < -2:
        raise MoneyError(f"'{raw}' has fractions of a penny")
    if len(digits) + exponent > 15:
        raise MoneyError(f"'{raw}' is too large to be an amount (at most £{MAX_POUNDS:,}.99)")
    pence = int("".join(map(str, digits))) * 10 ** (exponent + 2)
    return -pence if sign else pence


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

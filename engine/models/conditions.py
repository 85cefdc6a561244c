"""Rule conditions: a small, typed language that compiles to durable-rules.

Every leaf names a canonical line field, an operator and a literal value or a
reference to the pack (its period or purposes). Types are checked here, so a
date is never compared with a number and a regular expression is one that
durable-rules' own regex engine runs as written.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from ..core.dates import DateError, parse_date
from ..core.money import MoneyError, parse_pence
from .lines import LINE_FIELDS
from .types import StrictModel

#: The condition operators as a pack writes them: name -> (how explain and lint show it,
#: what it takes: "value", "list" of values, "pattern", or "nothing"). What each one
#: means, in every evaluator, is in packs/operators.py, keyed by these names.
OPERATORS: dict[str, tuple[str, str]] = {
    "eq": ("=", "value"), "ne": ("!=", "value"),
    "lt": ("<", "value"), "le": ("<=", "value"), "gt": (">", "value"), "ge": (">=", "value"),
    "in": ("in", "list"), "not_in": ("not in", "list"),
    "matches": ("matches", "pattern"),
    "present": ("present", "nothing"), "absent": ("absent", "nothing"),
}
Ref = Literal["period.start", "period.end", "purposes"]
if TYPE_CHECKING:
    FieldName = str  # the names in LINE_FIELDS: a Literal built at run time, opaque to mypy
    Op = str  # the names in OPERATORS, likewise
else:
    FieldName = Literal[tuple(LINE_FIELDS)]
    Op = Literal[tuple(OPERATORS)]

ORDERED_OPS = {"lt", "le", "gt", "ge"}
LIST_OPS = {name for name, (_, takes) in OPERATORS.items() if takes == "list"}
PRESENCE_OPS = {name for name, (_, takes) in OPERATORS.items() if takes == "nothing"}
SYMBOLS = {name: symbol for name, (symbol, _) in OPERATORS.items()}
REF_KINDS = {"period.start": "date", "period.end": "date", "purposes": "list"}
#: durable-rules builds `in` as an `$or` of equalities, which fails at 512.
MAX_LIST = 500


class ConditionError(ValueError):
    """A leaf that cannot work as written; `key` is the key at fault (op, value or ref)."""

    def __init__(self, message: str, key: str):
        super().__init__(message)
        self.key = key


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true or false)"
    if isinstance(value, (int, Decimal)):
        return f"{value} (a number)"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (a date)"
    return f"{value!r} (text)" if isinstance(value, str) else repr(value)


class Leaf(StrictModel):
    field: FieldName
    op: Op
    value: Any = None
    ref: Ref | None = None

    @model_validator(mode="after")
    def _typed(self):
        kind = LINE_FIELDS[self.field]
        if self.op in PRESENCE_OPS:
            if self.value is not None or self.ref is not None:
                raise ConditionError(f"'{self.op}' takes no value or ref",
                                     "value" if self.value is not None else "ref")
            return self
        if (self.value is None) == (self.ref is None):
            raise ConditionError(f"'{self.op}' needs exactly one of value or ref", "op")
        if self.op in ORDERED_OPS and kind not in ("date", "money"):
            raise ConditionError(f"'{self.op}' compares dates or amounts; {self.field} is {kind}",
                                 "op")
        if self.op == "matches" and kind != "text":
            raise ConditionError(f"'matches' tests text; {self.field} is {kind}", "op")
        if self.ref is not None:
            _check_ref(self.field, kind, self.op, self.ref)
            return self
        try:
            if self.op in LIST_OPS:
                if not isinstance(self.value, list) or not self.value:
                    raise ValueError(f"'{self.op}' needs a non-empty list of values")
                if len(self.value) > MAX_LIST:
                    raise ValueError(f"'{self.op}' takes at most {MAX_LIST} values")
                typed = tuple(_typed_value(self.field, kind, v) for v in self.value)
            elif self.op == "matches":
                typed = check_pattern(self.value)
            else:
                typed = _typed_value(self.field, kind, self.value)
        except ConditionError:
            raise
        except ValueError as exc:
            raise ConditionError(str(exc), "value") from None
        object.__setattr__(self, "value", typed)
        return self


def _check_ref(field: str, kind: str, op: str, ref: str) -> None:
    if REF_KINDS[ref] == "date":
        if kind != "date" or op in LIST_OPS or op == "matches":
            raise ConditionError(f"ref '{ref}' is a date: compare the date field with it; "
                                 f"{field} is {kind}", "ref")
    elif op not in LIST_OPS or kind != "text":
        raise ConditionError(f"ref '{ref}' is a list of codes: use it with in/not_in on a text "
                             "field", "ref")


def _typed_value(field: str, kind: str, value: Any) -> Any:
    if isinstance(value, (list, dict)):
        raise ValueError(f"{field} is {kind}; got a {type(value).__name__}")
    if kind == "date":
        if not isinstance(value, (str, dt.date)) or isinstance(value, bool):
            raise ValueError(f"{field} is a date: it cannot be compared with {_shown(value)}")
        try:
            return parse_date(value)
        except DateError as exc:
            raise ValueError(str(exc)) from None
    if kind == "money":
        if isinstance(value, (dt.date, bool)):
            raise ValueError(f"{field} is an amount: it cannot be compared with {_shown(value)}")
        try:
            return parse_pence(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{field} is true or false: it cannot be compared with "
                             f"{_shown(value)}")
        return value
    if isinstance(value, (bool, dt.date)):
        raise ValueError(f"{field} is text: it cannot be compared with {_shown(value)}")
    return str(value)


# durable-rules' regex engine silently fails on escapes, anchors and (?...)
# groups, and rejects '.*' followed by a large character class (error 507):
# allow only what it was verified to run.
_ALLOWED_PATTERN = re.compile(r"^[a-z0-9 .|()\[\]*+?{},^-]*$")


def check_pattern(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("'matches' needs a non-empty pattern")
    pattern = value.lower()
    bad = sorted(set(ch for ch in pattern if not _ALLOWED_PATTERN.match(ch)))
    if bad:
        raise ValueError(f"pattern '{value}' uses {''.join(bad)!r}: patterns match lowercase words "
                         "(letters, digits, spaces) and may use . [ ] ( | ) * + ? {m,n} only")
    if "^" in pattern.replace("[^", ""):
        raise ValueError(f"pattern '{value}' uses '^' outside '[^...]': anchors are implied")
    if "(?" in pattern:
        raise ValueError(f"pattern '{value}' uses a '(?...)' group, which durable-rules cannot "
                         "run: patterns already match lowercase text, so no flags are needed")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"pattern '{value}' is not a valid regular expression: {exc}") from None
    if compiled.fullmatch(""):
        raise ValueError(f"pattern '{value}' matches empty text: it would match every line")
    return pattern


def _tag(value: Any) -> str:
    if isinstance(value, dict):
        if "all" in value:
            return "all"
        if "any" in value:
            return "any"
        return "leaf"
    return type(value).__name__.lower()


class All(StrictModel):
    all: list[Condition] = Field(min_length=1)


class AnyOf(StrictModel):
    any: list[Condition] = Field(min_length=1)


Condition = Annotated[
    Annotated[All, Tag("all")] | Annotated[AnyOf, Tag("any")] | Annotated[Leaf, Tag("leaf")],
    Discriminator(_tag),
]

All.model_rebuild()
AnyOf.model_rebuild()


def alternatives(condition) -> int:
    """How many alternatives durable-rules must hold in one `$or` for this condition.

    `in` and `any` compile to `$or`s, which durable-rules flattens: past about 512
    alternatives it fails or hangs (verified: any of six 100-value `in` lists hangs),
    while `all` of several `$or`s is fine.
    """
    if isinstance(condition, Leaf):
        return len(condition.value) if condition.op == "in" and condition.ref is None else 1
    if isinstance(condition, All):
        return max(alternatives(child) for child in condition.all)
    return sum(alternatives(child) for child in condition.any)


def leaves(condition) -> list[Leaf]:
    """Every leaf of a condition, depth first, in the order written."""
    if isinstance(condition, Leaf):
        return [condition]
    children = condition.all if isinstance(condition, All) else condition.any
    return [leaf for child in children for leaf in leaves(child)]

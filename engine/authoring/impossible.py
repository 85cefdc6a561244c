"""Conditions that can never hold, found by a simple, sound check over their leaf tests.

"Sound" means: when this says a condition can never match, no line can match
it. It reasons per field over what a conjunction of leaves allows (presence,
a finite set of values, an interval of dates or amounts, excluded values,
word patterns tested on the known candidates); where it cannot tell (two
patterns with no candidate values, a condition too large to expand) it says
nothing.

Values follow the facts durable-rules sees (facts.py): text is compared
trimmed, a missing field fails every comparison (`ne` included), and a
`matches` pattern is tested on the words of the text (conditions.word_pattern).
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..core.suggest import did_you_mean, near_miss
from ..models.conditions import SYMBOLS, AnyOf, Leaf
from ..models.lines import LINE_FIELDS, Line
from ..packs.conditions import word_pattern
from ..packs.facts import words
from ..packs.messages import show

#: Past this many conjunctions, expanding `any` inside `all` stops: nothing is claimed.
MAX_TERMS = 256
_REF_NAMES = {"period.start": "period start", "period.end": "period end",
              "purposes": "the pack's purposes"}


@dataclass(frozen=True)
class Context:
    """What a rule's refs and finite domains mean in one version of its pack (None: unknown)."""

    pack_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    purposes: tuple[str, ...] | None = None
    #: purpose codes of any version, for "did you mean"
    all_purposes: tuple[str, ...] = ()

    def ref_value(self, ref: str) -> Any:
        return {"period.start": self.start, "period.end": self.end,
                "purposes": self.purposes}[ref]


def domain(field: str, context: Context) -> tuple | None:
    """The only values a field of a checked line can take, when there are few."""
    if field == "cost_type":
        return _literal_values(Line.model_fields["cost_type"].annotation)
    if field == "existing_service":
        return (True, False)
    if field == "grant" and context.pack_id:
        return (context.pack_id,)  # a pack only ever sees the lines charged to it
    return None


def always_present(field: str, context: Context) -> bool:
    """Fields every checked line has: the required ones, and its grant (filled in from the
    award)."""
    if field == "grant":
        return context.pack_id is not None
    return Line.model_fields[field].is_required()


def _literal_values(annotation) -> tuple:
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            return typing.get_args(arg)
    return ()


def leaf_values(leaf: Leaf, context: Context) -> tuple | None:
    """The leaf's value(s) as a tuple, with refs resolved; None when a ref is unknown."""
    value = context.ref_value(leaf.ref) if leaf.ref else leaf.value
    if value is None:
        return None
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def describe(leaf: Leaf, context: Context) -> str:
    """`date < period start 2025-04-01`, `cost_type = 'capitol'`."""
    symbol = SYMBOLS[leaf.op]
    if leaf.op in ("present", "absent"):
        return f"{leaf.field} {symbol}"
    if leaf.ref:
        value = context.ref_value(leaf.ref)
        shown = ", ".join(value) if isinstance(value, tuple) else (
            value.isoformat() if value else "?")
        return f"{leaf.field} {symbol} {_REF_NAMES[leaf.ref]} ({shown})"
    if leaf.op in ("in", "not_in"):
        return f"{leaf.field} {symbol} [{', '.join(_literal(leaf.field, v) for v in leaf.value)}]"
    if leaf.op == "matches":
        return f"{leaf.field} matches '{leaf.value}'"
    return f"{leaf.field} {symbol} {_literal(leaf.field, leaf.value)}"


def _literal(field: str, value: Any) -> str:
    if LINE_FIELDS[field] == "text":
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return show(field, value)


# --- one leaf on its own -------------------------------------------------------------------

def leaf_problems(leaf: Leaf, context: Context) -> list[tuple[str, str]]:
    """(key at fault, message) for a leaf whose value its field can never take."""
    out: list[tuple[str, str]] = []
    if leaf.op == "matches":
        reason = _unmatchable_pattern(leaf.value)
        if reason:
            out.append(("value", reason))
        return out
    values = leaf_values(leaf, context) if leaf.op not in ("present", "absent") else None
    if not values or leaf.ref:
        return out
    kind = LINE_FIELDS[leaf.field]
    allowed = domain(leaf.field, context)
    impossible = []
    for value in values:
        if allowed is not None and value not in allowed:
            impossible.append((value, _outside(leaf.field, value, allowed)))
        elif kind == "text" and (value != value.strip() or not value.strip()):
            impossible.append((value, f"'{value}' has spaces at an end, but text is compared "
                                      "trimmed"))
        elif leaf.field == "purpose" and context.all_purposes and \
                value not in context.all_purposes:
            guess = near_miss(value, context.all_purposes)
            if guess:
                out.append(("value", f"'{value}' is not a purpose of this pack"
                                     f"{did_you_mean(guess)}"))
    if not impossible:
        return out
    reasons = "; ".join(reason for _, reason in impossible)
    if leaf.op in ("eq", "in") and len(impossible) == len(values):
        out.append(("value", f"{describe(leaf, context)} can never hold: {reasons}"))
    elif leaf.op in ("eq", "in"):
        out.append(("value", f"{describe(leaf, context)} lists values no line has: {reasons}"))
    else:
        out.append(("value", f"{describe(leaf, context)} holds for every line that has a "
                             f"{leaf.field} (a typo?): {reasons}"))
    return out


def _outside(field: str, value: Any, allowed: tuple) -> str:
    shown = " or ".join(_literal(field, v) for v in allowed)
    if field == "grant":
        return f"this pack only checks lines charged to {shown}"
    text = f"{field} is {shown}, never {_literal(field, value)}"
    guess = near_miss(str(value), [str(v) for v in allowed]) if isinstance(value, str) else None
    return text + did_you_mean(guess, aside=True)


def _unmatchable_pattern(pattern: str) -> str | None:
    """Patterns are matched on words: lowercase letters and digits, single spaces."""
    outside_classes = re.sub(r"\[[^\]]*\]", "", pattern)
    if "-" in outside_classes:
        return (f"pattern '{pattern}' has '-' outside [...], but it is matched on the words of "
                "the text, where punctuation is a space: write 'co op' for 'co-op'")
    if "  " in outside_classes:
        return f"pattern '{pattern}' has two spaces together, but words are one space apart"
    return None


# --- a whole condition ---------------------------------------------------------------------

def never_matches(condition, context: Context) -> str | None:
    """Why no line can ever match `condition`, or None if one can (or it cannot be told)."""
    terms = _dnf(condition)
    if terms is None:
        return None
    reasons = []
    for term in terms:
        reason = _conflict(term, context)
        if reason is None:
            return None
        if reason not in reasons:
            reasons.append(reason)
    if len(terms) == 1:
        return reasons[0]
    return f"none of its {len(terms)} alternatives can hold: " + "; ".join(reasons)


def _dnf(condition) -> list[list[Leaf]] | None:
    """The condition as alternatives of conjunctions of leaves; None when too large."""
    if isinstance(condition, Leaf):
        return [[condition]]
    if isinstance(condition, AnyOf):
        out: list[list[Leaf]] = []
        for child in condition.any:
            terms = _dnf(child)
            if terms is None:
                return None
            out.extend(terms)
        return out if len(out) <= MAX_TERMS else None
    product: list[list[Leaf]] = [[]]
    for child in condition.all:
        terms = _dnf(child)
        if terms is None or len(product) * len(terms) > MAX_TERMS:
            return None
        product = [left + right for left in product for right in terms]
    return product


def _conflict(term: list[Leaf], context: Context) -> str | None:
    by_field: dict[str, list[Leaf]] = {}
    for leaf in term:
        by_field.setdefault(leaf.field, []).append(leaf)
    for field, leaves in by_field.items():
        if not _field_can_hold(field, leaves, context):
            shown = [describe(leaf, context) for leaf in leaves]
            if len(shown) == 1:
                return f"{shown[0]} can never hold"
            return " and ".join(shown) + (" cannot both hold" if len(shown) == 2 else
                                          " cannot all hold")
    return None


def _field_can_hold(field: str, leaves: Iterable[Leaf], context: Context) -> bool:
    leaves = list(leaves)
    ops = {leaf.op for leaf in leaves}
    if "absent" in ops:
        # every other test needs the field present
        return ops == {"absent"} and not always_present(field, context)
    kind = LINE_FIELDS[field]
    allowed = domain(field, context)
    candidates: set | None = set(allowed) if allowed is not None else None
    excluded: set = set()
    low, high = None, None
    patterns = []
    for leaf in leaves:
        if leaf.op == "present":
            continue
        if leaf.op == "matches":
            patterns.append(leaf.value)
            continue
        values = leaf_values(leaf, context)
        if values is None:
            continue  # a ref this context cannot resolve: assume nothing
        if leaf.op in ("eq", "in"):
            chosen = set(values)
            candidates = chosen if candidates is None else candidates & chosen
        elif leaf.op in ("ne", "not_in"):
            excluded |= set(values)
        else:
            bound = _ordinal(values[0])
            if leaf.op in ("lt", "le"):
                bound = bound - 1 if leaf.op == "lt" else bound
                high = bound if high is None else min(high, bound)
            else:
                bound = bound + 1 if leaf.op == "gt" else bound
                low = bound if low is None else max(low, bound)
    if low is not None and high is not None and low > high:
        return False
    if candidates is None:
        if low is not None and high is not None and high - low + 1 <= len(excluded):
            blocked = {_ordinal(value) for value in excluded}
            return any(number not in blocked for number in range(low, high + 1))
        return True
    alive = []
    for value in candidates - excluded:
        if kind == "text" and (value != value.strip() or not value):
            continue
        if kind in ("date", "money"):  # the only kinds with bounds
            ordinal = _ordinal(value)
            if low is not None and ordinal < low or high is not None and ordinal > high:
                continue
        if any(re.fullmatch(word_pattern(p), words(str(value))) is None for p in patterns):
            continue
        alive.append(value)
    return bool(alive)


def _ordinal(value: Any) -> int:
    """Dates as day counts (so no day lies between 31 March and 1 April); pence as they are."""
    return value.toordinal() if isinstance(value, dt.date) else int(value)

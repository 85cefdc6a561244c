"""Render a rule's message template with the values of one line."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

from ..core.money import format_gbp
from ..models.pack import Pack

_formatter = string.Formatter()


def pack_values(pack: Pack) -> dict[str, str]:
    return {
        "pack.period.start": pack.period.start.isoformat(),
        "pack.period.end": pack.period.end.isoformat(),
        "pack.purposes": ", ".join(pack.purposes),
        "pack.determination": pack.determination,
        "pack.title": pack.title,
        "pack.id": pack.id,
    }


def show(name: str, value: Any) -> str:
    if value is None:
        return "(none)"
    if name == "amount":
        return format_gbp(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render(template: str, line: Mapping[str, Any], packvals: Mapping[str, str]) -> str:
    # (Packs write values as plain {name}: models/pack.py refuses conversions and formats.)
    out = []
    for literal, name, _, _ in _formatter.parse(template):
        out.append(literal)
        if name is not None:
            out.append(packvals[name] if name in packvals else show(name, line.get(name)))
    return "".join(out)

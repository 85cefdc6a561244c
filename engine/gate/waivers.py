"""Reading a waivers file (`--waivers FILE`): each waiver with where it is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.errors import InputError
from ..core.validation import validate
from ..core.yamlio import load_file
from ..models.waivers import Waiver, WaiversFile


@dataclass(frozen=True)
class LoadedWaiver:
    waiver: Waiver
    source: str
    line: int | None

    def expired(self, today: dt.date) -> bool:
        """Expired once its expiry day has passed: a waiver holds on the day it expires."""
        return self.waiver.expires < today


@dataclass(frozen=True)
class WaiverSet:
    source: str
    waivers: tuple[LoadedWaiver, ...]

    def by_target(self) -> dict[tuple[str, ...], LoadedWaiver]:
        return {w.waiver.target: w for w in self.waivers}


def load_waivers(path: str) -> WaiverSet:
    doc = load_file(path)
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping with a 'waivers' list", source=doc.source, line=1)
    model = validate(WaiversFile, doc)
    loaded: list[LoadedWaiver] = []
    first: dict[tuple[str, ...], LoadedWaiver] = {}
    for index, waiver in enumerate(model.waivers):
        here = LoadedWaiver(waiver, doc.source, doc.line_of(("waivers", index)))
        if waiver.target in first:
            # Two approvals for one finding would leave it unclear which reason and expiry hold.
            raise InputError(f"{waiver.describe()} is waived twice (first at line "
                             f"{first[waiver.target].line})", source=doc.source, line=here.line,
                             field=f"waivers[{index}]")
        first[waiver.target] = here
        loaded.append(here)
    return WaiverSet(doc.source, tuple(loaded))

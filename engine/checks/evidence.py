"""The evidence a report carries: what a reader needs to reproduce the result, or challenge it.

Every input's path and sha256, each pack's id, version and sha256, the options and
the cross-line settings the check ran with.
"""

from __future__ import annotations

import hashlib

import polars as pl

from .. import __version__
from ..core.money import format_plain
from ..core.paths import shown_path
from ..inputs import InputFile
from ..models.awards import CrossLineChecks
from ..models.table import SOURCE
from ..packs.compiled import CompiledPack


def evidence_files(inputs: list[str], awards: str | None, column_map: str | None) -> list[str]:
    """The files whose digests the evidence records."""
    return [p for p in [*inputs, awards, column_map] if p]


def sha256_of(path: str) -> str | None:
    try:
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def evidence(request, packs: dict[str, CompiledPack], digests: dict[str, str | None],
             checks: CrossLineChecks, facts: list[dict]) -> dict:
    """What a reader needs to reproduce this result, or challenge it."""
    def described(path):
        return {"path": path, "sha256": digests.get(path)} if path else None

    return {
        "tool": {"name": "ringfence", "version": __version__},
        "packs": [{"id": pid, "title": p.loaded.pack.title,
                   "determination": p.loaded.pack.determination,
                   "path": shown_path(p.loaded.path), "sha256": p.loaded.sha256,
                   **_versions(p)}
                  for pid, p in sorted(packs.items())],
        # Each input's own facts: its rows, lines, money, skipped rows and stated total.
        "inputs": [{**described(path), **fact} for path, fact in zip(request.inputs, facts)],
        "awards": described(request.awards),
        "map": described(request.column_map),
        "options": {"rules": request.rules, "skip_bad_rows": request.skip_bad_rows,
                    **request.options},
        "checks": checks.evidence(),
    }


def _versions(pack: CompiledPack) -> dict:
    """An amended pack's versions, which lines name in `pack_version` (none if never amended)."""
    versions = pack.loaded.versions
    if len(versions) == 1:
        return {}
    return {"versions": [{"version": v.label, "in_force_from": v.in_force_from.isoformat()
                          if v.in_force_from else None, "note": v.note} for v in versions]}


def input_facts(files: list[InputFile], table: pl.DataFrame,
                 out_of_scope: pl.DataFrame | None) -> list[dict]:
    """Per input, what the reading made of it: rows in, lines out (in scope or not), the
    rows skipped, and its own stated total against what its rows add up to."""
    lines = pl.concat([table.select(SOURCE, "amount")] + (
        [out_of_scope.select(SOURCE, "amount")] if out_of_scope is not None else []))
    by_source = {source: (count, amount) for source, count, amount in lines.group_by(
        SOURCE).agg(pl.len(), pl.col("amount").sum()).iter_rows()}
    facts = []
    for f in files:
        count, amount = by_source.get(f.path, (0, 0))
        last = f.totals[-1] if f.totals else None
        facts.append({
            "rows": f.rows if f.rows is not None else f.table.height + len(f.rejected),
            "lines": count, "amount": format_plain(int(amount or 0)), "skipped": f.skipped,
            "stated_total": format_plain(last.stated) if last else None,
            "reconciles": all(t.reconciles for t in f.totals) if last else None})
    return facts

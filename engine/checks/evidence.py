"""The evidence a report carries: what a reader needs to reproduce the result, or challenge it.

Every input's path and sha256, each pack's id, version and sha256, the options and
the cross-line settings the check ran with.
"""

from __future__ import annotations

import hashlib

from .. import __version__
from ..core.paths import shown_path
from ..models.awards import CrossLineChecks
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

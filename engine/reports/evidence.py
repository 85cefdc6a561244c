"""The evidence of a result as rows a person reads: what, which file or value, its sha256.

The HTML and Markdown reports show these rows, then the evidence itself as JSON,
so a key added to the evidence later is never left out of a report.
"""

from __future__ import annotations


def evidence_rows(evidence: dict) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    tool = evidence.get("tool")
    if tool:
        rows.append(("tool", f"{tool.get('name')} {tool.get('version')}", ""))
    for pack in evidence.get("packs") or []:
        what = f"pack {pack.get('id')}"
        if pack.get("determination"):
            what += f" ({pack['determination']})"
        rows.append((what, pack.get("path") or "", pack.get("sha256") or ""))
    for described in evidence.get("inputs") or []:
        rows.append(("input", described.get("path") or "", described.get("sha256") or ""))
        if "rows" in described:
            rows.append(("read", reading(described), ""))
    for key in ("awards", "map"):
        described = evidence.get(key)
        if described:
            rows.append((key, described.get("path") or "", described.get("sha256") or ""))
    options = evidence.get("options") or {}
    if options:
        rows.append(("options", ", ".join(f"{k}={_plain(v)}" for k, v in options.items()), ""))
    checks = evidence.get("checks")
    if checks:
        rows.append(("cross-line checks", ", ".join(f"{k}={_plain(v)}" for k, v in checks.items()),
                     ""))
    return rows


def reading(described: dict) -> str:
    """What the reading made of one input, in words: rows, lines, skipped, stated total."""
    skipped = described.get("skipped") or []
    kinds: dict[str, int] = {}
    for entry in skipped:
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    text = (f"{described['rows']} rows read, {described['lines']} lines "
            f"({described['amount']})")
    if kinds:
        text += ", skipped: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items())
    if described.get("stated_total") is not None:
        verdict = "reconciles" if described.get("reconciles") else "DOES NOT RECONCILE"
        text += f"; stated total {described['stated_total']}: {verdict}"
    return text


def _plain(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_plain(item) for item in value) + "]"
    return str(value)

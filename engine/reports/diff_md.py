"""`diff --format md`: the comparison for a pull-request comment or a job summary."""

from __future__ import annotations

from collections.abc import Set

from ..core.money import format_gbp
from ..pipeline.diff import CheckChange, DiffResult, LineChange
from .diff_common import by_kind, check_name, value_text, waiver_note, where
from .md_report import esc

ICON = {"compliant": "✅ compliant", "at_risk": "⚠️ at risk", "non_compliant": "❌ non-compliant",
        None: "—"}


def _signed(pence: int) -> str:
    return ("+" if pence > 0 else "") + format_gbp(pence)


def _table(header: list[str], rows: list[list[str]], right: Set[int] = frozenset()) -> list[str]:
    out = ["| " + " | ".join(header) + " |",
           "| " + " | ".join("---:" if i in right else "---" for i in range(len(header))) + " |"]
    return out + ["| " + " | ".join(row) + " |" for row in rows] + [""]


def render(diff: DiffResult) -> str:
    out = [f"## ringfence diff: {_code(diff.base.spec)} → {_code(diff.head.spec)}", ""]
    if diff.fails:
        out += [f"❌ **Gate fails** at `--fail-on {diff.fail_on}`:", ""]
        out += [f"- {esc(reason)}" for reason in diff.failures] + [""]
    else:
        out += [f"✅ **Gate passes** at `--fail-on {diff.fail_on}`: nothing added or worsened.",
                ""]
    before, after = diff.base.result.summary, diff.head.result.summary
    out += ["### Totals by status", ""]
    out += _table(["status", "lines before", "lines after", "amount before", "amount after",
                   "change"],
                  [[ICON.get(s, "**total**"), str(before[s].lines), str(after[s].lines),
                    format_gbp(before[s].amount), format_gbp(after[s].amount),
                    _signed(after[s].amount - before[s].amount)] for s in after],
                  right={1, 2, 3, 4, 5})
    out += ["### Ringfence totals", ""]
    out += _table(["grant", "check", "allocated", "spent before", "spent after", "change",
                   "status", ""],
                  [[esc(c.grant), esc(check_name(c)), format_gbp(_allocated(c)),
                    format_gbp(c.base.spent) if c.base else "—",
                    format_gbp(c.head.spent) if c.head else "—", _signed(c.spent_change),
                    _transition(c.base.status if c.base else None,
                                c.head.status if c.head else None),
                    f"**{esc(c.fails)}**" if c.fails else ""] for c in diff.checks],
                  right={2, 3, 4, 5})
    kinds = by_kind(diff)
    out += [f"### Lines: {len(kinds['added'])} added, {len(kinds['removed'])} removed, "
            f"{len(kinds['changed'])} changed, {len(kinds['affected'])} affected by other "
            f"lines, {diff.unchanged} unchanged", ""]
    rows = [_row(diff, change) for kind in ("added", "removed", "changed", "affected")
            for change in kinds[kind]]
    if rows:
        out += _table(["line", "change", "where", "amount", "status", "what changed", "gate"],
                      rows, right={3})
    gate = diff.head.gate
    if gate.waivers is not None:
        buckets = gate.waiver_buckets()
        out += [f"Waivers: {len(buckets['applied'])} applied, {len(buckets['expired'])} expired "
                f"(their findings count again), {len(buckets['stale'])} stale (they match "
                "nothing).", ""]
        for bucket in ("expired", "stale"):
            out += [f"- {bucket}: {esc(w.waiver.describe())} ({esc(w.waiver.reference)}, "
                    f"expires {w.waiver.expires.isoformat()})" for w, _ in buckets[bucket]]
        out.append("")
    return "\n".join(out)


def _code(text: str) -> str:
    """A code span: Markdown escapes do not work inside one, so backticks become quotes."""
    return "`" + " ".join(text.replace("`", "'").split()) + "`"


def _allocated(change: CheckChange) -> int:
    check = change.head or change.base
    assert check is not None  # a change has at least one side
    return check.allocated


def _transition(old: str | None, new: str | None) -> str:
    return ICON[new] if old == new else f"{ICON[old]} → {ICON[new]}"


def _row(diff: DiffResult, change: LineChange) -> list[str]:
    line = change.head or change.base
    assert line is not None  # a change has at least one side
    side = diff.head if change.head else diff.base
    amount = format_gbp(line.values["amount"])
    if change.base and change.head and change.base.values["amount"] != line.values["amount"]:
        amount = f"{format_gbp(change.base.values['amount'])} → {amount}"
    what = [f"{esc(f.field)}: {esc(value_text(f.field, f.old))} → "
            f"{esc(value_text(f.field, f.new))}" for f in change.fields if f.field != "amount"]
    messages = {f.rule: f.message for f in line.findings}
    if change.base:
        messages.update({f.rule: f.message for f in change.base.findings
                         if f.rule in change.findings_removed})
    what += [f"+ `{r}`: {esc(messages[r] + waiver_note(side, line, r))}"
             for r in change.findings_added]
    what += [f"− `{r}`" for r in change.findings_removed if change.change != "removed"]
    return [esc(change.line_id), change.change, esc(where(side, line)), amount,
            _transition(change.base.status if change.base else None,
                        change.head.status if change.head else None),
            "<br>".join(what), f"**{esc(change.fails)}**" if change.fails else ""]


def write(diff: DiffResult, stream, context) -> None:
    stream.write(render(diff))

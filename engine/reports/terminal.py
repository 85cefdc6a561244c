"""The terminal report: a table of lines, totals by status and purpose, ringfences."""

from __future__ import annotations

from collections import defaultdict

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..checks import totals
from ..checks.awards import RECONCILIATION
from ..checks.result import CheckResult
from ..core.errors import visible
from ..core.money import format_gbp
from ..core.status import LABELS
from .advice import advice_text
from .evidence import reading
from .gate_report import finding_note, summary_lines

STYLE = {"compliant": "green", "at_risk": "yellow", "non_compliant": "bold red"}
#: The worst status shouts, on a terminal.
LABEL = {**LABELS, "non_compliant": LABELS["non_compliant"].upper()}


def _status(status: str) -> Text:
    return Text(LABEL[status], style=STYLE[status])


def _text(value, style: str = "") -> Text:
    """Text from the input, shown as written: rich would read `[...]` in a plain string
    as markup (hiding it, or failing on `[/2025]`), and control characters from input
    would act on the terminal."""
    return Text(visible(str(value)), style=style)


#: Beyond this many lines the table shows only lines with findings.
FULL_LISTING_LIMIT = 200


def write(result: CheckResult, console: Console) -> None:
    lines = list(result.lines())
    by_grant: dict[str, list] = defaultdict(list)
    for line in lines:
        by_grant[line.values["grant"]].append(line)
    if result.council:
        console.print(_text(result.council, style="bold"))
    total = sum(len(lines) for lines in by_grant.values())
    for grant, grant_lines in by_grant.items():
        _print_lines(console, result.packs[grant].loaded, grant_lines,
                     only_findings=total > FULL_LISTING_LIMIT,
                     note=lambda line, finding: finding_note(result, line, finding))
    console.print(_summary(result))
    console.print(_purposes(totals.by_purpose(result)))
    console.print(_ringfences(result))
    cases = result.case_list()
    if cases:
        console.print(_cases(cases))
    console.print(Text.assemble("Overall: ", _status(result.status)))
    # How each ledger was read, when there was more to it than lines: rows skipped (title,
    # blank, total rows), a stated total.
    for described in (result.evidence or {}).get("inputs") or []:
        if described.get("skipped") or described.get("stated_total") is not None:
            console.print(Text(f"{described['path']}: {reading(described)}", style="dim"))
    # A file that does not add up to its own total is said in full, whatever the width.
    for check in result.ringfences:
        if check.check == RECONCILIATION and check.status != "compliant":
            console.print(Text(f"{check.grant}: {check.message}", style="bold red"))
    for text in summary_lines(result):
        console.print(_text(text))


def _print_lines(console: Console, loaded, lines, only_findings: bool, note=None) -> None:
    pack = loaded.pack
    # An amended pack: say which versions there are, and which one checked each line.
    versioned = len(loaded.versions) > 1
    console.print()
    console.print(_text(f"{pack.title} ({pack.determination})", style="bold underline"))
    if versioned:
        console.print(Text("; ".join(
            f"version {v.label}" + (f" from {v.in_force_from.isoformat()}" if v.in_force_from
                                    else "") for v in loaded.versions), style="dim"))
    shown = [line for line in lines if not only_findings or line.status != "compliant"]
    if not shown:
        console.print(Text(f"  all {len(lines)} lines compliant", style="green"))
        return
    grid = Table.grid(padding=(0, 2), expand=True)
    for _ in range(4 if versioned else 3):
        grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    heads = ("line", "date") + (("version",) if versioned else ()) + (
        "purpose", "amount", "status", "description")
    grid.add_row(*(Text(h, style="bold") for h in heads))
    for line in shown:
        v = line.values
        version = (line.pack_version or "-",) if versioned else ()
        grid.add_row(_text(line.line_id), v["date"].isoformat() if v["date"] else "-",
                     *map(_text, version), _text(v["purpose"] or "-"), format_gbp(v["amount"]),
                     _status(line.status), _text(v["description"] or ""))
    console.print(grid)
    for line in shown:
        if line.status == "compliant":
            continue
        console.print(Text.assemble(_text(line.line_id, "bold"),
                                    _text(f" ({line.source}:{line.row})")))
        for finding in line.findings:
            console.print(Padding(Text.assemble(
                ("└ ", STYLE[finding.status]), (finding.rule, STYLE[finding.status]), ": ",
                _text(finding.message), " ", _text(f"[{finding.clause}]", "dim")), (0, 0, 0, 2)))
            why = note(line, finding) if note else None
            if why:  # waived, baselined, or a waiver that has expired
                console.print(Padding(_text(why, style="cyan"), (0, 0, 0, 4)))
        if line.advice is not None:
            advice = _text(advice_text(line.advice))
            console.print(Padding(Text.assemble(("advice: ", "bold"), advice),
                                  (0, 0, 0, 2)))
    if only_findings:
        hidden = len(lines) - len(shown)
        console.print(Text(f"  {hidden} compliant lines not listed: --format csv or json lists "
                           "every line", style="dim"))


def _summary(result: CheckResult) -> Table:
    table = Table(title="Totals by status", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("status")
    table.add_column("lines", justify="right")
    table.add_column("amount", justify="right")
    for status, bucket in result.summary.items():
        label = _status(status) if status != "total" else Text("total", style="bold")
        table.add_row(label, str(bucket.lines), format_gbp(bucket.amount))
    if result.outside is not None:
        # Not grant spend, so not in the total: counted so that every line is.
        table.add_row(Text("out of scope", style="dim"), str(result.outside.lines),
                      format_gbp(result.outside.amount))
    return table


def _purposes(by_purpose) -> Table:
    table = Table(title="Totals by grant and purpose", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("grant", "purpose", "compliant", "at risk", "non-compliant", "total"):
        table.add_column(name, justify="left" if name in ("grant", "purpose") else "right")
    for (grant, purpose), amounts in sorted(by_purpose.items()):
        table.add_row(_text(grant), _text(purpose), *(format_gbp(amounts.get(s, 0)) for s in
                                        ("compliant", "at_risk", "non_compliant")),
                      format_gbp(sum(amounts.values())))
    return table


def _ringfences(result: CheckResult) -> Table:
    table = Table(title="Ringfence checks", title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    for name in ("grant", "check", "allocated", "spent", "status", "message"):
        table.add_column(name, justify="right" if name in ("allocated", "spent") else "left",
                         overflow="fold", no_wrap=name != "message",
                         ratio=1 if name == "message" else None)
    for check in result.ringfences:
        label = check.purpose or ("award" if check.check == "award" else "stated total"
                                  if check.check == RECONCILIATION else "plan total")
        table.add_row(_text(check.grant), _text(label), format_gbp(check.allocated),
                      format_gbp(check.spent), _status(check.status), _text(check.message))
    return table


def _cases(cases: list[dict]) -> Table:
    """The cross-line cases, strongest first: at risk, or for review."""
    table = Table(title="Cross-line cases", title_justify="left", box=box.SIMPLE_HEAD,
                  expand=True)
    for name in ("case", "kind", "strength", "status", "amount", "lines", "reason"):
        table.add_column(name, justify="right" if name in ("amount", "lines") else "left",
                         overflow="fold", no_wrap=name != "reason",
                         ratio=1 if name == "reason" else None)
    for case in cases:
        status = _status(case["status"]) if case["status"] != "review" else Text("review")
        table.add_row(case["id"], case["kind"], case["strength"], status,
                      format_gbp(case["amount"]), str(len(case["lines"])), case["reason"])
    return table

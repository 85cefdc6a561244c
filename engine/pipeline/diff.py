"""`diff BASE HEAD`: two versions of a budget file, each checked, compared line by line.

Either side is a path or a git `REV:path` (read with `git show` in the current
repository). Lines are matched by line_id. HEAD fails the gate when, at or
above `--fail-on` (and unless it is `never`):
- it adds a line that counts at that level;
- it worsens a line: the line now counts at a higher status, or more of its
  money is in question at that level (a larger non-compliant amount, or more
  of it beyond the award);
and, whatever the level (except `never`), when it worsens a ringfence check:
a check whose status rises, or an award overspent by more. Waivers apply to
both sides alike, so a waived finding neither fails HEAD nor hides a change.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..checks.awards import RECONCILIATION, RingfenceCheck
from ..checks.result import CheckResult, LineResult
from ..core.errors import InputError, one_line
from ..core.money import format_gbp
from ..core.status import RANK, at_or_above
from ..gate.baseline import check_exposure
from ..gate.gate import Gate
from ..gate.waivers import load_waivers
from ..inputs.ledger import RejectedRowsError
from ..models.lines import LINE_FIELDS
from .check import CheckRequest, run_check


@dataclass(frozen=True)
class DiffRequest:
    base: str
    head: str
    awards: str | None = None
    rules: str | None = None
    column_map: str | None = None
    fail_on: str = "non_compliant"
    waivers: str | None = None
    today: dt.date | None = None


@dataclass(frozen=True)
class Side:
    spec: str  # as given: a path or REV:path
    result: CheckResult
    gate: Gate

    @property
    def sha256(self) -> str | None:
        inputs = self.result.evidence.get("inputs") or [None]
        return inputs[0]["sha256"] if inputs[0] else None


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class LineChange:
    line_id: str
    #: "added", "removed", "changed" (its fields), or "affected" (same fields, but its
    #: status or findings moved because other lines changed, e.g. the award ran out)
    change: str
    base: LineResult | None
    head: LineResult | None
    fields: tuple[FieldChange, ...] = ()
    findings_added: tuple[str, ...] = ()
    findings_removed: tuple[str, ...] = ()
    #: why HEAD fails the gate on this line; None when it does not
    fails: str | None = None


@dataclass(frozen=True)
class CheckChange:
    grant: str
    check: str
    purpose: str | None
    base: RingfenceCheck | None
    head: RingfenceCheck | None
    fails: str | None = None

    @property
    def spent_change(self) -> int:
        return (self.head.spent if self.head else 0) - (self.base.spent if self.base else 0)


@dataclass
class DiffResult:
    base: Side
    head: Side
    fail_on: str
    lines: list[LineChange] = field(default_factory=list)
    checks: list[CheckChange] = field(default_factory=list)
    #: lines alike on both sides, with the same status and findings
    unchanged: int = 0

    @property
    def failures(self) -> list[str]:
        """Every reason HEAD fails the gate, one line each."""
        return ([f"line {c.line_id}: {c.fails}" for c in self.lines if c.fails] +
                [f"{_check_label(c)}: {c.fails}" for c in self.checks if c.fails])

    @property
    def fails(self) -> bool:
        return bool(self.failures)

    def transitions(self) -> list[LineChange]:
        """Lines whose status differs between the sides (added and removed ones included)."""
        return [c for c in self.lines
                if (c.base.status if c.base else None) != (c.head.status if c.head else None)]


def run_diff(request: DiffRequest) -> DiffResult:
    if request.waivers:
        load_waivers(request.waivers)  # a bad waivers file is refused before either side runs
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ringfence-diff-")))
        #: scratch copy -> the spec it came from, to name it in errors
        names: dict[str, str] = {}
        awards = _local(request.awards, scratch / "awards", names) if request.awards else None
        base, head = (
            _side(request, spec, _local(spec, scratch / label, names), awards, names)
            for spec, label in ((request.base, "base"), (request.head, "head")))
    return compare(base, head, request.fail_on)


def compare(base: Side, head: Side, fail_on: str) -> DiffResult:
    diff = DiffResult(base, head, fail_on)
    before = {line.line_id: line for line in base.result.lines()}
    seen = set()
    for line in head.result.lines():
        seen.add(line.line_id)
        change = _line_change(before.get(line.line_id), line, base.gate, head.gate, fail_on)
        if change is None:
            diff.unchanged += 1
        else:
            diff.lines.append(change)
    diff.lines += [LineChange(line_id, "removed", line, None, findings_removed=_rules(line))
                   for line_id, line in before.items() if line_id not in seen]
    diff.checks = _check_changes(base, head, fail_on)
    return diff


def _line_change(base: LineResult | None, head: LineResult, base_gate: Gate, head_gate: Gate,
                 level: str) -> LineChange | None:
    fails = _line_fails(base, head, base_gate, head_gate, level)
    if base is None:
        return LineChange(head.line_id, "added", None, head, findings_added=_rules(head),
                          fails=fails)
    fields = _field_changes(base, head)
    added = tuple(r for r in _rules(head) if r not in _rules(base))
    removed = tuple(r for r in _rules(base) if r not in _rules(head))
    if not fields and not added and not removed and base.status == head.status \
            and base.amounts == head.amounts:
        return None
    return LineChange(head.line_id, "changed" if fields else "affected", base, head, fields,
                      added, removed, fails)


def _line_fails(base: LineResult | None, head: LineResult, base_gate: Gate, head_gate: Gate,
                level: str) -> str | None:
    if level == "never":
        return None
    now = head_gate.line_status(head)
    if not at_or_above(now, level):
        return None
    if base is None:
        return f"added {_label(now)} ({format_gbp(head.values['amount'])})"
    then = base_gate.line_status(base)
    if RANK[now] > RANK[then]:
        return f"{_label(then)} -> {_label(now)}"
    grown = head_gate.exposure(head, level) - base_gate.exposure(base, level)
    if grown > 0:
        return f"{format_gbp(grown)} more {_label(now)} spend"
    return None


def _check_changes(base: Side, head: Side, level: str) -> list[CheckChange]:
    def key(check: RingfenceCheck) -> tuple[str, str, str]:
        return (check.grant, check.check, check.purpose or "")

    before = {key(c): c for c in base.result.ringfences}
    after = {key(c): c for c in head.result.ringfences}
    out = []
    for k in list(after) + [k for k in before if k not in after]:
        old, new = before.get(k), after.get(k)
        grant, check, purpose = k
        out.append(CheckChange(grant, check, purpose or None, old, new,
                               _check_fails(old, new, base.gate, head.gate, level)))
    return out


def _check_fails(old: RingfenceCheck | None, new: RingfenceCheck | None, base_gate: Gate,
                 head_gate: Gate, level: str) -> str | None:
    if level == "never" or new is None:
        return None
    now = head_gate.check_status(new)
    then = base_gate.check_status(old) if old else "compliant"
    if RANK[now] > RANK[then]:
        return f"{_label(then)} -> {_label(now)}"
    if now == then == "non_compliant":
        assert old is not None  # without a check in BASE, `then` is compliant
        grown = check_exposure(new.check, new.allocated, new.spent) - \
            check_exposure(old.check, old.allocated, old.spent)
        if grown > 0:
            return f"{format_gbp(grown)} more beyond the award"
    return None


def _field_changes(base: LineResult, head: LineResult) -> tuple[FieldChange, ...]:
    changes = [FieldChange(name, base.values[name], head.values[name])
               for name in LINE_FIELDS if base.values[name] != head.values[name]]
    for name in sorted(set(base.extras) | set(head.extras)):
        if base.extras.get(name) != head.extras.get(name):
            changes.append(FieldChange(name, base.extras.get(name), head.extras.get(name)))
    return tuple(changes)


def _rules(line: LineResult) -> tuple[str, ...]:
    return tuple(f.rule for f in line.findings)


def _label(status: str) -> str:
    return status.replace("_", "-")


def _check_label(change: CheckChange) -> str:
    if change.check == "purpose":
        return f"{change.grant} purpose {change.purpose}"
    return f"{change.grant} {change.check.replace('-', ' ')}"


def _local(spec: str, folder: Path, names: dict[str, str]) -> str:
    """A path to read `spec` from: itself, or the file `git show REV:path` prints."""
    if Path(spec).exists() or ":" not in spec:
        return spec
    rev, _, inner = spec.partition(":")
    if rev.startswith("-"):
        # `--output=FILE:x` would be an option of git show (which writes FILE), not a revision.
        raise InputError(f"'{rev}' is not a git revision (it starts with '-')", source=spec)
    try:
        done = subprocess.run(["git", "show", "--end-of-options", f"{rev}:{inner}"],
                              capture_output=True, check=False)
    except OSError as exc:
        raise InputError(f"cannot run git to read '{spec}': {exc.strerror}",
                         source=spec) from None
    if done.returncode != 0:
        why = " ".join(line.removeprefix("fatal: ").removeprefix("hint: ")
                       for line in done.stderr.decode(errors="replace").splitlines())
        raise InputError(f"cannot read '{inner}' at '{rev}' from git: "
                         f"{one_line(why) or 'git show failed'}", source=spec)
    folder.mkdir(parents=True, exist_ok=True)
    # The file keeps its name: its suffix says how to read it.
    local = folder / (Path(inner).name or "input")
    local.write_bytes(done.stdout)
    names[str(local)] = spec
    return str(local)


def _side(request: DiffRequest, spec: str, local: str, awards: str | None,
          names: dict[str, str]) -> Side:
    check = CheckRequest([local], awards=awards, rules=request.rules,
                         column_map=request.column_map,
                         options={"command": "diff", "fail_on": request.fail_on},
                         fail_on=request.fail_on, waivers=request.waivers, today=request.today)
    try:
        result = run_check(check)
    except RejectedRowsError as exc:
        raise RejectedRowsError([replace(row, source=names.get(row.source, row.source))
                                 for row in exc.rejected]) from None
    except InputError as exc:
        if exc.source not in names:
            raise
        # Name the file as the user wrote it, not the scratch copy of git's blob.
        raise InputError(exc.message, source=names[exc.source], line=exc.line,
                         field=exc.field) from None
    # Each side is read from a scratch copy: its stated-total check goes by the file's
    # name, so that base and head compare.
    result.ringfences = [replace(c, grant=Path(c.grant).name) if c.check == RECONCILIATION
                         else c for c in result.ringfences]
    result.reconciled = {Path(key).name: (names.get(source, source), row)
                         for key, (source, row) in result.reconciled.items()}
    return Side(spec, result, result.gate)

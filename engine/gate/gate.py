"""What counts toward `--fail-on`: the one place that decides it.

A finding counts when its status is at or above the level and nothing
exempts it. Two things exempt a finding:
- an active waiver naming it (gate/waivers.py); a waiver whose expiry day
  has passed exempts nothing, and the reports say it expired;
- a baseline that accepted it (gate/baseline.py), as long as it is no
  worse than accepted.
A line counts at the worst status of its counted findings; a ringfence check
counts at its status unless exempt. `check`'s exit code, the JUnit failures,
the SARIF suppressions and baseline states, the GitHub annotations and
`diff` all read this object, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import polars as pl

from ..checks.awards import RingfenceCheck
from ..checks.evidence import sha256_of
from ..checks.result import CheckResult, Finding, LineResult
from ..core.status import RANK, at_or_above, worst
from ..models.table import STATUS
from .baseline import Accepted, Baseline, check_exposure, finding_exposure, load_baseline
from .waivers import LoadedWaiver, WaiverSet, load_waivers

UNCHANGED, UPDATED, NEW = "unchanged", "updated", "new"  # SARIF's baselineState names


@dataclass(frozen=True)
class FindingState:
    #: an active waiver naming the finding: it does not count
    waiver: LoadedWaiver | None = None
    #: a waiver naming it whose expiry has passed: it counts again
    expired_waiver: LoadedWaiver | None = None
    #: with a baseline: "unchanged" (accepted: it does not count), "updated" (worse than
    #: accepted: it counts) or "new"; None without a baseline
    baseline: str | None = None
    accepted: Accepted | None = None

    @property
    def exemption(self) -> str | None:
        if self.waiver is not None:
            return "waived"
        if self.baseline == UNCHANGED:
            return "baselined"
        return None


PLAIN = FindingState()


@dataclass(frozen=True)
class BaselinedFinding:
    line_id: str | None  # None for a ringfence check
    rule: str
    status: str
    exposure: int
    accepted: Accepted
    grant: str | None = None
    purpose: str | None = None


@dataclass
class Gate:
    result: CheckResult
    fail_on: str
    today: dt.date
    waivers: WaiverSet | None = None
    baseline: Baseline | None = None
    #: (source, line_id) -> rule -> state, for lines with findings (only when active)
    _lines: dict[tuple[str, str], dict[str, FindingState]] = field(default_factory=dict)
    #: (source, line_id) -> the status the line counts at
    _counted: dict[tuple[str, str], str] = field(default_factory=dict)
    _checks: dict[tuple[str, str, str], FindingState] = field(default_factory=dict)
    _matches: dict[tuple[str, ...], int] = field(default_factory=dict)
    _baselined: list[BaselinedFinding] = field(default_factory=list)
    _updated: list[BaselinedFinding] = field(default_factory=list)
    _new: int = 0
    _seen: set = field(default_factory=set)

    @property
    def active(self) -> bool:
        """Waivers or a baseline are in play (without them the gate is the plain status)."""
        return self.waivers is not None or self.baseline is not None

    # --- per finding -----------------------------------------------------------------
    def state(self, line: LineResult, finding: Finding) -> FindingState:
        return self.state_at(line.source, line.line_id, finding.rule)

    def state_at(self, source: str, line_id: str, rule: str) -> FindingState:
        return self._lines.get((source, line_id), {}).get(rule, PLAIN)

    def check_state(self, check: RingfenceCheck) -> FindingState:
        return self.check_state_at(check.grant, check.check, check.purpose)

    def check_state_at(self, grant: str, check: str, purpose: str | None) -> FindingState:
        return self._checks.get((grant, check, purpose or ""), PLAIN)

    def counts(self, status: str, state: FindingState, level: str | None = None) -> bool:
        return state.exemption is None and at_or_above(status, level or self.fail_on)

    def line_status(self, line: LineResult) -> str:
        """The status the line counts at: its worst finding that is not exempt."""
        if not self.active:
            return line.status
        return self._counted.get((line.source, line.line_id), "compliant")

    def check_status(self, check: RingfenceCheck) -> str:
        return "compliant" if self.check_state(check).exemption else check.status

    def exposure(self, line: LineResult, level: str | None = None) -> int:
        """Pence of the line in question by findings that count at `level`."""
        amounts = line.amounts
        return max((finding_exposure(f.rule, line.values["amount"], amounts)
                    for f in line.findings if self.counts(f.status, self.state(line, f), level)),
                   default=0)

    def fails(self, level: str | None = None) -> bool:
        level = level or self.fail_on
        if not self.active:
            return at_or_above(self.result.status, level)
        return (any(at_or_above(s, level) for s in self._counted.values())
                or any(at_or_above(self.check_status(c), level) for c in self.result.ringfences))

    # --- what the reports list -------------------------------------------------------
    def waiver_buckets(self) -> dict[str, list[tuple[LoadedWaiver, int]]]:
        """applied (in force, matched), expired (matched, no longer in force), stale (match
        nothing: the finding was fixed or the waiver names the wrong line or rule)."""
        out: dict[str, list[tuple[LoadedWaiver, int]]] = {"applied": [], "expired": [],
                                                          "stale": []}
        for waiver in self.waivers.waivers if self.waivers else ():
            matched = self._matches.get(waiver.waiver.target, 0)
            bucket = "stale" if not matched else \
                "expired" if waiver.expired(self.today) else "applied"
            out[bucket].append((waiver, matched))
        return out

    @property
    def baselined(self) -> list[BaselinedFinding]:
        return self._baselined

    @property
    def updated(self) -> list[BaselinedFinding]:
        """Findings the baseline has, but worse now: they count."""
        return self._updated

    @property
    def new_findings(self) -> int:
        return self._new

    def resolved(self) -> list[tuple[str, ...]]:
        """Baseline findings no longer found: (line_id, rule) or (grant, check, purpose)."""
        if self.baseline is None:
            return []
        return sorted([k for k in self.baseline.findings if ("line",) + k not in self._seen] +
                      [k for k in self.baseline.checks if ("check",) + k not in self._seen])

    # --- building --------------------------------------------------------------------
    def _build(self) -> None:
        by_target = self.waivers.by_target() if self.waivers else {}
        for line in flagged_lines(self.result):
            states = {}
            for finding in line.findings:
                exposure = finding_exposure(finding.rule, line.values["amount"], line.amounts)
                states[finding.rule] = self._decide(
                    by_target.get(("line", line.line_id, finding.rule)),
                    self._baseline_of(("line", line.line_id, finding.rule)), finding.status,
                    exposure, BaselinedFinding(line.line_id, finding.rule, finding.status,
                                               exposure, Accepted("", 0)))
            key = (line.source, line.line_id)
            self._lines[key] = states
            self._counted[key] = worst(f.status for f in line.findings
                                       if states[f.rule].exemption is None)
        for check in self.result.ringfences:
            if check.status == "compliant":
                continue
            grant, name, purpose = _check_key(check)
            exposure = check_exposure(check.check, check.allocated, check.spent)
            self._checks[_check_key(check)] = self._decide(
                by_target.get(("ringfence", grant, check.rule, purpose)),
                self._baseline_of(("check", grant, name, purpose)), check.status, exposure,
                BaselinedFinding(None, check.rule, check.status, exposure, Accepted("", 0),
                                 grant, check.purpose))

    def _baseline_of(self, key: tuple[str, ...]) -> Accepted | None:
        if self.baseline is None:
            return None
        self._seen.add(key)
        if key[0] == "line":
            return self.baseline.findings.get((key[1], key[2]))
        return self.baseline.checks.get((key[1], key[2], key[3]))

    def _decide(self, waiver: LoadedWaiver | None, accepted: Accepted | None, status: str,
                exposure: int, record: BaselinedFinding) -> FindingState:
        state = FindingState()
        if waiver is not None:
            self._matches[waiver.waiver.target] = self._matches.get(waiver.waiver.target, 0) + 1
            state = (replace(state, expired_waiver=waiver) if waiver.expired(self.today)
                     else replace(state, waiver=waiver))
        if self.baseline is not None:
            if accepted is None:
                self._new += 1
                return replace(state, baseline=NEW)
            no_worse = RANK[status] <= RANK[accepted.status] and exposure <= accepted.exposure
            (self._baselined if no_worse else self._updated).append(
                replace(record, accepted=accepted))
            return replace(state, baseline=UNCHANGED if no_worse else UPDATED, accepted=accepted)
        return state


def build_gate(result: CheckResult, fail_on: str, today: dt.date | None = None,
               waivers: WaiverSet | None = None, baseline: Baseline | None = None) -> Gate:
    gate = Gate(result, fail_on, today or dt.date.today(), waivers, baseline)
    if gate.active:
        gate._build()
    return gate


def flagged_lines(result: CheckResult) -> Iterator[LineResult]:
    """Lines with findings (a compliant line has none), without building the others."""
    yield from replace(result, table=result.table.filter(pl.col(STATUS) != "compliant")).lines()


def _check_key(check: RingfenceCheck) -> tuple[str, str, str]:
    return (check.grant, check.check, check.purpose or "")


def load_gate(result: CheckResult, fail_on: str, today: dt.date | None = None,
              waivers: str | None = None, baseline: str | None = None,
              ignore_waivers: bool = False) -> Gate:
    """The gate for `check`: reads the files and records them in the result's evidence."""
    for name, path in (("waivers", waivers), ("baseline", baseline)):
        if path:
            result.evidence[name] = {"path": path, "sha256": sha256_of(path)}
    if waivers and ignore_waivers:
        # An auditor's run: the file is named so the reader knows it was set aside.
        result.evidence["waivers"]["ignored"] = True
    gate = build_gate(result, fail_on, today,
                      load_waivers(waivers) if waivers and not ignore_waivers else None,
                      load_baseline(baseline) if baseline else None)
    if gate.active and "options" in result.evidence:
        result.evidence["options"]["today"] = gate.today.isoformat()
    return gate

"""The one result object every writer reads: lines, findings, ringfences, summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl

from ..core.builtin_rules import CROSS_LINE_CLAUSES, OVER_AWARD
from ..core.money import format_gbp
from ..core.status import STATUSES, at_or_above, worst
from ..models.awards import CrossLineChecks
from ..models.lines import LINE_FIELDS
from ..models.table import (
    CROSS_RANK,
    LINE,
    OVER,
    PACK_VERSION,
    ROW,
    RULE_RANK,
    RULES,
    RUNNING,
    SEQ,
    SOURCE,
    STATUS,
    extra_columns,
)
from ..packs.compiled import CompiledPack
from ..packs.messages import pack_values, render
from .advice import Advice
from .awards import OVER_RULE, RingfenceCheck
from .message_columns import own_findings


def line_rank() -> pl.Expr:
    """A line's status before the award limit: its rules' and cross-line checks' worst."""
    return pl.max_horizontal(pl.col(RULE_RANK).fill_null(0), pl.col(CROSS_RANK).fill_null(0))


@dataclass(frozen=True)
class Finding:
    rule: str
    status: str
    clause: str
    message: str
    #: the cross-line case a cross-line finding belongs to (its id, e.g. D1)
    case: str | None = None


@dataclass(frozen=True)
class LineResult:
    values: dict[str, Any]  # canonical fields, typed
    source: str
    row: int
    status: str
    findings: list[Finding]
    #: pence by status: a line split by the award limit has two parts
    amounts: dict[str, int]
    extras: dict[str, Any]
    #: the version of the line's pack in force on its date (see packs.LoadedPack.versions)
    pack_version: str | None = None
    #: the physical line of the file the row starts on (the row's number when None)
    line: int | None = None
    #: other grants that would take a line its own grant refuses (advice.py); None when
    #: the line needs none
    advice: tuple[Advice, ...] | None = None

    @property
    def line_id(self) -> str:
        return self.values["line_id"]


#: Lines per slice of CheckResult.batches: large enough that per-slice work is little,
#: small enough that two slices in flight (the JSON report builds the next while it
#: writes one) keep its peak memory near the CSV report's (50,000: 1.7 times at 100,000
#: lines, against 1.4).
BATCH = 25_000


class LineBatch:
    """A slice of the result table (its PACK_VERSION filled in for every line), and the
    LineResult of each of its lines that has a finding, by position in the slice: made
    when first asked for, so that a report can start polars on the slice's columns (in a
    thread: polars lets go of the GIL) and make them meanwhile."""

    def __init__(self, frame: pl.DataFrame, positions: list[int], extras: list[str],
                 start: int, line: Callable[[dict], LineResult]):
        self.frame = frame
        self.extras = extras
        self.start = start  # the slice's first line's position in the table
        self.positions = positions  # of the lines with findings, in the slice
        self._line = line

    @cached_property
    def found(self) -> dict[int, LineResult]:
        rows = self.frame[self.positions].iter_rows(named=True) if self.positions else ()
        return {position: self._line(row) for position, row in zip(self.positions, rows)}


@dataclass(frozen=True)
class Bucket:
    lines: int
    amount: int


@dataclass
class CheckResult:
    table: pl.DataFrame
    packs: dict[str, CompiledPack]
    ringfences: list[RingfenceCheck]
    council: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    #: Rows that could not become lines (only with --skip-bad-rows): inputs/ledger.RejectedRow
    rejected: list = field(default_factory=list)
    #: Cross-line findings, one row each: _seq, rule, message (see crossline.py)
    cross: pl.DataFrame | None = None
    #: Where each award is written, for reports that point at it:
    #: grant -> (file, {"grant": line, "plan.<purpose>": line})
    award_lines: dict[str, tuple[str, dict[str, int]]] = field(default_factory=dict)
    #: What counts toward --fail-on (gate/gate.Gate), decided by run_check
    gate: Any = None
    #: Cross-line cases, ranked, one row each: id, kind, strength, status, amount, reason,
    #: _seq (list: its lines) (see crossline_cases.py)
    cases: pl.DataFrame | None = None
    #: The settings the cross-line checks used (the awards file's `checks`)
    checks: CrossLineChecks | None = None
    #: Each line's rule and award findings as text (see own_findings), if already rendered
    own_text: pl.Series | None = None
    #: Lines a column map gives no grant (not grant spend: not classified, not charged to
    #: an award), in the line table's columns; None when the map gives no grant
    out_of_scope: pl.DataFrame | None = None
    #: Per input with a stated total (keyed as its reconciliation check's `grant`): the
    #: file and the row of its first total that does not reconcile (else its last total)
    reconciled: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: Funding advice: _seq -> the other grants that would take the line (advice.py)
    advice: dict[int, tuple[Advice, ...]] = field(default_factory=dict)

    @property
    def versioned(self) -> bool:
        """Whether some pack of the run was amended: reports then name each line's version."""
        return any(len(pack.loaded.versions) > 1 for pack in self.packs.values())

    def own_findings(self) -> pl.Series:
        """Per line of the table: its rule and award findings as text, null for none
        (message_columns.own_findings); rendered once, by run_check or the first report."""
        if self.own_text is None:
            self.own_text = own_findings(
                self.table, self.packs, {grant: self.award_amount(grant) for grant in self.packs})
        return self.own_text

    @cached_property
    def _cross_by_seq(self) -> dict[int, list[tuple[str, str, str | None]]]:
        out: dict[int, list[tuple[str, str, str | None]]] = {}
        if self.cross is not None:
            cases = self.cross["case"] if "case" in self.cross.columns else None
            for index, (seq, rule, message) in enumerate(
                    self.cross.select(SEQ, "rule", "message").iter_rows()):
                out.setdefault(seq, []).append(
                    (rule, message, None if cases is None else cases[index]))
        return out

    def case_list(self) -> list[dict[str, Any]]:
        """The cross-line cases, ranked: id, kind, strength, status, amount (pence),
        reason, and lines (line_id, source, row of each)."""
        if self.cases is None or not self.cases.height:
            return []
        exploded = self.cases.select("id", SEQ).explode(SEQ)
        where = self.table.select(SEQ, "line_id", SOURCE, ROW)
        lines: dict[str, list[dict]] = {}
        for case, line_id, source, row in (exploded.join(where, on=SEQ, how="left",
                                                         maintain_order="left")
                                           .select("id", "line_id", SOURCE, ROW).iter_rows()):
            lines.setdefault(case, []).append({"line_id": line_id, "source": source,
                                               "row": row})
        return [{**case, "lines": lines[case["id"]]}
                for case in self.cases.drop(SEQ).iter_rows(named=True)]

    def case_column(self) -> pl.Series | None:
        """Per line of the table, in its order: the ids of the cases it is in, at risk or
        for review ('D1 S3'), null for none; None when the run has no cases."""
        if self.cases is None or not self.cases.height:
            return None
        member = self.cases.select("id", SEQ).explode(SEQ).group_by(
            SEQ, maintain_order=True).agg(pl.col("id").str.join(" "))
        return self.table.select(SEQ).join(member, on=SEQ, how="left",
                                           maintain_order="left")["id"]

    @property
    def summary(self) -> dict[str, Bucket]:
        table = self.table
        out: dict[str, Bucket] = {}
        over = pl.col(OVER).fill_null(0)
        rule_status = line_rank()
        for rank, status in enumerate(STATUSES):
            lines = table.filter(pl.col(STATUS) == status).height
            if status == "non_compliant":
                amount = table.select(
                    pl.when(rule_status == rank).then(pl.col("amount")).otherwise(over).sum()
                ).item()
            else:
                amount = table.filter(rule_status == rank).select(
                    (pl.col("amount") - over).sum()).item()
            out[status] = Bucket(lines, int(amount or 0))
        out["total"] = Bucket(table.height, int(table["amount"].sum() or 0))
        return out

    @property
    def outside(self) -> Bucket | None:
        """The out-of-scope lines (not in `summary`, whose total is in-scope spend), or
        None when there are none."""
        if self.out_of_scope is None or not self.out_of_scope.height:
            return None
        return Bucket(self.out_of_scope.height, int(self.out_of_scope["amount"].sum() or 0))

    @property
    def status(self) -> str:
        statuses = list(self.table[STATUS].unique().to_list()) + [c.status for c in self.ringfences]
        return worst(statuses)

    def fails(self, level: str) -> bool:
        if self.gate is not None:
            return self.gate.fails(level)
        return at_or_above(self.status, level)

    def lines(self) -> Iterator[LineResult]:
        extras = extra_columns(self.table)
        packvals = {(pid, label): pack_values(version.pack) for pid, p in self.packs.items()
                    for label, version in p.versions.items()}
        for row in self.table.iter_rows(named=True):
            yield self._line(row, extras, packvals)

    def pack_version(self) -> pl.Expr:
        """Each line's LineResult.pack_version: the version its date chose, else its pack's."""
        return pl.col(PACK_VERSION).replace("", None).fill_null(pl.col("grant").replace_strict(
            {pid: p.version for pid, p in self.packs.items()}, default=None))

    def versioned_table(self) -> pl.DataFrame:
        """The table with every line's PACK_VERSION filled in (see pack_version)."""
        return self.table.with_columns(self.pack_version().alias(PACK_VERSION))

    def flagged(self) -> pl.Series:
        """Positions in the table of the lines with a finding (or not compliant)."""
        cross = (self.cross[SEQ].unique() if self.cross is not None
                 else pl.Series([], dtype=pl.Int64))
        flagged = ((pl.col(RULES).list.len().fill_null(0) > 0) | (pl.col(OVER).fill_null(0) > 0)
                   | pl.col(SEQ).is_in(cross.implode()) | (pl.col(STATUS) != "compliant"))
        return self.table.select(flagged.arg_true())[:, 0]

    def batches(self, size: int | None = None) -> Iterator[LineBatch]:
        """The table in slices of `size` lines, each with the LineResult of its lines that
        have findings. Most lines of a ledger have none: reports write those straight from
        the slice's columns, so a million lines are never a million Python objects at once
        (tests/reports/test_report_batches.py checks both ways give the same report)."""
        extras = extra_columns(self.table)
        packvals = {(pid, label): pack_values(version.pack) for pid, p in self.packs.items()
                    for label, version in p.versions.items()}
        table, found = self.versioned_table(), self.flagged()
        size = size or BATCH
        for start in range(0, table.height, size):
            positions = found.filter((found >= start) & (found < start + size)) - start
            yield LineBatch(table.slice(start, size), positions.to_list(), extras, start,
                            lambda row: self._line(row, extras, packvals))

    def _line(self, row: dict, extras: list[str], packvals: dict) -> LineResult:
        values = {name: row[name] for name in LINE_FIELDS}
        pack = self.packs[row["grant"]]
        in_force = pack.versions[row[PACK_VERSION]] if row.get(PACK_VERSION) else pack
        by_id = self._rules_by_id(in_force)
        findings = []
        for rule_id in row[RULES] or []:
            rule = by_id[rule_id]
            findings.append(Finding(rule.id, rule.status, rule.clause, render(
                rule.message, values, packvals[(row["grant"], in_force.version)])))
        over = row[OVER] or 0
        rule_status = STATUSES[max(row[RULE_RANK] or 0, row[CROSS_RANK] or 0)]
        amounts = {rule_status: row["amount"]}
        if over:
            assert OVER_AWARD.message is not None
            findings.append(Finding(
                OVER_RULE, OVER_AWARD.status, OVER_AWARD.clause_for(pack.loaded.pack.ringfence),
                OVER_AWARD.message.format(
                    over=format_gbp(over), amount=format_gbp(row["amount"]),
                    award=format_gbp(self.award_amount(row["grant"])),
                    running=format_gbp(row[RUNNING]))))
            if rule_status != "non_compliant" and over != row["amount"]:
                amounts = {rule_status: row["amount"] - over, "non_compliant": over}
            else:
                amounts = {"non_compliant": row["amount"]}
        for cross_rule, message, case in self._cross_by_seq.get(row[SEQ], ()):
            findings.append(Finding(cross_rule, "at_risk", CROSS_LINE_CLAUSES[cross_rule],
                                    message, case))
        return LineResult(values, row[SOURCE], row[ROW], row[STATUS], findings, amounts,
                          {name: row[name] for name in extras if row[name] is not None},
                          in_force.version, row.get(LINE), self.advice.get(row[SEQ]))

    def _rules_by_id(self, pack: CompiledPack) -> dict[str, Any]:
        """A pack version's rules by id, made once per version, not once per line."""
        cache = self.__dict__.setdefault("_by_id", {})
        key = (pack.id, pack.version)
        if key not in cache:
            cache[key] = {rule.id: rule for rule in pack.rules}
        return cache[key]

    def award_amount(self, grant: str) -> int:
        return next(c.allocated for c in self.ringfences if c.grant == grant and c.check == "award")


def final_status(table: pl.DataFrame) -> pl.DataFrame:
    rank = pl.max_horizontal(line_rank(),
                             pl.when(pl.col(OVER).fill_null(0) > 0).then(2).otherwise(0))
    return table.with_columns(
        rank.replace_strict(list(range(3)), list(STATUSES), return_dtype=pl.Utf8).alias(STATUS))


__all__ = ["CheckResult", "LineResult", "Finding", "Bucket", "final_status"]

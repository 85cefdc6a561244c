"""`check`: inputs and awards in, one CheckResult out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from ..checks.advice import funding_advice
from ..checks.awards import award_checks, award_limits
from ..checks.classify import classify
from ..checks.crossline import cross_line_checks
from ..checks.evidence import evidence, evidence_files, input_facts, sha256_of
from ..checks.message_columns import own_findings
from ..checks.reconciliation import reconciliation, shown_total
from ..checks.result import CheckResult, final_status
from ..core.errors import InputError
from ..core.money import MAX_TOTAL_PENCE, format_gbp, format_plain
from ..core.suggest import hint
from ..core.validation import validate
from ..core.yamlio import load_file
from ..gate.gate import load_gate
from ..inputs import PROPOSAL_SUFFIXES, InputFile, read_input
from ..inputs.ledger import RejectedRow, RejectedRowsError
from ..inputs.proposal import read_awards
from ..inputs.workbook import awards_shown
from ..models.awards import Award, AwardsFile
from ..models.column_map import ColumnMap
from ..models.table import CROSS_RANK, ROW, SEQ, SOURCE, concat
from ..packs.compiled import CompiledPack
from ..packs.loading import LoadedPack, load_packs
from . import threads

_compiled_cache: dict[tuple[str, str], CompiledPack] = {}
#: Progress stages after the inputs are read: one step each on the progress callback.
STAGES_AFTER_READING = ("classifying", "cross-line checks", "ringfence totals")


@dataclass
class CheckRequest:
    inputs: list[str]
    awards: str | None = None
    rules: str | None = None
    column_map: str | None = None
    skip_bad_rows: bool = False
    #: Recorded in the report's evidence (e.g. the output format and --fail-on).
    options: dict = field(default_factory=dict)
    #: Called with a stage name and (done, total) as the check goes; the CLI draws it.
    #: Steps are one per input file read, then one per STAGES_AFTER_READING.
    progress: Callable[[str, int, int], None] | None = None
    #: Input files read at once (one thread each).
    jobs: int = 1
    #: What counts toward the gate (gate/gate.py): the level, and what exempts findings.
    fail_on: str = "non_compliant"
    waivers: str | None = None
    #: --no-waivers: the waivers file is named in the evidence, and set aside
    ignore_waivers: bool = False
    baseline: str | None = None
    #: the day waivers are judged on (default: today)
    today: dt.date | None = None


@dataclass
class _Award:
    award: Award
    source: str
    line: int | None
    #: where the award's grant and plan keys are written (see inputs/proposal.award_lines)
    where: dict[str, int] = field(default_factory=dict)


def run_check(request: CheckRequest) -> CheckResult:
    step = request.progress or (lambda stage, done, total: None)
    # polars and hashlib release the GIL: inputs are hashed while they are read, and the
    # cross-line checks (duplicates, and splits beside them) and the award limits run
    # beside classification, which alone calls durable-rules, on this thread.
    background = threads.pool(4)
    digests = {path: background.submit(sha256_of, path) for path in
               evidence_files(request.inputs, request.awards, request.column_map)}
    packs = load_packs(Path(request.rules) if request.rules else None)
    column_map = _load_map(request.column_map)
    files = _read_inputs(request, column_map, step, background.submit)
    awards, council, checks = _collect_awards(request, files, packs)
    table = concat([f.table for f in files])
    _refuse_overflowing_totals(table)
    table, out_of_scope = _out_of_scope(table, column_map)
    table, unassigned = _assign_grants(table, awards)
    rejected = [row for f in files for row in f.rejected] + unassigned
    if rejected and not request.skip_bad_rows:
        background.shutdown(cancel_futures=True)
        raise RejectedRowsError(rejected)
    compiled = {grant: _compiled(packs[grant]) for grant in awards}
    done = len(request.inputs)
    crossing = background.submit(cross_line_checks, table, checks, background.submit)
    by_grant = {grant: found.award for grant, found in awards.items()}
    limits = background.submit(award_limits, table, by_grant)
    step(f"classifying {table.height:,} lines", done, done + len(STAGES_AFTER_READING))
    table = classify(table, compiled).with_columns(limits.result())
    step("cross-line checks", done + 1, done + len(STAGES_AFTER_READING))
    # The ringfence totals and funding advice need no cross-line finding: they are worked
    # out, and the lines' own findings rendered, while the cross-line checks finish.
    stated = {f.path: check for f in files if (check := reconciliation(f)) is not None}
    ringfences = award_checks(table, by_grant, compiled) + list(stated.values())
    advice = funding_advice(table, {pid: _compiled(loaded) for pid, loaded in packs.items()},
                            ringfences)
    # The tabular reports need the own findings; if the checks are done already, a report
    # renders them instead.
    own_text = None if crossing.done() else own_findings(
        table, compiled, {grant: award.amount for grant, award in by_grant.items()})
    crossline = crossing.result()
    step("ringfence totals", done + 2, done + len(STAGES_AFTER_READING))
    cross = crossline.findings
    flagged = pl.repeat(0, table.height, dtype=pl.Int64, eager=True).scatter(
        table[SEQ].search_sorted(cross[SEQ].unique()), 1)
    table = final_status(table.with_columns(flagged.alias(CROSS_RANK)))
    found = evidence(request, compiled, {p: d.result() for p, d in digests.items()},
                     checks, input_facts(files, table, out_of_scope))
    background.shutdown()
    result = CheckResult(table, compiled, ringfences, council, evidence=found,
                         rejected=rejected, cross=cross, cases=crossline.cases, checks=checks,
                         own_text=own_text, advice=advice,
                         out_of_scope=out_of_scope, reconciled={
                             check.grant: (f.path, shown_total(f).row)
                             for f in files if (check := stated.get(f.path)) is not None},
                         award_lines={g: (a.source, a.where) for g, a in awards.items()})
    result.gate = load_gate(result, request.fail_on, request.today, request.waivers,
                            request.baseline, request.ignore_waivers)
    return result


def _out_of_scope(table: pl.DataFrame, column_map: ColumnMap | None
                  ) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Lines the map gives no grant are not grant spend: a ledger holds all the council's
    spend, and the map picks the grant's cost centres. They are kept, read and counted,
    but not classified nor charged to any award. Without a map giving the grant, every
    line is in scope."""
    if column_map is None or not ("grant" in column_map.derive or "grant" in column_map.set):
        return table, None
    outside = pl.col("grant").is_null()
    return table.filter(~outside), table.filter(outside)


def _read_inputs(request: CheckRequest, column_map: ColumnMap | None, step,
                 beside) -> list[InputFile]:
    paths = request.inputs
    jobs = min(request.jobs, len(paths))
    if jobs <= 1:
        files = []
        for index, path in enumerate(paths):
            step(_reading(paths, index), index, len(paths) + len(STAGES_AFTER_READING))
            files.append(read_input(path, column_map, request.column_map, beside))
        return files
    # Reading and parsing is per file, so files are read at once, one thread each: polars
    # and hashlib release the GIL, and a thread, unlike a process, hands its table back
    # without copying it. Results come back in input order. (durable-rules, which is not
    # thread-safe, is not involved here.)
    with threads.pool(jobs) as pool:
        futures = [pool.submit(read_input, path, column_map, request.column_map, beside)
                   for path in paths]
        files = []
        for index, future in enumerate(futures):
            step(_reading(paths, index), index, len(paths) + len(STAGES_AFTER_READING))
            files.append(future.result())
        return files


def _reading(paths: list[str], index: int) -> str:
    return f"reading {Path(paths[index]).name} (file {index + 1} of {len(paths)})"


def _load_map(path: str | None) -> ColumnMap | None:
    if not path:
        return None
    return validate(ColumnMap, load_file(path))


def _compiled(loaded: LoadedPack) -> CompiledPack:
    # durable-rules registers a ruleset name once per host: reuse compiled packs.
    key = (str(loaded.path), loaded.sha256)
    if key not in _compiled_cache:
        _compiled_cache[key] = CompiledPack(loaded)
    return _compiled_cache[key]


def _collect_awards(request: CheckRequest, files: list[InputFile],
                    packs: dict[str, LoadedPack]):
    found: dict[str, _Award] = {}
    sources: list[tuple[AwardsFile, str, dict[str, dict[str, int]]]] = []
    for f in files:
        # A proposal workbook's Awards sheet gives way to --awards (a YAML proposal's
        # awards must agree with it instead).
        overridden = request.awards and Path(f.path).suffix.lower() == ".xlsx"
        if f.awards is not None and not overridden:
            sources.append((f.awards, f.path, f.award_lines))
    if request.awards:
        awards_file, lines = read_awards(request.awards)
        sources.append((awards_file, request.awards, lines))
    if not sources:
        raise InputError("no awards: the input has none, so give them with --awards FILE",
                         source=request.inputs[0] if request.inputs else None)
    council = next((a.council for a, _, _ in sources if a.council), None)
    checks = sources[-1][0].checks
    for awards_file, source, lines in sources:
        shown = awards_shown(source)  # a proposal workbook's errors name its Awards sheet
        for award in awards_file.awards:
            where = lines.get(award.grant, {})
            line = where.get("grant")
            if award.grant not in packs:
                raise InputError(f"no grant pack '{award.grant}'"
                                 f"{hint(award.grant, sorted(packs), 'packs')}", source=shown,
                                 line=line, field="grant")
            previous = found.get(award.grant)
            if previous and previous.award != award:
                raise InputError(
                    f"grant '{award.grant}' is awarded differently in {previous.source}:"
                    f"{previous.line}", source=shown, line=line, field="grant")
            _check_plan(award, packs[award.grant], shown, where)
            found[award.grant] = _Award(award, source, line, where)
    return found, council, checks


def _check_plan(award: Award, loaded: LoadedPack, source: str, where: dict[str, int]) -> None:
    purposes = loaded.purposes
    for purpose in (award.plan or {}):
        if purpose not in purposes:
            raise InputError(f"unknown purpose '{purpose}' for {award.grant}"
                             f"{hint(purpose, purposes, 'purposes')}",
                             source=source, line=where.get(f"plan.{purpose}"),
                             field=f"plan.{purpose}")


def _refuse_overflowing_totals(table: pl.DataFrame) -> None:
    """Amounts whose totals could pass a 64-bit integer are refused, naming the line that
    takes them past MAX_TOTAL_PENCE: the sums are then exact wherever they are taken."""
    # A float sum is a fifth of the cost of an exact one, and off by far less than the
    # margin left here: only a total near the limit is added up exactly.
    rough = table.select(pl.col("amount").abs().cast(pl.Float64).sum()).item()
    if rough is None or rough <= 0.9 * MAX_TOTAL_PENCE:
        return
    running = 0
    for source, row, pence in table.select(SOURCE, ROW, "amount").iter_rows():
        running += abs(pence or 0)
        if running > MAX_TOTAL_PENCE:
            raise InputError(f"the amounts up to this line add up to more than "
                             f"{format_gbp(MAX_TOTAL_PENCE)} (ignoring sign), more than "
                             "ringfence can total exactly", source=source, line=row,
                             field="amount")


def _assign_grants(table: pl.DataFrame, awards: dict[str, _Award]):
    """Lines without a grant take the only award; lines no award covers cannot be checked.

    In a proposal that is an error in the file; in a ledger the rows are rejected.
    """
    if len(awards) == 1:
        table = table.with_columns(pl.col("grant").fill_null(next(iter(awards))))
    unknown = ~pl.col("grant").is_in(list(awards)) | pl.col("grant").is_null()
    bad = table.filter(unknown)
    if not bad.height:
        return table, []
    rejected = []
    for row in bad.iter_rows(named=True):
        if row["grant"] is None:
            reason = (f"grant: line '{row['line_id']}' names no grant and the input has "
                      f"{len(awards)} awards ({', '.join(sorted(awards))})")
        else:
            reason = (f"grant: line '{row['line_id']}' is charged to '{row['grant']}', which has "
                      f"no award (awards: {', '.join(sorted(awards))})"
                      f"{hint(row['grant'], awards)}")
        if Path(row[SOURCE]).suffix.lower() in PROPOSAL_SUFFIXES:
            field, message = reason.split(": ", 1)
            raise InputError(message, source=row[SOURCE], line=row[ROW], field=field)
        raw = {"line_id": row["line_id"], "grant": row["grant"],
               "date": row["date"].isoformat() if row["date"] else None,
               "amount": format_plain(row["amount"])}
        rejected.append(RejectedRow(row[SOURCE], row[ROW], (reason,), raw, row["amount"]))
    return table.filter(~unknown), rejected

"""`check`: inputs and awards in, one CheckResult out."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import polars as pl

from .. import __version__
from ..checks.classify import classify
from ..checks.crossline import cross_line_findings
from ..packs.compiled import CompiledPack
from ..core.errors import InputError
from ..inputs import PROPOSAL_SUFFIXES, InputFile, read_input
from ..inputs.ledger import RejectedRow, RejectedRowsError
from ..inputs.proposal import read_awards
from ..checks.message_columns import own_findings
from ..models.awards import Award, AwardsFile, CrossLineChecks
from ..models.column_map import ColumnMap
from ..models.lines import near_miss
from ..core.money import MAX_TOTAL_PENCE, format_gbp, format_plain
from ..packs.loading import LoadedPack, load_packs
from ..checks.result import CROSS_RANK, CheckResult, final_status
from ..checks.awards import award_checks, award_limits
from ..models.table import ROW, SEQ, SOURCE, concat
from ..core.validation import validate
from ..core.yamlio import load_file

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


@dataclass
class _Award:
    award: Award
    source: str
    line: int
    #: where the award's grant and plan keys are written (see inputs/proposal.award_lines)
    where: dict[str, int] = field(default_factory=dict)


def run_check(request: CheckRequest) -> CheckResult:
    step = request.progress or (lambda stage, done, total: None)
    # polars and hashlib release the GIL: inputs are hashed while they are read, and the
    # cross-line checks and award limits run beside classification (which alone calls
    # durable-rules).
    background = ThreadPoolExecutor(max_workers=3)
    digests = {path: background.submit(sha256_of, path) for path in _evidence_files(request)}
    packs = load_packs(Path(request.rules) if request.rules else None)
    column_map = _load_map(request.column_map)
    files = _read_inputs(request, column_map, step)
    awards, council, checks = _collect_awards(request, files, packs)
    table = concat([f.table for f in files])
    _refuse_overflowing_totals(table)
    table, unassigned = _assign_grants(table, awards)
    rejected = [row for f in files for row in f.rejected] + unassigned
    if rejected and not request.skip_bad_rows:
        background.shutdown(cancel_futures=True)
        raise RejectedRowsError(rejected)
    compiled = {grant: _compiled(packs[grant]) for grant in awards}
    done = len(request.inputs)
    crossing = background.submit(cross_line_findings, table, checks)
    by_grant = {grant: found.award for grant, found in awards.items()}
    limits = background.submit(award_limits, table, by_grant)
    step(f"classifying {table.height:,} lines", done, done + len(STAGES_AFTER_READING))
    table = classify(table, compiled).with_columns(limits.result())
    step("cross-line checks", done + 1, done + len(STAGES_AFTER_READING))
    # While the cross-line checks finish, the lines' own findings are rendered, as the
    # tabular reports need them; if the checks are done already, a report renders them.
    own_text = None if crossing.done() else own_findings(
        table, compiled, {grant: award.amount for grant, award in by_grant.items()})
    cross = crossing.result()
    flagged = pl.repeat(0, table.height, dtype=pl.Int64, eager=True).scatter(
        table[SEQ].search_sorted(cross[SEQ].unique()), 1)
    table = final_status(table.with_columns(flagged.alias(CROSS_RANK)))
    step("ringfence totals", done + 2, done + len(STAGES_AFTER_READING))
    ringfences = award_checks(table, by_grant, compiled)
    evidence = _evidence(request, compiled, {p: d.result() for p, d in digests.items()},
                         checks)
    background.shutdown()
    return CheckResult(table, compiled, ringfences, council, evidence=evidence,
                       rejected=rejected, cross=cross, checks=checks, own_text=own_text,
                       award_lines={g: (a.source, a.where) for g, a in awards.items()})


def _shown_path(path: Path) -> str:
    """Relative to where the check ran when it is below it: reports stay comparable."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _evidence_files(request: CheckRequest) -> list[str]:
    return [p for p in [*request.inputs, request.awards, request.column_map] if p]


def sha256_of(path: str) -> str | None:
    try:
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def _evidence(request: CheckRequest, packs: dict[str, CompiledPack],
              digests: dict[str, str | None], checks: CrossLineChecks) -> dict:
    """What a reader needs to reproduce this result, or challenge it."""
    def described(path):
        return {"path": path, "sha256": digests.get(path)} if path else None

    return {
        "tool": {"name": "ringfence", "version": __version__},
        "packs": [{"id": pid, "title": p.loaded.pack.title,
                   "determination": p.loaded.pack.determination,
                   "path": _shown_path(p.loaded.path), "sha256": p.loaded.sha256,
                   **_versions(p)}
                  for pid, p in sorted(packs.items())],
        "inputs": [described(path) for path in request.inputs],
        "awards": described(request.awards),
        "map": described(request.column_map),
        "options": {"rules": request.rules, "skip_bad_rows": request.skip_bad_rows,
                    **request.options},
        "checks": {"split_threshold": format_plain(checks.split_threshold),
                   "split_window_days": checks.split_window_days},
    }


def _read_inputs(request: CheckRequest, column_map: ColumnMap | None, step) -> list[InputFile]:
    paths = request.inputs
    jobs = min(request.jobs, len(paths))
    if jobs <= 1:
        files = []
        for index, path in enumerate(paths):
            step(_reading(paths, index), index, len(paths) + len(STAGES_AFTER_READING))
            files.append(read_input(path, column_map, request.column_map))
        return files
    # Reading and parsing is per file, so files are read at once, one thread each: polars
    # and hashlib release the GIL, and a thread, unlike a process, hands its table back
    # without copying it. Results come back in input order. (durable-rules, which is not
    # thread-safe, is not involved here.)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(read_input, path, column_map, request.column_map)
                   for path in paths]
        files = []
        for index, future in enumerate(futures):
            step(_reading(paths, index), index, len(paths) + len(STAGES_AFTER_READING))
            files.append(future.result())
        return files


def _reading(paths: list[str], index: int) -> str:
    return f"reading {Path(paths[index]).name} (file {index + 1} of {len(paths)})"


def _versions(pack: CompiledPack) -> dict:
    """An amended pack's versions, which lines name in `pack_version` (none if never amended)."""
    versions = pack.loaded.versions
    if len(versions) == 1:
        return {}
    return {"versions": [{"version": v.label, "in_force_from": v.in_force_from.isoformat()
                          if v.in_force_from else None, "note": v.note} for v in versions]}


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
        if f.awards is not None:
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
        for award in awards_file.awards:
            where = lines.get(award.grant, {})
            line = where.get("grant")
            if award.grant not in packs:
                guess = near_miss(award.grant, packs)
                hint = f"; did you mean '{guess}'?" if guess else \
                    f" (packs: {', '.join(sorted(packs))})"
                raise InputError(f"no grant pack '{award.grant}'{hint}", source=source, line=line,
                                 field="grant")
            previous = found.get(award.grant)
            if previous and previous.award != award:
                raise InputError(
                    f"grant '{award.grant}' is awarded differently in {previous.source}:"
                    f"{previous.line}", source=source, line=line, field="grant")
            _check_plan(award, packs[award.grant], source, where)
            found[award.grant] = _Award(award, source, line, where)
    return found, council, checks


def _check_plan(award: Award, loaded: LoadedPack, source: str, where: dict[str, int]) -> None:
    purposes = loaded.purposes
    for purpose in (award.plan or {}):
        if purpose not in purposes:
            guess = near_miss(purpose, purposes)
            hint = f"; did you mean '{guess}'?" if guess else f" (purposes: {', '.join(purposes)})"
            raise InputError(f"unknown purpose '{purpose}' for {award.grant}{hint}",
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
            guess = near_miss(row["grant"], awards)
            hint = f"; did you mean '{guess}'?" if guess else ""
            reason = (f"grant: line '{row['line_id']}' is charged to '{row['grant']}', which has "
                      f"no award (awards: {', '.join(sorted(awards))}){hint}")
        if Path(row[SOURCE]).suffix.lower() in PROPOSAL_SUFFIXES:
            field, message = reason.split(": ", 1)
            raise InputError(message, source=row[SOURCE], line=row[ROW], field=field)
        raw = {"line_id": row["line_id"], "grant": row["grant"],
               "date": row["date"].isoformat() if row["date"] else None,
               "amount": format_plain(row["amount"])}
        rejected.append(RejectedRow(row[SOURCE], row[ROW], (reason,), raw, row["amount"]))
    return table.filter(~unknown), rejected

"""`check`: inputs and awards in, one CheckResult out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .classify import classify
from .compiled import CompiledPack
from .errors import InputError
from .inputs import InputFile, read_input
from .inputs.proposal import read_awards
from .models.awards import Award, AwardsFile
from .models.lines import near_miss
from .packs import LoadedPack, load_packs
from .result import CheckResult, final_status
from .ringfence import apply_award_limits, award_checks
from .table import ROW, SOURCE, concat

_compiled_cache: dict[tuple[str, str], CompiledPack] = {}


@dataclass
class CheckRequest:
    inputs: list[str]
    awards: str | None = None
    rules: str | None = None
    read_options: dict = field(default_factory=dict)


@dataclass
class _Award:
    award: Award
    source: str
    line: int


def run_check(request: CheckRequest) -> CheckResult:
    packs = load_packs(Path(request.rules) if request.rules else None)
    files = [read_input(path, **request.read_options) for path in request.inputs]
    awards, council, checks = _collect_awards(request, files, packs)
    table = concat([f.table for f in files])
    table = _assign_grants(table, awards)
    compiled = {grant: _compiled(packs[grant]) for grant in awards}
    table = classify(table, compiled)
    table = apply_award_limits(table, {g: a.award for g, a in awards.items()})
    table = final_status(table)
    ringfences = award_checks(table, {g: a.award for g, a in awards.items()}, compiled)
    return CheckResult(table, compiled, ringfences, council)


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
            found[award.grant] = _Award(award, source, line)
    return found, council, checks


def _check_plan(award: Award, loaded: LoadedPack, source: str, where: dict[str, int]) -> None:
    purposes = loaded.pack.purposes
    for purpose in (award.plan or {}):
        if purpose not in purposes:
            guess = near_miss(purpose, purposes)
            hint = f"; did you mean '{guess}'?" if guess else f" (purposes: {', '.join(purposes)})"
            raise InputError(f"unknown purpose '{purpose}' for {award.grant}{hint}",
                             source=source, line=where.get(f"plan.{purpose}"),
                             field=f"plan.{purpose}")


def _assign_grants(table: pl.DataFrame, awards: dict[str, _Award]) -> pl.DataFrame:
    if len(awards) == 1:
        only = next(iter(awards))
        table = table.with_columns(pl.col("grant").fill_null(only))
    missing = table.filter(pl.col("grant").is_null())
    if missing.height:
        row = missing.row(0, named=True)
        raise InputError(f"line '{row['line_id']}' names no grant and the input has "
                         f"{len(awards)} awards ({', '.join(sorted(awards))})",
                         source=row[SOURCE], line=row[ROW], field="grant")
    unknown = table.filter(~pl.col("grant").is_in(list(awards)))
    if unknown.height:
        row = unknown.row(0, named=True)
        guess = near_miss(row["grant"], awards)
        hint = f"; did you mean '{guess}'?" if guess else ""
        raise InputError(f"line '{row['line_id']}' is charged to '{row['grant']}', which has no "
                         f"award (awards: {', '.join(sorted(awards))}){hint}",
                         source=row[SOURCE], line=row[ROW], field="grant")
    return table
